"""Customers in the back office: created and edited through customers.services.

The khata on the change page and the payment/udhaar actions belong to the
ledger, which imports customers (not the other way): ledger/admin.py extends
this admin with them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest

from customers.models import Customer
from customers.selectors import customer_list
from customers.services import EDITABLE_FIELDS, customer_create, customer_update
from execora.admin_forms import AliasesField, BooksAdmin, ServiceFormAdminMixin, inr
from execora.exceptions import ApplicationError
from execora.validators import normalize_indian_mobile, validate_indian_mobile


class CustomerForm(forms.ModelForm):
    aliases = AliasesField()
    # Wider than the stored 10 digits: "+91 98765-43210" is typed, the service stores 9876543210.
    phone = forms.CharField(
        required=False, max_length=20, help_text="Indian mobile, used for WhatsApp reminders."
    )

    class Meta:
        model = Customer
        fields = ["business", *EDITABLE_FIELDS]

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        try:
            validate_indian_mobile(phone)
        except ValidationError:
            return phone  # the model's validator names the problem
        return normalize_indian_mobile(phone) if phone else ""


class BalanceFilter(admin.SimpleListFilter):
    title = "balance"
    parameter_name = "balance"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("owes", "Owes money"),
            ("advance", "Paid in advance"),
            ("settled", "Settled"),
            ("over_limit", "Over credit limit"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        conditions = {
            "owes": Q(balance__gt=0),
            "advance": Q(balance__lt=0),
            "settled": Q(balance=0),
            "over_limit": Q(credit_limit__isnull=False, balance__gt=F("credit_limit")),
        }
        condition = conditions.get(self.value() or "")
        return queryset if condition is None else queryset.filter(condition)


@admin.register(Customer)
class CustomerAdmin(ServiceFormAdminMixin, BooksAdmin):
    form = CustomerForm
    list_display = ["name", "phone", "balance_display", "credit_limit_display", "created_at"]
    list_display_links = ["name"]
    search_fields = ["name", "phone", "aliases"]
    list_filter = [BalanceFilter, "preferred_language"]
    date_hierarchy = "created_at"
    ordering = ["name", "pk"]
    list_select_related = []
    list_per_page = 50

    def get_fieldsets(self, request: HttpRequest, obj: Customer | None = None) -> list:
        details = ["name", "phone", "aliases", "address", "preferred_language"]
        if obj is not None or self.single_shop(request) is None:
            details.insert(0, "business")
        khata = ["credit_limit"] if obj is None else ["credit_limit", "balance_display"]
        return [
            (None, {"fields": details}),
            ("GST (registered buyers)", {"fields": ["gstin", "state_code"]}),
            ("Khata", {"fields": khata}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Customer | None = None) -> list[str]:
        # A customer never moves to another shop; the balance moves only by postings.
        return ["business", "balance_display"] if obj is not None else []

    @admin.display(description="balance", ordering="balance")
    def balance_display(self, customer: Customer) -> str:
        return inr(customer.balance)

    @admin.display(description="credit limit", ordering="credit_limit")
    def credit_limit_display(self, customer: Customer) -> str:
        return inr(customer.credit_limit) if customer.credit_limit is not None else "no limit"

    def has_delete_permission(self, request: HttpRequest, obj: Customer | None = None) -> bool:
        # A customer is a party in the books; there is no delete service.
        return False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        """The plain column search, plus the fuzzy search the voice console uses
        (typos, Devanagari vs Latin: "रमेश" finds Ramesh), within the user's shops."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if not term:
            return found, may_have_duplicates
        fuzzy_ids: list[int] = []
        for business in self.member_shops(request):
            fuzzy_ids += customer_list(business=business, search=term).values_list("pk", flat=True)
        if fuzzy_ids:
            found = found | queryset.filter(pk__in=fuzzy_ids)
        return found, may_have_duplicates

    def service_save(
        self, *, request: HttpRequest, obj: Customer, form: forms.ModelForm, change: bool
    ) -> Customer:
        values = {
            field: form.cleaned_data[field] for field in EDITABLE_FIELDS if field in form.fields
        }
        if change:
            return customer_update(
                business=obj.business, customer_id=obj.pk, user=request.user, **values
            )
        business = form.cleaned_data.get("business") or self.single_shop(request)
        if business is None:
            raise ApplicationError("Choose the shop.", code="invalid", field="business")
        return customer_create(business=business, user=request.user, **values)
