"""GST invoices: the per-year number series, the invoice and its lines (docs/books.md).

An issued invoice is a posted document: its amounts and lines never change.
Cancelling it changes only its status and cancel fields, posts a reversing
journal entry and restores the stock; it keeps its number. The database
enforces this too (a trigger installed by a migration).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from execora.append_only import AppendOnlyError, AppendOnlyModel
from execora.models import Business
from execora.money import MONEY_DIGITS, QUANTITY_DIGITS
from ledger.models import JournalEntry, PaymentMode
from products.models import GST_RATES, Product, Unit

# The only fields of an issued invoice that may change, and only when it is cancelled.
CANCEL_FIELDS = frozenset(
    {"status", "cancel_entry", "cancelled_at", "cancelled_by", "cancel_reason"}
)


def _paise(expression):
    """Sums compared in the database, rounded to the paisa.

    A no-op on PostgreSQL's exact numeric; SQLite (the embedded dev database)
    stores decimals as binary floats, where 11.55 + 0.29 + 0.29 is not 12.13.
    """
    return Round(expression, 2)


class InvoiceSequence(models.Model):
    """The last invoice serial a shop used in one financial year (lock #4 of docs/books.md)."""

    business = models.ForeignKey(
        Business, on_delete=models.PROTECT, related_name="invoice_sequences"
    )
    # The calendar year in which the financial year (April–March) starts: 2026 is 2026-27.
    financial_year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["business", "financial_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "financial_year"], name="invoice_sequence_unique_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.business_id} FY{self.financial_year}: {self.last_number}"


class InvoiceStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    CANCELLED = "cancelled", _("Cancelled")


_NON_NEGATIVE_MONEY = (
    "subtotal",
    "discount_total",
    "taxable_total",
    "cgst_total",
    "sgst_total",
    "igst_total",
    "tax_total",
    "grand_total",
    "amount_paid",
    "amount_due",
)


def _refuse(action: str) -> NoReturn:
    raise AppendOnlyError(
        f"An issued invoice cannot be changed or deleted ({action}); cancel it instead."
    )


class InvoiceQuerySet(models.QuerySet):
    """Bulk writes would skip the one allowed change (cancel, via invoices.services)."""

    def update(self, **kwargs: Any) -> NoReturn:
        _refuse("update()")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> NoReturn:
        _refuse("bulk_update()")

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("update_or_create()")

    def delete(self) -> NoReturn:
        _refuse("delete()")


class Invoice(models.Model):
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(max_length=16)
    financial_year = models.PositiveSmallIntegerField()
    sequence_number = models.PositiveIntegerField()
    # Empty for a walk-in (cash) sale.
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    invoice_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.ISSUED
    )
    # GST state code of the place of supply: the buyer's state, else the shop's.
    place_of_supply = models.CharField(max_length=2)
    is_interstate = models.BooleanField(default=False)
    # Amounts in taxable (ex-tax) terms: subtotal − discount_total = taxable_total.
    subtotal = models.DecimalField(
        **MONEY_DIGITS, help_text=_("Gross taxable value before discounts.")
    )
    discount_total = models.DecimalField(**MONEY_DIGITS, default=Decimal("0"))
    taxable_total = models.DecimalField(**MONEY_DIGITS)
    cgst_total = models.DecimalField(**MONEY_DIGITS, default=Decimal("0"))
    sgst_total = models.DecimalField(**MONEY_DIGITS, default=Decimal("0"))
    igst_total = models.DecimalField(**MONEY_DIGITS, default=Decimal("0"))
    tax_total = models.DecimalField(**MONEY_DIGITS, default=Decimal("0"))
    round_off = models.DecimalField(**MONEY_DIGITS, default=Decimal("0"))
    grand_total = models.DecimalField(**MONEY_DIGITS)
    amount_paid = models.DecimalField(**MONEY_DIGITS, default=Decimal("0"))
    # Empty when nothing was paid at the counter.
    payment_mode = models.CharField(max_length=10, choices=PaymentMode.choices, blank=True)
    amount_due = models.DecimalField(**MONEY_DIGITS, default=Decimal("0"))
    notes = models.TextField(blank=True)
    journal_entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, related_name="invoice"
    )
    cancel_entry = models.OneToOneField(
        JournalEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cancelled_invoice",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cancel_reason = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-invoice_date", "-pk"]
        indexes = [
            models.Index(fields=["business", "invoice_date"]),
            models.Index(fields=["business", "customer", "invoice_date"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["business", "number"], name="invoice_unique_number"),
            models.UniqueConstraint(
                fields=["business", "financial_year", "sequence_number"],
                name="invoice_unique_serial",
            ),
            models.CheckConstraint(
                condition=Q(sequence_number__gte=1), name="invoice_serial_positive"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{field}__gte": 0}), name=f"invoice_{field}_non_negative"
                )
                for field in _NON_NEGATIVE_MONEY
            ),
            models.CheckConstraint(
                condition=Q(taxable_total=_paise(F("subtotal") - F("discount_total"))),
                name="invoice_taxable_is_subtotal_less_discount",
            ),
            models.CheckConstraint(
                condition=Q(tax_total=_paise(F("cgst_total") + F("sgst_total") + F("igst_total"))),
                name="invoice_tax_is_sum_of_taxes",
            ),
            models.CheckConstraint(
                condition=Q(
                    grand_total=_paise(F("taxable_total") + F("tax_total") + F("round_off"))
                ),
                name="invoice_grand_total_adds_up",
            ),
            # Half up to the rupee: the round-off lies in (−0.50, +0.50].
            models.CheckConstraint(
                condition=Q(round_off__gt=Decimal("-0.50")) & Q(round_off__lte=Decimal("0.50")),
                name="invoice_round_off_under_a_rupee",
            ),
            models.CheckConstraint(
                condition=Q(amount_due=_paise(F("grand_total") - F("amount_paid"))),
                name="invoice_due_is_total_less_paid",
            ),
            models.CheckConstraint(
                condition=Q(customer__isnull=False) | Q(amount_due=0),
                name="invoice_walk_in_paid_in_full",
            ),
            models.CheckConstraint(
                condition=(Q(amount_paid=0) & Q(payment_mode=""))
                | (Q(amount_paid__gt=0) & Q(payment_mode__in=PaymentMode.values)),
                name="invoice_payment_mode_when_paid",
            ),
            models.CheckConstraint(
                condition=(Q(is_interstate=True) & Q(cgst_total=0) & Q(sgst_total=0))
                | (Q(is_interstate=False) & Q(igst_total=0)),
                name="invoice_igst_or_cgst_sgst",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=InvoiceStatus.ISSUED)
                    & Q(cancel_entry__isnull=True)
                    & Q(cancelled_at__isnull=True)
                )
                | (
                    Q(status=InvoiceStatus.CANCELLED)
                    & Q(cancel_entry__isnull=False)
                    & Q(cancelled_at__isnull=False)
                ),
                name="invoice_cancel_fields_match_status",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        # An issued invoice's amounts are never edited: an existing row may only be
        # saved with update_fields naming cancel fields (see invoices.services).
        if not self._state.adding:
            update_fields = kwargs.get("update_fields")
            if update_fields is None or not set(update_fields) <= CANCEL_FIELDS:
                _refuse("saving fields other than the cancel fields")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("delete()")

    @property
    def is_cancelled(self) -> bool:
        return self.status == InvoiceStatus.CANCELLED


