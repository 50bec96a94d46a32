"""The double-entry books of a shop: chart of accounts, journal entries and lines, payments.

See docs/books.md. Entries, lines and payments are append-only history; a
mistake is corrected by a reversing entry dated on the day of the correction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from execora.append_only import AppendOnlyModel
from execora.models import Business
from execora.money import MONEY_DIGITS


class AccountType(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    EQUITY = "equity", _("Equity")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


class AccountKey(models.TextChoices):
    RECEIVABLES = "receivables", _("Receivables (khata)")
    CASH = "cash", _("Cash")
    BANK = "bank", _("UPI / Bank")
    SALES = "sales", _("Sales")
    UNBILLED_SALES = "unbilled_sales", _("Khata credit (unbilled)")
    DISCOUNTS = "discounts", _("Discounts allowed")
    ROUND_OFF = "round_off", _("Round-off")
    OUTPUT_CGST = "output_cgst", _("Output CGST")
    OUTPUT_SGST = "output_sgst", _("Output SGST")
    OUTPUT_IGST = "output_igst", _("Output IGST")
    OPENING_BALANCES = "opening_balances", _("Opening balances")


# The chart every shop gets (docs/books.md): key -> type.
CHART_OF_ACCOUNTS: dict[str, str] = {
    AccountKey.RECEIVABLES: AccountType.ASSET,
    AccountKey.CASH: AccountType.ASSET,
    AccountKey.BANK: AccountType.ASSET,
    AccountKey.SALES: AccountType.INCOME,
    AccountKey.UNBILLED_SALES: AccountType.INCOME,
    AccountKey.DISCOUNTS: AccountType.EXPENSE,
    AccountKey.ROUND_OFF: AccountType.EXPENSE,
    AccountKey.OUTPUT_CGST: AccountType.LIABILITY,
    AccountKey.OUTPUT_SGST: AccountType.LIABILITY,
    AccountKey.OUTPUT_IGST: AccountType.LIABILITY,
    AccountKey.OPENING_BALANCES: AccountType.EQUITY,
}


class PaymentMode(models.TextChoices):
    CASH = "cash", _("Cash")
    UPI = "upi", _("UPI")
    CARD = "card", _("Card")
    BANK = "bank", _("Bank transfer")
    CHEQUE = "cheque", _("Cheque")


class Account(models.Model):
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="accounts")
    key = models.CharField(max_length=30, choices=AccountKey.choices)
    name = models.CharField(max_length=100)
    type = models.CharField(max_length=10, choices=AccountType.choices)

    class Meta:
        ordering = ["business", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["business", "key"], name="account_unique_key"),
        ]

    def __str__(self) -> str:
        return self.name


class JournalEntry(AppendOnlyModel):
    class SourceType(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        INVOICE_CANCEL = "invoice_cancel", _("Invoice cancelled")
        PAYMENT = "payment", _("Payment")
        CREDIT = "credit", _("Udhaar (credit)")
        OPENING_BALANCE = "opening_balance", _("Opening balance")
        REVERSAL = "reversal", _("Reversal")

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="journal_entries")
    date = models.DateField()
    source_type = models.CharField(max_length=20, choices=SourceType.choices)
    # The id of the document posted (invoice, payment, customer for an opening balance).
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    reference = models.CharField(max_length=64, blank=True)
    memo = models.CharField(max_length=255, blank=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )
    # PROTECT: history keeps who wrote it; deactivate a user rather than deleting them.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = _("journal entries")
        ordering = ["date", "pk"]
        indexes = [
            models.Index(fields=["business", "date"]),
            models.Index(fields=["business", "source_type", "source_id"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.date} {self.get_source_type_display()} {self.reference}".strip()


class JournalLine(AppendOnlyModel):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="journal_lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    # Set on receivables lines only: whose khata the line belongs to.
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journal_lines",
    )
    debit = models.DecimalField(**MONEY_DIGITS, default=0)
    credit = models.DecimalField(**MONEY_DIGITS, default=0)
    memo = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["entry", "pk"]
        indexes = [models.Index(fields=["business", "customer"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(debit__gte=0) & Q(credit__gte=0),
                name="journal_line_amounts_non_negative",
            ),
            models.CheckConstraint(
                condition=(Q(debit__gt=0) & Q(credit=0)) | (Q(debit=0) & Q(credit__gt=0)),
                name="journal_line_one_side",
            ),
        ]

    def __str__(self) -> str:
        side = f"Dr {self.debit}" if self.debit else f"Cr {self.credit}"
        return f"{self.account_id} {side}"


class Payment(AppendOnlyModel):
    """Money a customer paid into their khata. Its journal entry is the accounting truth."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="payments")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(**MONEY_DIGITS)
    mode = models.CharField(max_length=10, choices=PaymentMode.choices, default=PaymentMode.CASH)
    reference = models.CharField(max_length=64, blank=True, help_text=_("UPI ref, cheque no."))
    received_at = models.DateTimeField()
    note = models.CharField(max_length=255, blank=True)
    journal_entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, related_name="payment"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["business", "customer", "received_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"₹{self.amount} from {self.customer_id} ({self.mode})"
