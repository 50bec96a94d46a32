"""`?search=` on the customers list: the same fuzzy, phonetic ranking the voice console uses."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from customers.models import Customer
from customers.selectors import SEARCH_LIST_LIMIT, customer_search
from execora.api.resources import StrictFilterForm
from execora.tenancy import business_for_request

# Where filter_search leaves the ranked customers for CustomerViewSet to page through.
RANKED = "_customers_ranked"


class CustomerFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=100,
        help_text="Name, alias (any spelling, Devanagari or Latin) or phone (or its last "
        f"digits). Best match first unless `ordering` is given; at most {SEARCH_LIST_LIMIT}.",
    )

    class Meta:
        model = Customer
        fields = ["search"]
        form = StrictFilterForm

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value.strip():
            return queryset
        result = customer_search(
            business=business_for_request(self.request), query=value, limit=SEARCH_LIST_LIMIT
        )
        ranked = [match.customer for match in result.matches]
        # The ranking is a Python list; ordering SQL by it (a CASE per id) costs more
        # to compile than the whole search, so the view pages through the list itself.
        setattr(self.request, RANKED, ranked)
        return queryset.filter(pk__in=[customer.pk for customer in ranked])
