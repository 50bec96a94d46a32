"""`/api/v1/invoices/`: list, retrieve with lines, create (Idempotency-Key), cancel (owner only).

An issued invoice is never edited or deleted; a mistake is cancelled (stock
back, a reversing entry) and billed again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import django_filters
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from execora.api.idempotency import idempotent
from execora.api.resources import (
    IdFilter,
    IsoDateFilter,
    StableOrderingFilter,
    StrictFilterForm,
    fields_renamed,
)
from execora.api.viewsets import ShopScopedGenericViewSet
from execora.exceptions import ApplicationError
from invoices.models import Invoice, InvoiceStatus
from invoices.serializers import (
    InvoiceCancelSerializer,
    InvoiceCreateSerializer,
    InvoiceSerializer,
    InvoiceSummarySerializer,
)
from invoices.services import InvoiceItemInput, invoice_cancel, invoice_create

TAGS = ["invoices"]
# The services name their arguments; the API names its body fields.
_API_FIELDS = {"customer_id": "customer", "product_id": "product", "invoice_id": None}

_ITEM_EXAMPLE = {
    "line_no": 1,
    "product": 31,
    "description": "Sugar",
    "hsn_code": "1701",
    "quantity": "2.000",
    "unit": "kg",
    "unit_price": "46.00",
    "price_includes_tax": True,
    "discount": "0.00",
    "gst_rate": "5.00",
    "taxable_value": "87.62",
    "cgst": "2.19",
    "sgst": "2.19",
    "igst": "0.00",
    "line_total": "92.00",
}
INVOICE_EXAMPLE = {
    "id": 502,
    "number": "INV/26-27/0042",
    "invoice_date": "2026-04-21",
    "status": "issued",
    "customer": 12,
    "customer_name": "Ramesh Kumar",
    "place_of_supply": "27",
    "is_interstate": False,
    "subtotal": "87.62",
    "discount_total": "0.00",
    "taxable_total": "87.62",
    "cgst_total": "2.19",
    "sgst_total": "2.19",
    "igst_total": "0.00",
    "tax_total": "4.38",
    "round_off": "0.00",
    "grand_total": "92.00",
    "amount_paid": "50.00",
    "payment_mode": "cash",
    "amount_due": "42.00",
    "notes": "",
    "journal_entry": 4380,
    "cancel_entry": None,
    "cancelled_at": None,
    "cancel_reason": "",
    "created_by": 7,
    "created_at": "2026-04-21T10:02:11+05:30",
}
INVOICE_RESPONSE = OpenApiExample(
    "Invoice", value={**INVOICE_EXAMPLE, "items": [_ITEM_EXAMPLE]}, response_only=True
)


@contextmanager
def _stock_refusal_on_its_line(items: list[InvoiceItemInput]) -> Iterator[None]:
    """Point "not enough stock" at the first line of that product ("items.1.quantity")."""
    try:
        yield
    except ApplicationError as exc:
        product_id = exc.extra.get("product_id")
        if exc.code == "insufficient_stock" and product_id is not None:
            lines = [i for i, item in enumerate(items) if item.product_id == product_id]
            if lines:
                exc.field = f"items.{lines[0]}.quantity"
        raise


class InvoiceFilter(django_filters.FilterSet):
    customer = IdFilter(field_name="customer_id", help_text="A customer's id.")
    status = django_filters.ChoiceFilter(choices=InvoiceStatus.choices)
    date_from = IsoDateFilter(
        field_name="invoice_date", lookup_expr="gte", help_text="Dated on or after."
    )
    date_to = IsoDateFilter(
        field_name="invoice_date", lookup_expr="lte", help_text="Dated on or before."
    )
    number = django_filters.CharFilter(max_length=16, help_text="Exact, e.g. INV/26-27/0042.")

    class Meta:
        model = Invoice
        fields = ["customer", "status", "date_from", "date_to", "number"]
        form = StrictFilterForm


@extend_schema_view(
    list=extend_schema(
        summary="List invoices",
        tags=TAGS,
        description="Newest first, without their lines. `ordering`: invoice_date, "
        "grand_total, amount_due, created_at (prefix `-` for descending).",
        examples=[OpenApiExample("Invoice", value=INVOICE_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="An invoice with its lines", tags=TAGS, examples=[INVOICE_RESPONSE]
    ),
)
class InvoiceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ShopScopedGenericViewSet,
):
    """GST invoices of the shop."""

    queryset = Invoice.objects.select_related("customer")
    serializer_class = InvoiceSerializer
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    filterset_class = InvoiceFilter
    ordering_fields = ["invoice_date", "grand_total", "amount_due", "created_at"]
    ordering = None  # the model's newest first
    lookup_value_regex = "[^/]+"
    parser_classes = [JSONParser]  # the books take JSON only: forms cannot say null or []

    def get_queryset(self) -> QuerySet[Invoice]:
        queryset = super().get_queryset()
        if self.action != "list":
            queryset = queryset.prefetch_related("items")
        return queryset

    def get_serializer_class(self) -> type:
        return InvoiceSummarySerializer if self.action == "list" else InvoiceSerializer

    @extend_schema(
        summary="Issue an invoice",
        tags=TAGS,
        description="Prices the lines (GST inside MRP by default; IGST for a buyer from "
        "another state), rounds the total to the rupee, takes the stock out and posts the "
        "entry, all or nothing. `amount_paid` is what was paid at the counter; the rest "
        "goes on the customer's khata (a walk-in sale must pay in full). Refusals: "
        "`insufficient_stock`, `credit_limit_exceeded`, `walk_in_must_pay`, `overpaid`, "
        "`discount_too_large`, `unit_mismatch`, `future_date`. Send an `Idempotency-Key` "
        "so a retry never bills twice.",
        request=InvoiceCreateSerializer,
        responses={201: InvoiceSerializer},
        examples=[
            OpenApiExample(
                "Part paid, rest on khata",
                value={
                    "customer": 12,
                    "items": [
                        {"product": 31, "quantity": "2"},
                        {"product": 40, "quantity": "3", "discount": "2.00"},
                        {"description": "Carry bag", "quantity": "1", "unit_price": "5.00"},
                    ],
                    "amount_paid": "50.00",
                    "payment_mode": "cash",
                },
                request_only=True,
            ),
            INVOICE_RESPONSE,
        ],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = InvoiceCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = data.validated_data
        items = [
            InvoiceItemInput(
                product_id=line.get("product"),
                **{key: value for key, value in line.items() if key != "product"},
            )
            for line in values["items"]
        ]
        customer = values.get("customer")
        with fields_renamed(_API_FIELDS), _stock_refusal_on_its_line(items):
            invoice = invoice_create(
                business=self.business,
                items=items,
                customer_id=customer.pk if customer is not None else None,
                amount_paid=values["amount_paid"],
                payment_mode=values["payment_mode"],
                invoice_date=values.get("invoice_date"),
                notes=values["notes"],
                user=request.user,
            )
        return Response(
            InvoiceSerializer(invoice).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path}{invoice.pk}/"},
        )

    @extend_schema(
        summary="Cancel an invoice (owner only)",
        tags=TAGS,
        description="Puts the stock back and posts the mirror of the invoice's entry, dated "
        "today; the invoice keeps its number. A second cancel is refused "
        "(`already_cancelled`). Staff get 403.",
        request=InvoiceCancelSerializer,
        responses={200: InvoiceSerializer},
        examples=[
            OpenApiExample(
                "Wrong customer", value={"reason": "Billed to the wrong Ramesh"}, request_only=True
            ),
            OpenApiExample(
                "Cancelled",
                value={
                    **INVOICE_EXAMPLE,
                    "status": "cancelled",
                    "cancel_entry": 4390,
                    "cancelled_at": "2026-04-21T12:00:00+05:30",
                    "cancel_reason": "Billed to the wrong Ramesh",
                    "items": [_ITEM_EXAMPLE],
                },
                response_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        invoice = self.get_object()
        data = InvoiceCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with fields_renamed(_API_FIELDS):
            invoice = invoice_cancel(
                business=self.business,
                invoice_id=invoice.pk,
                user=request.user,
                reason=data.validated_data["reason"],
            )
        return Response(InvoiceSerializer(self.get_queryset().get(pk=invoice.pk)).data)
