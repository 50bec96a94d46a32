"""Reads of a shop's invoices, the day's summary and the GSTR-1 export."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from execora.exceptions import NotFound
from execora.models import Business
from execora.money import MONEY_DIGITS, ZERO, money
from invoices.models import Invoice, InvoiceItem, InvoiceStatus
from ledger.models import AccountKey, JournalEntry, JournalLine, Payment, PaymentMode

_MONEY = DecimalField(**MONEY_DIGITS)


def _invoices(business: Business) -> QuerySet[Invoice]:
    return (
        Invoice.objects.filter(business=business)
        .select_related("customer")
        .prefetch_related("items")
    )


def invoice_get(*, business: Business, invoice_id: int | str) -> Invoice:
    """The shop's invoice with its customer and lines; NotFound for another shop's id."""
    try:
        return _invoices(business).get(pk=int(invoice_id))
    except (Invoice.DoesNotExist, TypeError, ValueError):
        raise NotFound(
            f"No invoice #{invoice_id} in this shop.",
            message_hi="यह बिल इस दुकान में नहीं मिला।",
            field="invoice_id",
        ) from None


def invoice_list(
    *,
    business: Business,
    customer_id: int | None = None,
    status: str | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[Invoice]:
    """The shop's invoices, newest first; filters are optional and dates inclusive."""
    invoices = _invoices(business)
    if customer_id is not None:
        invoices = invoices.filter(customer_id=customer_id)
    if status is not None:
        if status not in InvoiceStatus.values:
            return invoices.none()
        invoices = invoices.filter(status=status)
    if date_from is not None:
        invoices = invoices.filter(invoice_date__gte=date_from)
    if date_to is not None:
        invoices = invoices.filter(invoice_date__lte=date_to)
    return invoices.order_by("-invoice_date", "-pk")


def invoice_last(
    *, business: Business, customer_id: int | None = None, status: str | None = None
) -> Invoice | None:
    """The shop's (or the customer's) most recently issued invoice, or None ("last bill").

    "Most recent" is the order of issue (numbers are handed out in that order),
    not the invoice date, which may be back-dated.
    """
    invoices = Invoice.objects.filter(business=business)
    if customer_id is not None:
        invoices = invoices.filter(customer_id=customer_id)
    if status is not None:
        invoices = invoices.filter(status=status)
    last = invoices.order_by("-pk").only("pk").first()
    return None if last is None else invoice_get(business=business, invoice_id=last.pk)


# --- the day's summary and the accountant's GSTR-1 export ---------------------------------


def _sum(field: str) -> Coalesce:
    return Coalesce(Sum(field), Value(ZERO), output_field=_MONEY)


@dataclass(frozen=True)
class DailySummary:
    day: datetime.date
    bills: int
    cancelled: int
    taxable: Decimal
    sales: Decimal  # the bills' grand totals
    cgst: Decimal
    sgst: Decimal
    igst: Decimal
    # Money received: at the counter on the day's bills, and khata payments; mode -> amount.
    collections: dict[str, Decimal] = field(default_factory=dict)
    # New dues: the unpaid part of the day's bills, and udhaar given without a bill.
    billed_on_credit: Decimal = ZERO
    udhaar: Decimal = ZERO

    @property
    def gst(self) -> Decimal:
        return self.cgst + self.sgst + self.igst

    @property
    def collected(self) -> Decimal:
        return sum(self.collections.values(), ZERO)

    @property
    def new_dues(self) -> Decimal:
        return self.billed_on_credit + self.udhaar


def daily_summary(*, business: Business, day: datetime.date) -> DailySummary:
    """One day of the shop: bills, GST, money in by mode, new dues.

    Bills are those dated that day and still issued (a cancelled bill counts in
    `cancelled` only); payments and udhaar are those booked that day and not
    reversed since, as in the khata.
    """
    bills = Invoice.objects.filter(business=business, invoice_date=day)
    issued = bills.filter(status=InvoiceStatus.ISSUED)
    totals = issued.aggregate(
        count=Count("pk"),
        taxable=_sum("taxable_total"),
        sales=_sum("grand_total"),
        cgst=_sum("cgst_total"),
        sgst=_sum("sgst_total"),
        igst=_sum("igst_total"),
        due=_sum("amount_due"),
    )
    collections = {mode: ZERO for mode in PaymentMode.values}
    counter = (
        issued.filter(amount_paid__gt=0).values("payment_mode").annotate(paid=_sum("amount_paid"))
    )
    for row in counter.order_by():
        collections[row["payment_mode"]] += row["paid"]
    khata = (
        Payment.objects.filter(
            business=business,
            journal_entry__date=day,
            journal_entry__reversed_by__isnull=True,
        )
        .values("mode")
        .annotate(paid=_sum("amount"))
    )
    for row in khata.order_by():
        collections[row["mode"]] += row["paid"]
    udhaar = JournalLine.objects.filter(
        business=business,
        account__key=AccountKey.RECEIVABLES,
        entry__date=day,
        entry__source_type=JournalEntry.SourceType.CREDIT,
        entry__reversed_by__isnull=True,
    ).aggregate(total=_sum("debit"))["total"]
    return DailySummary(
        day=day,
        bills=totals["count"],
        cancelled=bills.filter(status=InvoiceStatus.CANCELLED).count(),
        taxable=money(totals["taxable"]),
        sales=money(totals["sales"]),
        cgst=money(totals["cgst"]),
        sgst=money(totals["sgst"]),
        igst=money(totals["igst"]),
        collections={mode: money(amount) for mode, amount in collections.items()},
        billed_on_credit=money(totals["due"]),
        udhaar=money(udhaar),
    )


