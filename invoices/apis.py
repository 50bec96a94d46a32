"""`/api/v1/invoices/`: list, retrieve with lines, create (Idempotency-Key), cancel (owner only).

An issued invoice is never edited or deleted; a mistake is cancelled (stock
back, a reversing entry) and billed again.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

import django_filters
from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
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
from execora.api.schema import ERROR_RESPONSES
from execora.api.viewsets import ShopScopedGenericViewSet
from execora.exceptions import ApplicationError
from invoices.models import Invoice, InvoiceStatus
from invoices.selectors import daily_summary, gstr1_csv
from invoices.serializers import (
    InvoiceCancelSerializer,
    InvoiceCreateSerializer,
    InvoiceSerializer,
    InvoiceSummarySerializer,
)
from invoices.services import (
    InvoiceItemInput,
    document_link,
    document_read,
    invoice_cancel,
    invoice_create,
    invoice_document,
    invoice_send,
)
from ledger.services import shop_today
from reminders.serializers import WhatsAppMessageSerializer

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


# The file type is chosen by the Accept header; DRF's ?format= is not part of the API.
_NO_FORMAT = OpenApiParameter("format", exclude=True)


class _FileRenderer(JSONRenderer):
    """Lets a client ask for the file type (Accept: application/pdf); errors stay JSON."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes | str):
            return data
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"  # an error body is JSON, say so
        return super().render(data, "application/json", renderer_context)


class PdfRenderer(_FileRenderer):
    media_type = "application/pdf"
    format = "pdf"


class CsvRenderer(_FileRenderer):
    media_type = "text/csv"
    format = "csv"


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

    @extend_schema(
        summary="The invoice as a PDF",
        tags=TAGS,
        description="The GST tax invoice (a bill of supply for a shop without GSTIN), with a "
        "UPI QR for the amount due; a cancelled invoice is stamped CANCELLED. Rendered once "
        "and kept in storage. `?link=true` answers JSON with a link instead: a pre-signed "
        "S3 link that expires (`expires_in` seconds), or this endpoint's own path when files "
        "are local.",
        parameters=[
            OpenApiParameter("link", OpenApiTypes.BOOL, description="Answer a link as JSON."),
            _NO_FORMAT,
        ],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF"),
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, description="link"),
            400: ERROR_RESPONSES["400"],
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def pdf(self, request: Request, pk: str | None = None) -> HttpResponse:
        invoice = self.get_object()
        document = invoice_document(business=self.business, invoice_id=invoice.pk)
        want_link = request.query_params.get("link", "").lower()
        if want_link not in ("", "true", "false", "1", "0"):
            raise ValidationError({"link": ["Use true or false."]})
        if want_link in ("true", "1"):
            url = document_link(document)
            return Response(
                {
                    "url": url or request.build_absolute_uri(request.path),
                    "expires_in": settings.DOCUMENT_LINK_EXPIRY_SECONDS if url else None,
                    "filename": document.filename,
                    "size": document.size,
                    "sha256": document.sha256,
                }
            )
        response = HttpResponse(document_read(document), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{document.filename}"'
        response["Cache-Control"] = "private, max-age=300"
        response["ETag"] = f'"{document.sha256}"'
        return response

    @extend_schema(
        summary="Send the invoice PDF on WhatsApp",
        tags=TAGS,
        description="Queues the PDF as a WhatsApp document message to the invoice's customer "
        "(uploaded, or by a pre-signed link on S3); answers 202 with the message record, "
        "whose `status` moves from `pending` to `accepted` (or `failed`). A cash sale "
        "(`no_customer`) or a customer without a phone (`no_phone`) is refused. Send an "
        "`Idempotency-Key` so a retry never sends twice.",
        request=None,
        responses={202: WhatsAppMessageSerializer},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def send(self, request: Request, pk: str | None = None) -> Response:
        invoice = self.get_object()
        message = invoice_send(business=self.business, invoice_id=invoice.pk, user=request.user)
        return Response(WhatsAppMessageSerializer(message).data, status=status.HTTP_202_ACCEPTED)


def _date_param(request: Request, name: str, default: datetime.date | None) -> datetime.date:
    raw = request.query_params.get(name)
    if raw is None:
        if default is None:
            raise ValidationError({name: ["This parameter is required (YYYY-MM-DD)."]})
        return default
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({name: ["Use a date like 2026-04-21."]}) from None


DAILY_SUMMARY_EXAMPLE = {
    "date": "2026-04-21",
    "bills": 14,
    "cancelled": 1,
    "sales": "8420.00",
    "taxable": "7950.48",
    "gst": {"cgst": "234.76", "sgst": "234.76", "igst": "0.00", "total": "469.52"},
    "collections": {
        "cash": "5100.00",
        "upi": "2300.00",
        "card": "0.00",
        "bank": "0.00",
        "cheque": "0.00",
    },
    "collected": "7400.00",
    "new_dues": {"billed_on_credit": "1020.00", "udhaar": "500.00", "total": "1520.00"},
}


class ReportViewSet(ShopScopedGenericViewSet):
    """Reports of the shop's day and its GST return."""

    queryset = Invoice.objects.none()

    @extend_schema(
        summary="The day's summary",
        tags=["reports"],
        description="Bills (still issued) and their sales and GST, money received by mode "
        "(at the counter and into the khata), and new dues (the unpaid part of the day's "
        "bills and udhaar given), for `date` (default today in the shop).",
        parameters=[OpenApiParameter("date", OpenApiTypes.DATE)],
        responses={200: OpenApiTypes.OBJECT, 400: ERROR_RESPONSES["400"]},
        examples=[OpenApiExample("A day", value=DAILY_SUMMARY_EXAMPLE, response_only=True)],
    )
    @action(detail=False, methods=["get"], url_path="daily-summary")
    def daily_summary(self, request: Request) -> Response:
        day = _date_param(request, "date", shop_today(self.business))
        summary = daily_summary(business=self.business, day=day)
        return Response(
            {
                "date": day.isoformat(),
                "bills": summary.bills,
                "cancelled": summary.cancelled,
                "sales": str(summary.sales),
                "taxable": str(summary.taxable),
                "gst": {
                    "cgst": str(summary.cgst),
                    "sgst": str(summary.sgst),
                    "igst": str(summary.igst),
                    "total": str(summary.gst),
                },
                "collections": {mode: str(amount) for mode, amount in summary.collections.items()},
                "collected": str(summary.collected),
                "new_dues": {
                    "billed_on_credit": str(summary.billed_on_credit),
                    "udhaar": str(summary.udhaar),
                    "total": str(summary.new_dues),
                },
            }
        )

    @extend_schema(
        summary="GSTR-1 export (CSV)",
        tags=["reports"],
        description="Outward supplies between `from` and `to` (inclusive) for the "
        "accountant: B2B and B2CL invoice by invoice and rate, B2CS summed by place of "
        "supply and rate. Cancelled invoices are left out.",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True),
            _NO_FORMAT,
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV"),
            400: ERROR_RESPONSES["400"],
        },
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="gstr1",
        renderer_classes=[JSONRenderer, CsvRenderer],
    )
    def gstr1(self, request: Request) -> HttpResponse:
        date_from = _date_param(request, "from", None)
        date_to = _date_param(request, "to", None)
        if date_to < date_from:
            raise ValidationError({"to": ["Must not be before `from`."]})
        if (date_to - date_from).days > 366:
            raise ValidationError({"to": ["At most one year at a time."]})
        text = gstr1_csv(business=self.business, date_from=date_from, date_to=date_to)
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
        name = f"GSTR1-{self.business.gstin or self.business.pk}-{date_from}-{date_to}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
