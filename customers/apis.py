"""`/api/v1/customers/`: list with fuzzy search, retrieve, create, PATCH. No delete.

A customer's khata (statement, udhaar, opening balance) is under the same
path but served by ledger.apis, which may know customers (not the reverse).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from customers.filters import RANKED, CustomerFilter
from customers.models import Customer
from customers.serializers import (
    CustomerCreateSerializer,
    CustomerSerializer,
    CustomerUpdateSerializer,
)
from customers.services import customer_create, customer_update
from execora.api.resources import StableOrderingFilter
from execora.api.viewsets import ShopScopedGenericViewSet

TAGS = ["customers"]

CUSTOMER_EXAMPLE = {
    "id": 12,
    "name": "Ramesh Kumar",
    "phone": "9876543210",
    "aliases": ["Ramesh bhaiya", "रमेश"],
    "address": "Shop 4, Gandhi Chowk",
    "gstin": "",
    "state_code": "",
    "credit_limit": "5000.00",
    "preferred_language": "hi",
    "balance": "1250.00",
    "created_at": "2026-04-02T10:15:00+05:30",
    "updated_at": "2026-04-20T18:40:12+05:30",
}
CUSTOMER_RESPONSE = OpenApiExample("Customer", value=CUSTOMER_EXAMPLE, response_only=True)


@extend_schema_view(
    list=extend_schema(
        summary="List or search customers",
        tags=TAGS,
        description="Ordered by name; with `search`, best match first (phonetic: typos, "
        "Hinglish and Devanagari spellings meet). `ordering`: name, balance, created_at "
        "(prefix `-` for descending), e.g. `-balance` for who owes most.",
        examples=[CUSTOMER_RESPONSE],
    ),
    retrieve=extend_schema(summary="A customer", tags=TAGS, examples=[CUSTOMER_RESPONSE]),
)
class CustomerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ShopScopedGenericViewSet,
):
    """The shop's customers. A customer with a khata is never deleted: DELETE is 405."""

    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    filterset_class = CustomerFilter
    ordering_fields = ["name", "balance", "created_at"]
    # No default: the model's name order, or the search ranking, stands.
    ordering = None
    # PUT would mean "replace", and the balance cannot be replaced; PATCH changes fields.
    http_method_names = ["get", "post", "patch", "head", "options"]
    # Any id-looking segment reaches the view, so a malformed id is our JSON 404.
    lookup_value_regex = "[^/]+"
    parser_classes = [JSONParser]  # the books take JSON only: forms cannot say null or []

    def paginate_queryset(self, queryset: QuerySet) -> list | None:
        ranked = getattr(self.request, RANKED, None)
        if ranked is not None and not self.request.query_params.get("ordering"):
            # Best match first: CustomerFilter's ranking (at most 100), paged as it is.
            return super().paginate_queryset(ranked)
        return super().paginate_queryset(queryset)

    @extend_schema(
        summary="Add a customer",
        tags=TAGS,
        description="The phone is normalised to 10 digits and must be unique in the shop; "
        "a GSTIN is checked (check digit included). The balance starts at zero: set what "
        "they already owed with `POST customers/{id}/opening-balance/`.",
        request=CustomerCreateSerializer,
        responses={201: CustomerSerializer},
        examples=[
            OpenApiExample(
                "New customer",
                value={
                    "name": "Ramesh Kumar",
                    "phone": "+91 98765-43210",
                    "aliases": ["Ramesh bhaiya"],
                    "credit_limit": "5000.00",
                },
                request_only=True,
            ),
            CUSTOMER_RESPONSE,
        ],
    )
    def create(self, request: Request) -> Response:
        data = CustomerCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        customer = customer_create(business=self.business, user=request.user, **data.validated_data)
        return Response(CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a customer's details",
        tags=TAGS,
        description="Any subset of the fields. `balance` is refused (400): it moves only "
        "through khata entries.",
        request=CustomerUpdateSerializer,
        responses={200: CustomerSerializer},
        examples=[
            OpenApiExample(
                "New phone and limit",
                value={"phone": "9123456780", "credit_limit": "8000.00"},
                request_only=True,
            ),
            CUSTOMER_RESPONSE,
        ],
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        customer = self.get_object()
        data = CustomerUpdateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        customer = customer_update(
            business=self.business,
            customer_id=customer.pk,
            user=request.user,
            **data.validated_data,
        )
        return Response(CustomerSerializer(customer).data)
