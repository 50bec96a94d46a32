"""Payments, udhaar, opening balances, the statement and journal entries over HTTP."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from invoices.services import InvoiceItemInput, invoice_create
from ledger.models import JournalEntry, Payment
from ledger.services import credit_add, payment_record
from tests.api_resources.helpers import SALE_DAY, balance, rows
from tests.customers.factories import make_customer
from tests.products.factories import make_product

pytestmark = pytest.mark.django_db

PAYMENTS = "/api/v1/payments/"
ENTRIES = "/api/v1/ledger-entries/"


@pytest.fixture
def ramesh(shop):
    customer = make_customer(shop, "Ramesh Kumar")
    credit_add(business=shop, customer_id=customer.pk, amount="1000.00", note="Old dues")
    return customer


# --- payments --------------------------------------------------------------------------


def test_a_payment_lowers_the_balance(owner_api, owner, ramesh):
    response = owner_api.post(
        PAYMENTS,
        {"customer": ramesh.pk, "amount": "400.50", "mode": "upi", "reference": "UPI 4312"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    payment = Payment.objects.get(pk=body["id"])
    assert (payment.amount, payment.mode, payment.created_by) == (Decimal("400.50"), "upi", owner)
    assert body["amount"] == "400.50"
    assert body["customer_name"] == "Ramesh Kumar"
    assert body["reversed"] is False
    assert balance(ramesh) == Decimal("599.50")
    lines = {line.account.key: line for line in payment.journal_entry.lines.all()}
    assert lines["bank"].debit == Decimal("400.50")
    assert lines["receivables"].credit == Decimal("400.50")


def test_paying_more_than_owed_leaves_an_advance(owner_api, ramesh):
    owner_api.post(PAYMENTS, {"customer": ramesh.pk, "amount": "1200"}, format="json")

    assert balance(ramesh) == Decimal("-200.00")
    assert owner_api.get(f"/api/v1/customers/{ramesh.pk}/").json()["balance"] == "-200.00"


def test_payments_list_filters_by_customer_mode_and_day(owner_api, shop, ramesh):
    suresh = make_customer(shop, "Suresh")
    old = payment_record(
        business=shop,
        customer_id=ramesh.pk,
        amount="10",
        received_at=datetime.datetime(2025, 5, 10, 20, 0, tzinfo=datetime.UTC),  # 11 May IST
    )
    cash = payment_record(business=shop, customer_id=ramesh.pk, amount="20")
    upi = payment_record(business=shop, customer_id=suresh.pk, amount="30", mode="upi")

    def ids(**query):
        response = owner_api.get(PAYMENTS, query)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [upi.pk, cash.pk, old.pk]
    assert ids(customer=ramesh.pk) == [cash.pk, old.pk]
    assert ids(mode="upi") == [upi.pk]
    assert ids(date_from="2025-05-11", date_to="2025-05-11") == [old.pk]
    assert ids(date_to="2025-05-10") == []
    assert ids(ordering="amount") == [old.pk, cash.pk, upi.pk]
    assert owner_api.get(PAYMENTS, {"customer": "1.5"}).status_code == 400


def test_retrieve_a_payment(owner_api, shop, ramesh):
    payment = payment_record(business=shop, customer_id=ramesh.pk, amount="75.25")

    body = owner_api.get(f"{PAYMENTS}{payment.pk}/").json()

    assert body["amount"] == "75.25"
    assert body["journal_entry"] == payment.journal_entry_id


def test_a_payment_dated_with_received_at(owner_api, ramesh):
    response = owner_api.post(
        PAYMENTS,
        {"customer": ramesh.pk, "amount": "10", "received_at": "2025-05-10T10:00:00+05:30"},
        format="json",
    )

    payment = Payment.objects.get(pk=response.json()["id"])
    assert payment.journal_entry.date == datetime.date(2025, 5, 10)


# --- udhaar and opening balance --------------------------------------------------------


def test_credit_adds_udhaar_to_the_khata(owner_api, ramesh):
    response = owner_api.post(
        f"/api/v1/customers/{ramesh.pk}/credit/",
        {"amount": "250.00", "note": "2 kg sugar"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["balance"] == "1250.00"
    assert body["entry"]["source_type"] == "credit"
    assert body["entry"]["memo"] == "2 kg sugar"
    assert {
        (line["account"], line["debit"], line["credit"]) for line in body["entry"]["lines"]
    } == {
        ("receivables", "250.00", "0.00"),
        ("unbilled_sales", "0.00", "250.00"),
    }
    assert balance(ramesh) == Decimal("1250.00")


def test_credit_past_the_limit_is_refused(owner_api, shop):
    customer = make_customer(shop, "Ramesh", credit_limit="500")
    before = rows()

    response = owner_api.post(
        f"/api/v1/customers/{customer.pk}/credit/", {"amount": "500.01"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "credit_limit_exceeded"
    assert list(response.json()["errors"]) == ["amount"]
    assert rows() == before


def test_opening_balance_once_then_refused(owner_api, shop):
    customer = make_customer(shop, "Ramesh")
    url = f"/api/v1/customers/{customer.pk}/opening-balance/"

    first = owner_api.post(url, {"amount": "-300.00"}, format="json")
    second = owner_api.post(url, {"amount": "100.00"}, format="json")

    assert first.status_code == 201, first.json()
    assert first.json()["balance"] == "-300.00"
    assert first.json()["entry"]["source_type"] == "opening_balance"
    assert second.status_code == 400
    assert second.json()["code"] == "opening_balance_exists"
    assert balance(customer) == Decimal("-300.00")


def test_an_opening_balance_of_zero_is_refused(owner_api, shop):
    customer = make_customer(shop, "Ramesh")

    response = owner_api.post(
        f"/api/v1/customers/{customer.pk}/opening-balance/", {"amount": "0"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["amount"]


# --- the statement ---------------------------------------------------------------------


def test_statement_has_opening_rows_running_balance_and_closing(owner_api, shop):
    # given a khata across three days
    customer = make_customer(shop, "Ramesh")
    sugar = make_product(shop, "Sugar", selling_price="50.00", gst_rate="0", opening_stock="10")
    may_1, may_10, may_20 = (datetime.date(2025, 5, day) for day in (1, 10, 20))
    credit_add(business=shop, customer_id=customer.pk, amount="100", entry_date=may_1)
    invoice = invoice_create(
        business=shop,
        customer_id=customer.pk,
        items=[InvoiceItemInput(product_id=sugar.pk, quantity="2")],
        amount_paid="30",
        invoice_date=may_10,
    )
    credit_add(business=shop, customer_id=customer.pk, amount="5", entry_date=may_20)

    # when the statement from 5 to 15 May is asked for
    response = owner_api.get(
        f"/api/v1/customers/{customer.pk}/ledger/",
        {"date_from": "2025-05-05", "date_to": "2025-05-15"},
    )

    # then the udhaar of 1 May is the opening, the invoice shows its debit and the
    # counter payment, each with the balance after it, and the 20 May one is out
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["customer"] == {"id": customer.pk, "name": "Ramesh"}
    assert (body["date_from"], body["date_to"]) == ("2025-05-05", "2025-05-15")
    assert body["opening_balance"] == "100.00"
    assert [
        (row["date"], row["reference"], row["debit"], row["credit"], row["balance"])
        for row in body["rows"]
    ] == [
        ("2025-05-10", invoice.number, "100.00", "0.00", "200.00"),
        ("2025-05-10", invoice.number, "0.00", "30.00", "170.00"),
    ]
    assert body["rows"][0]["source_type"] == "invoice"
    assert body["closing_balance"] == "170.00"

    # and without dates it is the whole khata, closing at the balance
    whole = owner_api.get(f"/api/v1/customers/{customer.pk}/ledger/").json()
    assert whole["opening_balance"] == "0.00"
    assert len(whole["rows"]) == 4
    assert whole["closing_balance"] == "175.00" == f"{balance(customer)}"


def test_statement_refuses_an_inverted_range(owner_api, ramesh):
    response = owner_api.get(
        f"/api/v1/customers/{ramesh.pk}/ledger/",
        {"date_from": "2025-05-15", "date_to": "2025-05-01"},
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["date_to"]


# --- journal entries -------------------------------------------------------------------


def test_entries_list_newest_first_with_lines_and_filters(owner_api, shop, ramesh):
    suresh = make_customer(shop, "Suresh")
    pay = payment_record(business=shop, customer_id=ramesh.pk, amount="10")
    udhaar = credit_add(business=shop, customer_id=suresh.pk, amount="20")
    first = JournalEntry.objects.filter(business=shop).order_by("pk").first()

    def ids(**query):
        response = owner_api.get(ENTRIES, query)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    listed = owner_api.get(ENTRIES).json()["results"]
    assert [row["id"] for row in listed] == [udhaar.pk, pay.journal_entry_id, first.pk]
    assert {line["account"] for line in listed[0]["lines"]} == {"receivables", "unbilled_sales"}
    assert ids(customer=ramesh.pk) == [pay.journal_entry_id, first.pk]
    assert ids(source_type="payment") == [pay.journal_entry_id]
    assert ids(source_type=["payment", "credit"]) == [udhaar.pk, pay.journal_entry_id, first.pk]
    today = timezone.localdate().isoformat()
    assert ids(date_from="2020-01-01", date_to="2020-12-31") == []
    assert len(ids(date_to=today)) == 3
    assert owner_api.get(ENTRIES, {"source_type": "gift"}).status_code == 400


def test_entries_page_with_a_cursor(owner_api, shop, ramesh):
    for _ in range(4):
        credit_add(business=shop, customer_id=ramesh.pk, amount="1")

    first = owner_api.get(ENTRIES, {"page_size": 3}).json()
    second = owner_api.get(first["next"]).json()

    seen = [row["id"] for row in first["results"] + second["results"]]
    assert len(seen) == 5
    assert seen == sorted(seen, reverse=True)
    assert second["next"] is None


def test_reversing_a_payment_restores_the_balance(owner_api, shop, ramesh):
    payment = payment_record(business=shop, customer_id=ramesh.pk, amount="400")
    assert balance(ramesh) == Decimal("600.00")

    response = owner_api.post(
        f"{ENTRIES}{payment.journal_entry_id}/reverse/",
        {"reason": "Cheque bounced"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["source_type"] == "reversal"
    assert body["reverses"] == payment.journal_entry_id
    assert body["memo"] == "Cheque bounced"
    assert balance(ramesh) == Decimal("1000.00")
    original = owner_api.get(f"{ENTRIES}{payment.journal_entry_id}/").json()
    assert original["reversed_by"] == body["id"]
    assert owner_api.get(f"{PAYMENTS}{payment.pk}/").json()["reversed"] is True


def test_reversing_twice_or_an_invoice_entry_is_refused(owner_api, shop, ramesh):
    payment = payment_record(business=shop, customer_id=ramesh.pk, amount="400")
    sugar = make_product(shop, "Sugar", opening_stock="5")
    invoice = invoice_create(
        business=shop,
        customer_id=ramesh.pk,
        items=[InvoiceItemInput(product_id=sugar.pk, quantity="1")],
        invoice_date=SALE_DAY,
    )
    owner_api.post(f"{ENTRIES}{payment.journal_entry_id}/reverse/", {}, format="json")
    before = rows()

    again = owner_api.post(f"{ENTRIES}{payment.journal_entry_id}/reverse/", {}, format="json")
    billed = owner_api.post(f"{ENTRIES}{invoice.journal_entry_id}/reverse/", {}, format="json")

    assert again.status_code == 400
    assert again.json()["code"] == "already_reversed"
    assert billed.status_code == 400
    assert billed.json()["code"] == "use_invoice_cancel"
    assert rows() == before
