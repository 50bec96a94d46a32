"""The books over HTTP: `payments`, `ledger-entries`, and each customer's khata.

- `payments`: list, retrieve, create (payment_record), Idempotency-Key on create.
- `ledger-entries`: read-only journal entries with their lines; `reverse` (owner only).
- `customers/{id}/ledger/` (statement), `customers/{id}/credit/` (udhaar without an
  invoice), `customers/{id}/opening-balance/`: served here because ledger knows
  customers and customers must not know ledger.
"""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch, QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from customers.models import Customer
from execora.api.idempotency import idempotent
from execora.api.pagination import CursorPagination
from execora.api.resources import (
    IdFilter,
    IsoDateFilter,
    StableOrderingFilter,
    StrictFilterForm,
    fields_renamed,
)
from execora.api.viewsets import ShopScopedGenericViewSet
from ledger.models import JournalEntry, JournalLine, Payment, PaymentMode
from ledger.selectors import customer_statement
from ledger.serializers import (
    CreditSerializer,
    EntryReverseSerializer,
    JournalEntrySerializer,
    KhataPostingSerializer,
    OpeningBalanceSerializer,
    PaymentCreateSerializer,
    PaymentSerializer,
    StatementQuerySerializer,
    StatementSerializer,
)
from ledger.services import credit_add, entry_reverse, opening_balance_set, payment_record

# --- examples ------------------------------------------------------------------------

CREDIT_ENTRY_EXAMPLE = {
    "id": 4410,
    "date": "2026-04-21",
    "source_type": "credit",
    "source_id": 12,
    "reference": "",
    "memo": "2 kg sugar, 1 l oil",
    "reverses": None,
    "reversed_by": None,
    "created_by": 7,
    "created_at": "2026-04-21T11:02:09+05:30",
    "lines": [
        {
            "id": 9120,
            "account": "receivables",
            "account_name": "Receivables (khata)",
            "customer": 12,
            "debit": "250.00",
            "credit": "0.00",
            "memo": "",
        },
        {
            "id": 9121,
            "account": "unbilled_sales",
            "account_name": "Khata credit (unbilled)",
            "customer": None,
            "debit": "0.00",
            "credit": "250.00",
            "memo": "",
        },
    ],
}
PAYMENT_EXAMPLE = {
    "id": 88,
    "customer": 12,
    "customer_name": "Ramesh Kumar",
    "amount": "500.00",
    "mode": "upi",
    "reference": "UPI 4312 9981 2231",
    "received_at": "2026-04-21T18:30:00+05:30",
    "note": "",
    "journal_entry": 4415,
    "reversed": False,
    "created_by": 7,
    "created_at": "2026-04-21T18:30:02+05:30",
}
ENTRY_RESPONSE = OpenApiExample("Udhaar entry", value=CREDIT_ENTRY_EXAMPLE, response_only=True)
PAYMENT_RESPONSE = OpenApiExample("Payment", value=PAYMENT_EXAMPLE, response_only=True)


def _posting(entry: JournalEntry, customer_id: int) -> dict:
    balance = Customer.objects.filter(pk=customer_id).values_list("balance", flat=True).get()
    return KhataPostingSerializer({"entry": entry, "balance": balance}).data


def _entries() -> QuerySet[JournalEntry]:
    lines = JournalLine.objects.select_related("account").order_by("pk")
    return JournalEntry.objects.select_related("reversed_by").prefetch_related(
        Prefetch("lines", queryset=lines)
    )


# --- payments --------------------------------------------------------------------------


class PaymentFilter(django_filters.FilterSet):
    customer = IdFilter(field_name="customer_id", help_text="A customer's id.")
    mode = django_filters.ChoiceFilter(choices=PaymentMode.choices)
    # The entry's date is the payment's day in the shop's time zone.
    date_from = IsoDateFilter(
        field_name="journal_entry__date",
        lookup_expr="gte",
        help_text="Paid on or after (shop day).",
    )
    date_to = IsoDateFilter(
        field_name="journal_entry__date", lookup_expr="lte", help_text="Paid on or before."
    )

    class Meta:
        model = Payment
        fields = ["customer", "mode", "date_from", "date_to"]
        form = StrictFilterForm


