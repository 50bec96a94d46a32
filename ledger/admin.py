"""The books in the back office: read-only history, changed only through ledger.services.

Journal entries and lines, payments and accounts are shown, never added,
changed or deleted here (they are append-only history). A correction is
an operation that calls a service: "Reverse" posts the mirror entry.
This module also gives the customer page its khata and its money
operations (record payment, udhaar, opening balance), since the ledger is
what knows customers' accounts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from customers.admin import CustomerAdmin
from customers.models import Customer
from execora.admin_forms import BooksAdmin, Operation, OperationsAdminMixin, inr
from execora.admin_scoping import ReadOnlyAdminMixin, ShopScopedInline
from execora.exceptions import ApplicationError
from execora.money import MONEY_DIGITS, ZERO
from ledger.models import Account, AccountKey, JournalEntry, JournalLine, Payment, PaymentMode
from ledger.selectors import customer_statement
from ledger.services import credit_add, entry_reverse, opening_balance_set, payment_record

# The customer page shows this many of the latest khata rows (the full list is a link away).
KHATA_ROWS = 100
_MONEY = DecimalField(**MONEY_DIGITS)
_NOT_REVERSIBLE = {
    JournalEntry.SourceType.INVOICE,
    JournalEntry.SourceType.INVOICE_CANCEL,
    JournalEntry.SourceType.REVERSAL,
}


def _amount_field(**kwargs: Any) -> forms.DecimalField:
    kwargs.setdefault("min_value", Decimal("0.01"))
    return forms.DecimalField(max_digits=MONEY_DIGITS["max_digits"], decimal_places=2, **kwargs)


def _is_reversed(entry: JournalEntry) -> bool:
    try:
        return entry.reversed_by is not None
    except JournalEntry.reversed_by.RelatedObjectDoesNotExist:
        return False


def _entry_link(entry_id: int | None) -> str:
    if entry_id is None:
        return ""
    url = reverse("admin:ledger_journalentry_change", args=[entry_id])
    return format_html('<a href="{}">#{}</a>', url, entry_id)


# --- forms ------------------------------------------------------------------------------


class PaymentForm(forms.Form):
    amount = _amount_field(help_text="Rupees received, e.g. 500 or 499.50.")
    mode = forms.ChoiceField(choices=PaymentMode.choices, initial=PaymentMode.CASH)
    reference = forms.CharField(
        required=False, max_length=64, help_text="UPI reference, cheque number…"
    )
    note = forms.CharField(required=False, max_length=255)


class UdhaarForm(forms.Form):
    amount = _amount_field(help_text="Rupees given on credit (udhaar), without a bill.")
    note = forms.CharField(required=False, max_length=255, help_text="What it was for.")


class OpeningBalanceForm(forms.Form):
    amount = forms.DecimalField(
        max_digits=MONEY_DIGITS["max_digits"],
        decimal_places=2,
        help_text="What the customer owed before Execora; negative for an advance they had paid.",
    )


# --- customers: the khata and its operations ----------------------------------------------


admin.site.unregister(Customer)


@admin.register(Customer)
class CustomerKhataAdmin(OperationsAdminMixin, CustomerAdmin):
    operations = (
        Operation(
            name="record_payment",
            label="Record payment",
            form_class=PaymentForm,
            needs_change_permission=True,
            one_at_a_time=True,
            intro="Money the customer paid towards their khata.",
        ),
        Operation(
            name="add_udhaar",
            label="Add udhaar",
            form_class=UdhaarForm,
            needs_change_permission=True,
            one_at_a_time=True,
            intro="Credit given without a bill. The customer's credit limit applies.",
        ),
        Operation(
            name="set_opening_balance",
            label="Set opening balance",
            form_class=OpeningBalanceForm,
            needs_change_permission=True,
            one_at_a_time=True,
            intro="The balance carried over from the old khata book. Set once; to correct "
            "it, reverse its journal entry first.",
        ),
    )

    def get_fieldsets(self, request: HttpRequest, obj: Customer | None = None) -> list:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [*fieldsets, ("Khata (running ledger)", {"fields": ["khata"]})]

    def get_readonly_fields(self, request: HttpRequest, obj: Customer | None = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "khata"] if obj is not None else readonly

    @admin.display(description="khata")
    def khata(self, customer: Customer) -> str:
        """The customer's receivables lines with a running balance; every value escaped."""
        statement = customer_statement(business=customer.business, customer_id=customer.pk)
        rows = statement.rows[-KHATA_ROWS:]
        if not rows:
            return "No entries yet."
        earlier = len(statement.rows) - len(rows)
        carried = rows[0].balance - rows[0].debit + rows[0].credit
        lines_url = (
            reverse("admin:ledger_journalline_changelist") + f"?customer__id__exact={customer.pk}"
        )
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
            '<td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>',
            (
                (
                    row.date.isoformat(),
                    _entry_link(row.entry_id),
                    JournalEntry.SourceType(row.source_type).label,
                    row.reference,
                    row.memo,
                    inr(row.debit) if row.debit else "",
                    inr(row.credit) if row.credit else "",
                    inr(row.balance),
                )
                for row in rows
            ),
        )
        earlier_row = (
            format_html(
                '<tr><td colspan="7">{} earlier entries (<a href="{}">all lines</a>)</td>'
                '<td class="num">{}</td></tr>',
                earlier,
                lines_url,
                inr(carried),
            )
            if earlier
            else ""
        )
        return format_html(
            '<table class="khata"><thead><tr><th>Date</th><th>Entry</th><th>Type</th>'
            "<th>Reference</th><th>Memo</th><th>Debit (udhaar)</th><th>Credit (jama)</th>"
            "<th>Balance</th></tr></thead><tbody>{}{}</tbody>"
            '<tfoot><tr><th colspan="7">Closing balance</th><th class="num">{}</th></tr>'
            "</tfoot></table>",
            earlier_row,
            body,
            inr(statement.closing_balance),
        )

    def _balance_now(self, customer: Customer) -> str:
        return inr(Customer.objects.values_list("balance", flat=True).get(pk=customer.pk))

    def perform_record_payment(self, request: HttpRequest, customer: Customer, data: dict) -> str:
        payment = payment_record(
            business=customer.business,
            customer_id=customer.pk,
            amount=data["amount"],
            mode=data["mode"],
            reference=data["reference"],
            note=data["note"],
            user=request.user,
        )
        return (
            f"Recorded {inr(payment.amount)} ({payment.get_mode_display()}) from "
            f"{customer.name}; balance now {self._balance_now(customer)}."
        )

    def perform_add_udhaar(self, request: HttpRequest, customer: Customer, data: dict) -> str:
        credit_add(
            business=customer.business,
            customer_id=customer.pk,
            amount=data["amount"],
            note=data["note"],
            user=request.user,
        )
        return (
            f"Added {inr(data['amount'])} udhaar for {customer.name}; "
            f"balance now {self._balance_now(customer)}."
        )

    def perform_set_opening_balance(
        self, request: HttpRequest, customer: Customer, data: dict
    ) -> str:
        opening_balance_set(
            business=customer.business,
            customer_id=customer.pk,
            amount=data["amount"],
            user=request.user,
        )
        return (
            f"Opening balance of {inr(data['amount'])} set for {customer.name}; "
            f"balance now {self._balance_now(customer)}."
        )