class InvoiceItem(AppendOnlyModel):
    """One line of an invoice, priced by invoices.pricing when the invoice was issued."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="items")
    line_no = models.PositiveSmallIntegerField()
    # Empty for a free-text line ("packing charge", something not in the catalogue).
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_items"
    )
    description = models.CharField(max_length=200)
    hsn_code = models.CharField("HSN code", max_length=8, blank=True)
    quantity = models.DecimalField(**QUANTITY_DIGITS)
    unit = models.CharField(max_length=10, choices=Unit.choices)
    unit_price = models.DecimalField(**MONEY_DIGITS)
    price_includes_tax = models.BooleanField()
    # As given: rupees off the line, in the price's own terms (off the MRP when inclusive).
    discount = models.DecimalField(**MONEY_DIGITS, default=Decimal("0"))
    gst_rate = models.DecimalField("GST rate (%)", max_digits=4, decimal_places=2)
    # The discount's taxable value; taxable_value + taxable_discount is the gross taxable value.
    taxable_discount = models.DecimalField(**MONEY_DIGITS, default=Decimal("0"))
    taxable_value = models.DecimalField(**MONEY_DIGITS)
    cgst = models.DecimalField(**MONEY_DIGITS, default=Decimal("0"))
    sgst = models.DecimalField(**MONEY_DIGITS, default=Decimal("0"))
    igst = models.DecimalField(**MONEY_DIGITS, default=Decimal("0"))
    line_total = models.DecimalField(**MONEY_DIGITS)

    class Meta:
        ordering = ["invoice", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "line_no"], name="invoice_item_unique_line"),
            models.CheckConstraint(condition=Q(line_no__gte=1), name="invoice_item_line_no"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="invoice_item_quantity_positive"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{field}__gte": 0}), name=f"invoice_item_{field}_non_negative"
                )
                for field in (
                    "unit_price",
                    "discount",
                    "taxable_discount",
                    "taxable_value",
                    "cgst",
                    "sgst",
                    "igst",
                    "line_total",
                )
            ),
            models.CheckConstraint(
                condition=Q(gst_rate__in=GST_RATES),
                name="invoice_item_gst_rate_valid",
                violation_error_message=_("GST rate must be 0, 5, 12, 18 or 28%."),
            ),
            models.CheckConstraint(
                condition=Q(
                    line_total=_paise(F("taxable_value") + F("cgst") + F("sgst") + F("igst"))
                ),
                name="invoice_item_total_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(cgst=F("sgst")) & (Q(igst=0) | Q(cgst=0)),
                name="invoice_item_igst_or_equal_cgst_sgst",
            ),
            models.CheckConstraint(
                condition=~Q(description=""), name="invoice_item_description_required"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_no}. {self.description} × {self.quantity}"


class Document(models.Model):
    """A rendered PDF kept in the default storage: generated once, then served from there.

    `key` names what was rendered: an invoice in one status ("invoice:42:issued";
    a cancel makes "invoice:42:cancelled", a new file), or a statement up to its
    last khata line. The unique (business, key) decides which of two racing
    renders is kept.
    """

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        STATEMENT = "statement", _("Statement")

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=120)
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    # The name in the default storage (local files or S3).
    file = models.FileField(max_length=255)
    filename = models.CharField(max_length=120, help_text=_("The name the recipient sees."))
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    render_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["business", "key"], name="document_unique_key"),
            models.CheckConstraint(
                condition=(Q(kind="invoice") & Q(invoice__isnull=False))
                | (Q(kind="statement") & Q(customer__isnull=False)),
                name="document_names_its_subject",
            ),
        ]

    def __str__(self) -> str:
        return self.filename
