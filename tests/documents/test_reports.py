"""The day's summary and the GSTR-1 export, against books made for them."""

from __future__ import annotations

import csv
import datetime
import io
import zoneinfo
from decimal import Decimal

import pytest

from invoices.selectors import daily_summary, gstr1_csv, gstr1_rows
from invoices.services import invoice_cancel
from ledger.services import credit_add, entry_reverse, payment_record
from tests.customers.factories import make_customer
from tests.documents.conftest import SALE_DAY, bill, ghee, sugar

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
NOON = datetime.datetime(2025, 5, 10, 12, 0, tzinfo=IST)
D = Decimal


@pytest.fixture
def day_of_business(gst_shop, local_buyer, karnataka_buyer, owner, other_shop):
    """One day at Sharma Kirana, with things around it that must not count."""
    a = bill(gst_shop, local_buyer, paid="100")  # 1,330 (CGST/SGST), 100 cash, 1,230 on khata
    b = bill(gst_shop, karnataka_buyer, items=[ghee("1")], paid="550", mode="upi")  # IGST
    c = bill(gst_shop, items=[sugar("1")], paid="46")  # a walk-in cash sale
    cancelled = bill(gst_shop, local_buyer, items=[sugar("2")])
    invoice_cancel(business=gst_shop, invoice_id=cancelled.pk, user=owner)
    bill(gst_shop, local_buyer, invoice_date=SALE_DAY + datetime.timedelta(days=1))
    bill(other_shop, items=[sugar("3")], paid="138")
    payment_record(
        business=gst_shop, customer_id=local_buyer.pk, amount="200", mode="upi", received_at=NOON
    )
    wrong = payment_record(
        business=gst_shop, customer_id=local_buyer.pk, amount="50", mode="cash", received_at=NOON
    )
    entry_reverse(business=gst_shop, entry_id=wrong.journal_entry_id, user=owner)
    credit_add(business=gst_shop, customer_id=local_buyer.pk, amount="300", entry_date=SALE_DAY)
    return a, b, c


def test_the_daily_summary_counts_sales_gst_collections_by_mode_and_new_dues(
    gst_shop, day_of_business
):
    a, b, c = day_of_business
    summary = daily_summary(business=gst_shop, day=SALE_DAY)
    # three bills still issued; the cancelled one only counted as cancelled
    assert (summary.bills, summary.cancelled) == (3, 1)
    assert summary.sales == a.grand_total + b.grand_total + c.grand_total == D("1926.00")
    assert summary.taxable == a.taxable_total + b.taxable_total + c.taxable_total
    # GST: CGST/SGST from the two local bills, IGST from the Karnataka one
    assert summary.cgst == a.cgst_total + c.cgst_total == D("64.41") + c.cgst_total
    assert summary.igst == b.igst_total == D("58.93")
    assert summary.gst == a.tax_total + b.tax_total + c.tax_total
    # money in: at the counter (100 + 46 cash, 550 UPI) and into the khata (200 UPI);
    # the reversed 50 cash does not count
    assert summary.collections["cash"] == D("146.00")
    assert summary.collections["upi"] == D("750.00")
    assert summary.collections["card"] == D("0.00")
    assert summary.collected == D("896.00")
    # new dues: the unpaid part of bill A and the day's udhaar
    assert (summary.billed_on_credit, summary.udhaar, summary.new_dues) == (
        D("1230.00"),
        D("300.00"),
        D("1530.00"),
    )


def test_a_quiet_day_is_all_zero(gst_shop, day_of_business):
    summary = daily_summary(business=gst_shop, day=SALE_DAY - datetime.timedelta(days=1))
    assert (summary.bills, summary.sales, summary.collected, summary.new_dues) == (0, 0, 0, 0)


def test_the_api_answers_the_summary_in_decimal_strings(gst_shop, day_of_business):
    from tests.api.conftest import token_client
    from tests.factories import member

    api = token_client(member(gst_shop, "staff", username="counter"))
    body = api.get("/api/v1/reports/daily-summary/?date=2025-05-10").json()
    assert body["sales"] == "1926.00"
    assert body["collections"]["upi"] == "750.00"
    assert body["new_dues"] == {
        "billed_on_credit": "1230.00",
        "udhaar": "300.00",
        "total": "1530.00",
    }
    assert body["gst"]["igst"] == "58.93"


def test_gstr1_lists_b2b_and_b2cl_by_invoice_and_rate_and_sums_b2cs(gst_shop, day_of_business):
    a, b, c = day_of_business
    far_buyer = make_customer(gst_shop, "Mysore Caterers", state_code="29")
    big = bill(gst_shop, far_buyer, items=[ghee("200")])  # inter-state, unregistered, 1.1 lakh
    small = bill(gst_shop, far_buyer, items=[ghee("1")])  # inter-state, unregistered, small
    walk_in_ghee = bill(gst_shop, items=[ghee("1")], paid="550")
    rows = gstr1_rows(business=gst_shop, date_from=SALE_DAY, date_to=SALE_DAY)
    by_section = {}
    for row in rows:
        by_section.setdefault(row.section, []).append(row)
    # B2B: each registered buyer's invoice, one row per rate
    b2b = [
        (r.invoice_number, r.gstin_of_recipient, r.rate, r.taxable_value) for r in by_section["B2B"]
    ]
    assert b2b == [
        (a.number, a.customer.gstin, D("5.00"), D("219.05")),
        (a.number, a.customer.gstin, D("12.00"), D("982.14")),
        (b.number, b.customer.gstin, D("12.00"), D("491.07")),
    ]
    igst_row = by_section["B2B"][2]
    assert (igst_row.igst, igst_row.cgst, igst_row.place_of_supply) == (D("58.93"), 0, "29")
    # B2CL: the large inter-state bill to an unregistered buyer, by itself
    (b2cl,) = by_section["B2CL"]
    assert (b2cl.invoice_number, b2cl.invoice_value, b2cl.taxable_value, b2cl.igst) == (
        big.number,
        D("110000.00"),
        big.taxable_total,
        big.igst_total,
    )
    # B2CS: everything else, summed by place of supply and rate
    b2cs = {(r.place_of_supply, r.rate): r for r in by_section["B2CS"]}
    assert sorted(b2cs) == [("27", D("5.00")), ("27", D("12.00")), ("29", D("12.00"))]
    assert b2cs[("27", D("5.00"))].taxable_value == c.taxable_total
    assert b2cs[("27", D("12.00"))].taxable_value == walk_in_ghee.taxable_total
    assert b2cs[("29", D("12.00"))].igst == small.igst_total
    # the cancelled bill and other days are not supplies of this period
    numbers = {r.invoice_number for r in rows}
    assert len(rows) == 7 and not any(n.endswith("0004") for n in numbers)
    # and the CSV has the header and one line a row, money as decimal strings
    lines = list(
        csv.reader(io.StringIO(gstr1_csv(business=gst_shop, date_from=SALE_DAY, date_to=SALE_DAY)))
    )
    assert lines[0][:4] == ["section", "gstin_of_recipient", "receiver_name", "invoice_number"]
    assert lines[1][0] == "B2B" and lines[1][3] == a.number and lines[1][5] == "1330.00"
    assert len(lines) == 8