# --- the books: read-only ---------------------------------------------------------------


class _ReverseEntryMixin:
    """`entry_reverse` behind an owner-only operation, with the refusals spelled out."""

    def reverse_entry(self, request: HttpRequest, entry: JournalEntry, reason: str) -> str:
        try:
            reversal = entry_reverse(
                business=entry.business, entry_id=entry.pk, user=request.user, reason=reason
            )
        except ApplicationError as exc:
            if exc.code == "use_invoice_cancel":
                raise ApplicationError(
                    f"entry #{entry.pk} belongs to invoice {entry.reference}: "
                    "cancel the invoice instead (that also puts its stock back).",
                    code=exc.code,
                    message_hi=exc.message_hi,
                ) from exc
            raise
        return f"Entry #{entry.pk} reversed by entry #{reversal.pk} dated {reversal.date}."


class AccountFilter(admin.SimpleListFilter):
    title = "account"
    parameter_name = "account"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(AccountKey.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        return queryset.filter(account__key=self.value()) if self.value() else queryset


class JournalLineInline(ReadOnlyAdminMixin, ShopScopedInline):
    model = JournalLine
    fields = ["account", "customer", "debit", "credit", "memo"]
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("account", "customer")


def _reversible(entry: JournalEntry) -> bool:
    return entry.source_type not in _NOT_REVERSIBLE and not _is_reversed(entry)


@admin.register(JournalEntry)
class JournalEntryAdmin(_ReverseEntryMixin, ReadOnlyAdminMixin, OperationsAdminMixin, BooksAdmin):
    list_display = [
        "__str__",
        "date",
        "source_type",
        "reference",
        "memo",
        "total_display",
        "reversal",
    ]
    list_display_links = ["__str__"]
    list_filter = ["source_type", "date"]
    search_fields = ["reference", "memo", "lines__customer__name", "lines__customer__phone"]
    date_hierarchy = "date"
    ordering = ["-date", "-pk"]
    list_select_related = ["reverses", "reversed_by"]
    fields = [
        "business",
        "date",
        "source_type",
        "source_id",
        "reference",
        "memo",
        "reverses",
        "reversed_by_link",
        "created_by",
        "created_at",
    ]
    readonly_fields = ["reversed_by_link", "created_at"]
    inlines = [JournalLineInline]
    operations = (
        Operation(
            name="reverse_entries",
            label="Reverse selected entries",
            button_label="Reverse entry",
            owner_only=True,
            applies_to=_reversible,
            intro="Each entry gets a mirror entry dated today; the original stays in the books. "
            "Invoice entries are corrected by cancelling the invoice.",
            submit_label="Reverse",
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(total=Coalesce(Sum("lines__debit"), Value(ZERO), output_field=_MONEY))
        )

    @admin.display(description="total", ordering="total")
    def total_display(self, entry: JournalEntry) -> str:
        return inr(entry.total)

    @admin.display(description="reversal")
    def reversal(self, entry: JournalEntry) -> str:
        if entry.reverses_id is not None:
            return format_html("reverses {}", _entry_link(entry.reverses_id))
        if _is_reversed(entry):
            return format_html("reversed by {}", _entry_link(entry.reversed_by.pk))
        return ""

    @admin.display(description="reversed by")
    def reversed_by_link(self, entry: JournalEntry) -> str:
        return _entry_link(entry.reversed_by.pk) if _is_reversed(entry) else "—"

    def perform_reverse_entries(self, request: HttpRequest, entry: JournalEntry, data: dict) -> str:
        return self.reverse_entry(request, entry, data["reason"])


@admin.register(JournalLine)
class JournalLineAdmin(ReadOnlyAdminMixin, BooksAdmin):
    list_display = [
        "entry_date",
        "entry_link",
        "account",
        "customer",
        "debit_display",
        "credit_display",
        "memo",
    ]
    list_display_links = None
    list_filter = [AccountFilter, "entry__source_type"]
    search_fields = ["customer__name", "customer__phone", "entry__reference", "memo"]
    date_hierarchy = "entry__date"
    ordering = ["-entry__date", "-entry_id", "-pk"]
    list_select_related = ["entry", "account", "customer"]

    @admin.display(description="date", ordering="entry__date")
    def entry_date(self, line: JournalLine) -> str:
        return line.entry.date.isoformat()

    @admin.display(description="entry", ordering="entry_id")
    def entry_link(self, line: JournalLine) -> str:
        return _entry_link(line.entry_id)

    @admin.display(description="debit", ordering="debit")
    def debit_display(self, line: JournalLine) -> str:
        return inr(line.debit) if line.debit else ""

    @admin.display(description="credit", ordering="credit")
    def credit_display(self, line: JournalLine) -> str:
        return inr(line.credit) if line.credit else ""


@admin.register(Payment)
class PaymentAdmin(_ReverseEntryMixin, ReadOnlyAdminMixin, OperationsAdminMixin, BooksAdmin):
    list_display = [
        "received_at",
        "customer",
        "amount_display",
        "mode",
        "reference",
        "reversed",
    ]
    list_display_links = ["received_at"]
    list_filter = ["mode", "received_at"]
    search_fields = ["customer__name", "customer__phone", "reference", "note"]
    date_hierarchy = "received_at"
    ordering = ["-received_at", "-pk"]
    list_select_related = ["customer", "journal_entry__reversed_by"]
    operations = (
        Operation(
            name="reverse_payments",
            label="Reverse selected payments",
            button_label="Reverse payment",
            owner_only=True,
            applies_to=lambda payment: not _is_reversed(payment.journal_entry),
            intro="For a payment recorded by mistake: its journal entry gets a mirror entry "
            "dated today, and the customer's balance goes back up.",
            submit_label="Reverse",
        ),
    )

    @admin.display(description="amount", ordering="amount")
    def amount_display(self, payment: Payment) -> str:
        return inr(payment.amount)

    @admin.display(description="reversed", boolean=True)
    def reversed(self, payment: Payment) -> bool:
        return _is_reversed(payment.journal_entry)

    def perform_reverse_payments(self, request: HttpRequest, payment: Payment, data: dict) -> str:
        return self.reverse_entry(request, payment.journal_entry, data["reason"])


@admin.register(Account)
class AccountAdmin(ReadOnlyAdminMixin, BooksAdmin):
    list_display = ["name", "key", "type", "balance_display"]
    list_filter = ["type"]
    search_fields = ["name", "key"]
    ordering = ["business", "pk"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        zero = Value(ZERO)
        return (
            super()
            .get_queryset(request)
            .annotate(
                debit_total=Coalesce(Sum("lines__debit"), zero, output_field=_MONEY),
                credit_total=Coalesce(Sum("lines__credit"), zero, output_field=_MONEY),
            )
        )

    @admin.display(description="balance (debit − credit)")
    def balance_display(self, account: Account) -> str:
        return inr(account.debit_total - account.credit_total)
