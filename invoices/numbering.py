"""Invoice numbers: PREFIX/YY-YY/NNNN per shop per Indian financial year (docs/books.md).

CGST rule 46 wants a consecutive serial number, unique for the financial
year, of at most 16 characters. The counter is an InvoiceSequence row locked
inside the transaction that creates the invoice, so a rolled-back invoice
never uses up a number and the series has no gaps.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F

from execora.exceptions import ApplicationError
from execora.models import Business
from invoices.models import InvoiceSequence

MAX_INVOICE_NUMBER_LENGTH = 16
# The financial year starts on 1 April.
FINANCIAL_YEAR_START_MONTH = 4


def financial_year_of(d: datetime.date) -> int:
    """The year in which `d`'s financial year began: 2027-03-31 → 2026, 2027-04-01 → 2027."""
    return d.year if d.month >= FINANCIAL_YEAR_START_MONTH else d.year - 1


def financial_year_label(financial_year: int) -> str:
    """2026 → "26-27"."""
    return f"{financial_year % 100:02d}-{(financial_year + 1) % 100:02d}"


def invoice_number_format(prefix: str, financial_year: int, n: int) -> str:
    """("INV", 2026, 1) → "INV/26-27/0001". Refuses a number longer than 16 characters."""
    if n < 1:
        raise ValueError("invoice serial numbers start at 1")
    number = f"{prefix}/{financial_year_label(financial_year)}/{n:04d}"
    if len(number) > MAX_INVOICE_NUMBER_LENGTH:
        raise ApplicationError(
            f"Invoice number {number} would be longer than {MAX_INVOICE_NUMBER_LENGTH} "
            "characters (GST rule 46); use a shorter invoice prefix.",
            code="invoice_number_too_long",
            message_hi=(
                f"बिल नंबर {number} 16 अक्षरों से लंबा हो जाएगा; दुकान का बिल प्रीफ़िक्स छोटा कीजिए।"
            ),
            field="invoice_prefix",
        )
    return number


def invoice_number_allocate(*, business: Business, on_date: datetime.date) -> tuple[int, int, str]:
    """The next number of the shop's series for `on_date`'s financial year.

    Returns (financial_year, serial, formatted number). Must run inside the
    transaction that creates the invoice: the sequence row stays locked until
    it commits (lock #4 of docs/books.md), and a rollback gives the number back.
    """
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            "invoice_number_allocate must run inside the invoice's transaction"
        )
    financial_year = financial_year_of(on_date)
    rows = InvoiceSequence.objects.select_for_update().filter(
        business=business, financial_year=financial_year
    )
    sequence = rows.first()
    if sequence is None:
        # First invoice of the year: two creators may both get here. ON CONFLICT DO
        # NOTHING lets exactly one insert win (the other waits for it), then both
        # queue on the row lock below.
        InvoiceSequence.objects.bulk_create(
            [InvoiceSequence(business=business, financial_year=financial_year, last_number=0)],
            ignore_conflicts=True,
        )
        sequence = rows.get()
    serial = sequence.last_number + 1
    number = invoice_number_format(business.invoice_prefix, financial_year, serial)
    InvoiceSequence.objects.filter(pk=sequence.pk).update(last_number=F("last_number") + 1)
    return financial_year, serial, number