# An inter-state bill to an unregistered buyer above this is reported invoice by invoice
# (GSTR-1 table 5, "B2CL"); the limit has been ₹1 lakh since August 2024.
B2CL_LIMIT = Decimal("100000")
GSTR1_COLUMNS = [
    "section",
    "gstin_of_recipient",
    "receiver_name",
    "invoice_number",
    "invoice_date",
    "invoice_value",
    "place_of_supply",
    "reverse_charge",
    "rate",
    "taxable_value",
    "igst",
    "cgst",
    "sgst",
    "cess",
    "invoices",
]


@dataclass(frozen=True)
class Gstr1Row:
    section: str  # B2B, B2CL, B2CS
    gstin_of_recipient: str
    receiver_name: str
    invoice_number: str
    invoice_date: datetime.date | None
    invoice_value: Decimal | None
    place_of_supply: str
    reverse_charge: str
    rate: Decimal
    taxable_value: Decimal
    igst: Decimal
    cgst: Decimal
    sgst: Decimal
    cess: Decimal
    invoices: int

    def as_csv(self) -> list[str]:
        return [
            "" if value is None else value.isoformat() if isinstance(value, datetime.date)
            else f"{value:.2f}" if isinstance(value, Decimal) else str(value)
            for value in (getattr(self, column) for column in GSTR1_COLUMNS)
        ]  # fmt: skip


def gstr1_rows(
    *, business: Business, date_from: datetime.date, date_to: datetime.date
) -> list[Gstr1Row]:
    """Outward supplies for GSTR-1: B2B and B2CL invoice by invoice and rate, B2CS summed.

    Only issued invoices count (a cancelled one is not a supply). B2CS rows are
    one per place of supply and rate, as the return's table 7 asks.
    """
    lines = (
        InvoiceItem.objects.filter(
            business=business,
            invoice__status=InvoiceStatus.ISSUED,
            invoice__invoice_date__gte=date_from,
            invoice__invoice_date__lte=date_to,
        )
        .values(
            "invoice_id",
            "invoice__number",
            "invoice__invoice_date",
            "invoice__grand_total",
            "invoice__place_of_supply",
            "invoice__is_interstate",
            "invoice__customer__gstin",
            "invoice__customer__name",
            "gst_rate",
        )
        .annotate(
            taxable=_sum("taxable_value"), igst=_sum("igst"), cgst=_sum("cgst"), sgst=_sum("sgst")
        )
        .order_by("invoice__invoice_date", "invoice__number", "gst_rate")
    )
    rows: list[Gstr1Row] = []
    b2cs: dict[tuple[str, Decimal], list] = {}
    for line in lines:
        gstin = line["invoice__customer__gstin"] or ""
        value = line["invoice__grand_total"]
        large = line["invoice__is_interstate"] and value > B2CL_LIMIT
        if gstin or large:
            rows.append(
                Gstr1Row(
                    section="B2B" if gstin else "B2CL",
                    gstin_of_recipient=gstin,
                    receiver_name=line["invoice__customer__name"] or "",
                    invoice_number=line["invoice__number"],
                    invoice_date=line["invoice__invoice_date"],
                    invoice_value=value,
                    place_of_supply=line["invoice__place_of_supply"],
                    reverse_charge="N",
                    rate=line["gst_rate"],
                    taxable_value=line["taxable"],
                    igst=line["igst"],
                    cgst=line["cgst"],
                    sgst=line["sgst"],
                    cess=ZERO,
                    invoices=1,
                )
            )
            continue
        key = (line["invoice__place_of_supply"], line["gst_rate"])
        sums = b2cs.setdefault(key, [ZERO, ZERO, ZERO, ZERO, set()])
        for index, name in enumerate(("taxable", "igst", "cgst", "sgst")):
            sums[index] += line[name]
        sums[4].add(line["invoice_id"])
    for (place, rate), (taxable, igst, cgst, sgst, invoice_ids) in sorted(b2cs.items()):
        rows.append(
            Gstr1Row(
                section="B2CS",
                gstin_of_recipient="",
                receiver_name="",
                invoice_number="",
                invoice_date=None,
                invoice_value=None,
                place_of_supply=place,
                reverse_charge="N",
                rate=rate,
                taxable_value=money(taxable),
                igst=money(igst),
                cgst=money(cgst),
                sgst=money(sgst),
                cess=ZERO,
                invoices=len(invoice_ids),
            )
        )
    return rows


def gstr1_csv(*, business: Business, date_from: datetime.date, date_to: datetime.date) -> str:
    """The GSTR-1 rows as CSV text with a header line, for the shop's accountant."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(GSTR1_COLUMNS)
    for row in gstr1_rows(business=business, date_from=date_from, date_to=date_to):
        writer.writerow(row.as_csv())
    return out.getvalue()