@extend_schema_view(
    list=extend_schema(
        summary="List payments",
        tags=["payments"],
        description="Newest first. `ordering`: received_at, amount (prefix `-` for descending).",
        examples=[PAYMENT_RESPONSE],
    ),
    retrieve=extend_schema(summary="A payment", tags=["payments"], examples=[PAYMENT_RESPONSE]),
)
class PaymentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ShopScopedGenericViewSet,
):
    """Money customers paid into their khata. A mistake is corrected by reversing the
    payment's journal entry (`POST ledger-entries/{journal_entry}/reverse/`)."""

    queryset = Payment.objects.select_related("customer", "journal_entry__reversed_by")
    serializer_class = PaymentSerializer
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    filterset_class = PaymentFilter
    ordering_fields = ["received_at", "amount"]
    ordering = None  # the model's newest first
    lookup_value_regex = "[^/]+"
    parser_classes = [JSONParser]  # the books take JSON only: forms cannot say null or []

    @extend_schema(
        summary="Record a payment",
        tags=["payments"],
        description="Dr cash (or bank for upi, card, bank, cheque), Cr the customer's khata. "
        "Paying more than is owed leaves an advance (a negative balance). Send an "
        "`Idempotency-Key` so a retry never records it twice.",
        request=PaymentCreateSerializer,
        responses={201: PaymentSerializer},
        examples=[
            OpenApiExample(
                "UPI payment",
                value={
                    "customer": 12,
                    "amount": "500.00",
                    "mode": "upi",
                    "reference": "UPI 4312 9981 2231",
                },
                request_only=True,
            ),
            PAYMENT_RESPONSE,
        ],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = PaymentCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        customer = values.pop("customer")
        with fields_renamed({"customer_id": "customer"}):
            payment = payment_record(
                business=self.business, customer_id=customer.pk, user=request.user, **values
            )
        payment = self.get_queryset().get(pk=payment.pk)
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


# --- journal entries ------------------------------------------------------------------


class JournalEntryFilter(django_filters.FilterSet):
    customer = IdFilter(
        method="filter_customer", help_text="Entries with a line on this customer's khata."
    )
    date_from = IsoDateFilter(field_name="date", lookup_expr="gte")
    date_to = IsoDateFilter(field_name="date", lookup_expr="lte")
    source_type = django_filters.MultipleChoiceFilter(
        choices=JournalEntry.SourceType.choices,
        help_text="One or more (repeat the parameter).",
    )

    class Meta:
        model = JournalEntry
        fields = ["customer", "date_from", "date_to", "source_type"]
        form = StrictFilterForm

    def filter_customer(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        # A subquery rather than a join, so an entry with two lines is listed once.
        entries = JournalLine.objects.filter(customer_id=value).values("entry_id")
        return queryset.filter(pk__in=entries)


@extend_schema_view(
    list=extend_schema(
        summary="List journal entries",
        tags=["ledger"],
        description="Newest first, in cursor pages (follow `next`). Entries are never "
        "changed or deleted; a correction is a reversing entry.",
        examples=[ENTRY_RESPONSE],
    ),
    retrieve=extend_schema(
        summary="A journal entry and its lines", tags=["ledger"], examples=[ENTRY_RESPONSE]
    ),
)
class JournalEntryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ShopScopedGenericViewSet,
):
    """The shop's double-entry journal: every invoice, payment, udhaar and correction."""

    queryset = _entries()
    serializer_class = JournalEntrySerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = JournalEntryFilter
    pagination_class = CursorPagination
    lookup_value_regex = "[^/]+"
    parser_classes = [JSONParser]  # the books take JSON only: forms cannot say null or []

    @extend_schema(
        summary="Reverse an entry (owner only)",
        tags=["ledger"],
        description="Posts the mirror image of a payment, udhaar or opening-balance entry, "
        "dated today: the customer's balance returns to what it was. Invoice entries are "
        "refused (`use_invoice_cancel`: cancel the invoice, which restores stock too), "
        "as are reversals and entries already reversed. Staff get 403.",
        request=EntryReverseSerializer,
        responses={201: JournalEntrySerializer},
        examples=[
            OpenApiExample(
                "Wrong amount",
                value={"reason": "Entered 2500 instead of 250"},
                request_only=True,
            ),
            OpenApiExample(
                "Reversal",
                value={
                    **CREDIT_ENTRY_EXAMPLE,
                    "id": 4420,
                    "source_type": "reversal",
                    "memo": "Entered 2500 instead of 250",
                    "reverses": 4410,
                    "lines": [
                        {**CREDIT_ENTRY_EXAMPLE["lines"][0], "debit": "0.00", "credit": "250.00"},
                        {**CREDIT_ENTRY_EXAMPLE["lines"][1], "debit": "250.00", "credit": "0.00"},
                    ],
                },
                response_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, pk: str | None = None) -> Response:
        entry = self.get_object()
        data = EntryReverseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with fields_renamed({"entry_id": None}):
            reversal = entry_reverse(
                business=self.business,
                entry_id=entry.pk,
                user=request.user,
                reason=data.validated_data["reason"],
            )
        reversal = self.get_queryset().get(pk=reversal.pk)
        return Response(JournalEntrySerializer(reversal).data, status=status.HTTP_201_CREATED)


# --- a customer's khata ---------------------------------------------------------------

_KHATA_TAGS = ["customers"]
_KHATA_FIELDS = {"customer_id": None}


class CustomerKhataViewSet(ShopScopedGenericViewSet):
    """`customers/{id}/ledger/`, `credit/` and `opening-balance/` (see the module docstring)."""

    queryset = Customer.objects.all()
    serializer_class = StatementSerializer
    filter_backends: list = []
    pagination_class = None
    lookup_value_regex = "[^/]+"
    parser_classes = [JSONParser]  # the books take JSON only: forms cannot say null or []

    @extend_schema(
        summary="A customer's khata statement",
        tags=_KHATA_TAGS,
        description="Every khata row between two dates (inclusive; both optional): the "
        "opening balance before date_from, each row's debit (owed more) or credit (paid), "
        "the running balance after it, and the closing balance.",
        parameters=[StatementQuerySerializer],
        responses={200: StatementSerializer},
        examples=[
            OpenApiExample(
                "Statement",
                value={
                    "customer": {"id": 12, "name": "Ramesh Kumar"},
                    "date_from": "2026-04-01",
                    "date_to": "2026-04-30",
                    "opening_balance": "1000.00",
                    "rows": [
                        {
                            "date": "2026-04-05",
                            "entry_id": 4380,
                            "source_type": "invoice",
                            "reference": "INV/26-27/0007",
                            "memo": "Invoice INV/26-27/0007",
                            "debit": "750.00",
                            "credit": "0.00",
                            "balance": "1750.00",
                        },
                        {
                            "date": "2026-04-21",
                            "entry_id": 4415,
                            "source_type": "payment",
                            "reference": "UPI 4312 9981 2231",
                            "memo": "Payment (upi)",
                            "debit": "0.00",
                            "credit": "500.00",
                            "balance": "1250.00",
                        },
                    ],
                    "closing_balance": "1250.00",
                },
                response_only=True,
            )
        ],
    )
    @action(detail=True, methods=["get"])
    def ledger(self, request: Request, pk: str | None = None) -> Response:
        customer = self.get_object()
        query = StatementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        with fields_renamed(_KHATA_FIELDS):
            statement = customer_statement(
                business=self.business, customer_id=customer.pk, **query.validated_data
            )
        return Response(StatementSerializer(statement).data)

    @extend_schema(
        summary="Give udhaar (credit) without an invoice",
        tags=_KHATA_TAGS,
        description="Dr the customer's khata, Cr khata credit (unbilled), dated today. "
        "Refused past the customer's credit limit (`credit_limit_exceeded`). Send an "
        "`Idempotency-Key` so a retry never charges twice. Undo: reverse the entry.",
        request=CreditSerializer,
        responses={201: KhataPostingSerializer},
        examples=[
            OpenApiExample(
                "Udhaar",
                value={"amount": "250.00", "note": "2 kg sugar, 1 l oil"},
                request_only=True,
            ),
            OpenApiExample(
                "Posted",
                value={"entry": CREDIT_ENTRY_EXAMPLE, "balance": "1500.00"},
                response_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def credit(self, request: Request, pk: str | None = None) -> Response:
        customer = self.get_object()
        data = CreditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with fields_renamed(_KHATA_FIELDS):
            entry = credit_add(
                business=self.business,
                customer_id=customer.pk,
                user=request.user,
                **data.validated_data,
            )
        return Response(_posting(entry, customer.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Set what a customer owed before Execora",
        tags=_KHATA_TAGS,
        description="Positive: they owed the shop; negative: an advance they had paid. "
        "Refused while an opening balance stands (`opening_balance_exists`): reverse "
        "that entry first to correct it.",
        request=OpeningBalanceSerializer,
        responses={201: KhataPostingSerializer},
        examples=[
            OpenApiExample("Owed 1000", value={"amount": "1000.00"}, request_only=True),
            OpenApiExample(
                "Posted",
                value={
                    "entry": {
                        **CREDIT_ENTRY_EXAMPLE,
                        "source_type": "opening_balance",
                        "memo": "Opening balance",
                    },
                    "balance": "1000.00",
                },
                response_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"], url_path="opening-balance")
    @idempotent
    def opening_balance(self, request: Request, pk: str | None = None) -> Response:
        customer = self.get_object()
        data = OpeningBalanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with fields_renamed(_KHATA_FIELDS):
            entry = opening_balance_set(
                business=self.business,
                customer_id=customer.pk,
                user=request.user,
                amount=data.validated_data["amount"],
            )
        return Response(_posting(entry, customer.pk), status=status.HTTP_201_CREATED)
