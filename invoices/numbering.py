"""Invoice numbers: PREFIX/YY-YY/NNNN per shop per Indian financial year (docs/books.md).

CGST rule 46 wants a consecutive serial number, unique for the financial
year, of at most 16 characters. The counter is an InvoiceSequence row locked
inside the transaction that creates the invoice, so a rolled-back invoice
never uses up a number and the series has no gaps.
"""

from __future__ import annotations

import datetime

from django.db import connection, transaction

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
    Costs one UPDATE ... RETURNING, plus an INSERT for a year's first number.
    """
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            "invoice_number_allocate must run inside the invoice's transaction"
        )
    financial_year = financial_year_of(on_date)
    serial = _sequence_bump(business_id=business.pk, financial_year=financial_year)
    if serial is None:
        # First invoice of the year: two creators may both get here. ON CONFLICT DO
        # NOTHING lets exactly one insert win (the other waits for it to commit or
        # roll back); then both bump the row, one after the other, under its lock.
        InvoiceSequence.objects.bulk_create(
            [InvoiceSequence(business=business, financial_year=financial_year, last_number=0)],
            ignore_conflicts=True,
        )
        serial = _sequence_bump(business_id=business.pk, financial_year=financial_year)
        if serial is None:  # cannot happen: the row exists now, ours or the winner's
            raise transaction.TransactionManagementError("invoice sequence row missing")
    try:
        number = invoice_number_format(business.invoice_prefix, financial_year, serial)
    except ApplicationError:
        # Refused: give the number back, so the caller's transaction writes nothing
        # even if it goes on (we still hold the row lock).
        _sequence_bump(business_id=business.pk, financial_year=financial_year, by=-1)
        raise
    return financial_year, serial, number


def _sequence_bump(*, business_id: int, financial_year: int, by: int = 1) -> int | None:
    """Add `by` to the year's counter and return it; None when the row does not exist.

    One statement instead of SELECT ... FOR UPDATE and UPDATE: the UPDATE takes
    the same row lock (lock #4), held until the invoice's transaction ends, so a
    concurrent creator waits here and then sees our number. Raw SQL because the
    ORM's update() cannot return the new value.
    """
    table = connection.ops.quote_name(InvoiceSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_number = last_number + %s "  # noqa: S608
            "WHERE business_id = %s AND financial_year = %s RETURNING last_number",
            [by, business_id, financial_year],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]
