"""/api/v1/invoices/: issue with nested lines, read back, filter, cancel."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from invoices.models import Invoice
from invoices.services import InvoiceItemInput, invoice_create
from ledger.models import JournalEntry
from products.models import StockMovement
from tests.api_resources.helpers import SALE_DAY, balance, rows, stock
from tests.customers.factories import make_customer
from tests.products.factories import make_product

pytestmark = pytest.mark.django_db

URL = "/api/v1/invoices/"


@pytest.fixture
def stocked(shop):
    customer = make_customer(shop, "Ramesh Kumar")
    sugar = make_product(shop, "Sugar", selling_price="46.00", gst_rate="5", opening_stock="10")
    maggi = make_product(
        shop, "Maggi", unit="pcs", selling_price="14.00", gst_rate="18", opening_stock="50"
    )
    return customer, sugar, maggi


def three_lines(sugar, maggi) -> list[dict]:
    return [
        {"product": sugar.pk, "quantity": "2"},
        {"product": maggi.pk, "quantity": "3", "discount": "2.00"},
        {"description": "Carry bag", "quantity": "1", "unit_price": "5.00"},
    ]


def test_create_bills_takes_stock_and_puts_the_rest_on_the_khata(owner_api, owner, stocked):
    customer, sugar, maggi = stocked

    # when a three-line invoice is issued, 50 paid at the counter
    response = owner_api.post(
        URL,
        {
            "customer": customer.pk,
            "items": three_lines(sugar, maggi),
            "amount_paid": "50.00",
            "payment_mode": "upi",
            "notes": "Deliver by 6",
        },
        format="json",
    )

    # then it is issued with its lines, the stock left and the rest is owed
    assert response.status_code == 201, response.json()
    body = response.json()
    invoice = Invoice.objects.get(pk=body["id"])
    assert response["Location"] == f"{URL}{invoice.pk}/"
    assert body["number"] == invoice.number
    assert body["status"] == "issued"
    assert body["customer_name"] == "Ramesh Kumar"
    # 92 (sugar) + 40 (maggi 42 less 2) + 5 (bag) = 137
    assert body["grand_total"] == "137.00"
    assert body["amount_paid"] == "50.00"
    assert body["amount_due"] == "87.00"
    assert body["payment_mode"] == "upi"
    assert [(line["line_no"], line["description"], line["quantity"]) for line in body["items"]] == [
        (1, "Sugar", "2.000"),
        (2, "Maggi", "3.000"),
        (3, "Carry bag", "1.000"),
    ]
    assert body["items"][1]["discount"] == "2.00"
    assert stock(sugar) == Decimal("8.000")
    assert stock(maggi) == Decimal("47.000")
    assert balance(customer) == Decimal("87.00")
    assert invoice.created_by == owner
    assert invoice.notes == "Deliver by 6"


def test_a_walk_in_sale_paid_in_full(owner_api, stocked):
    _, sugar, _ = stocked

    response = owner_api.post(
        URL,
        {"items": [{"product": sugar.pk, "quantity": "1"}], "amount_paid": "46.00"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["customer"] is None
    assert response.json()["customer_name"] is None
    assert response.json()["amount_due"] == "0.00"


def test_a_walk_in_sale_not_paid_in_full_is_refused_and_writes_nothing(owner_api, stocked):
    _, sugar, _ = stocked
    before = rows()

    response = owner_api.post(
        URL, {"items": [{"product": sugar.pk, "quantity": "1"}]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "walk_in_must_pay"
    assert response.json()["errors"] == {"amount_paid": [response.json()["detail"]]}
    assert rows() == before
    assert stock(sugar) == Decimal("10.000")


def test_too_little_stock_names_the_line_and_writes_nothing(owner_api, stocked):
    customer, sugar, maggi = stocked
    before = rows()

    response = owner_api.post(
        URL,
        {
            "customer": customer.pk,
            "items": [
                {"product": maggi.pk, "quantity": "1"},
                {"product": sugar.pk, "quantity": "11"},
            ],
        },
        format="json",
    )

    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "insufficient_stock"
    assert list(body["errors"]) == ["items.1.quantity"]
    assert body["extra"]["available"] == "10.000"
    assert body["detail_hi"]
    assert rows() == before
    assert balance(customer) == 0


def test_a_line_error_from_the_service_is_named_as_in_the_body(owner_api, stocked):
    customer, sugar, _ = stocked

    # a unit other than the product's is refused by the service, for that line
    response = owner_api.post(
        URL,
        {
            "customer": customer.pk,
            "items": [
                {"description": "Bag", "quantity": "1", "unit_price": "5"},
                {"product": sugar.pk, "quantity": "1", "unit": "pcs"},
            ],
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "unit_mismatch"
    assert list(response.json()["errors"]) == ["items.1.unit"]


def test_retrieve_shows_the_lines_and_list_does_not(owner_api, shop, stocked):
    customer, sugar, _ = stocked
    invoice = invoice_create(
        business=shop,
        customer_id=customer.pk,
        items=[InvoiceItemInput(product_id=sugar.pk, quantity="1")],
        invoice_date=SALE_DAY,
    )

    detail = owner_api.get(f"{URL}{invoice.pk}/").json()
    listed = owner_api.get(URL).json()["results"]

    assert detail["items"][0]["product"] == sugar.pk
    line = detail["items"][0]
    assert Decimal(line["taxable_value"]) + Decimal(line["cgst"]) * 2 == Decimal(line["line_total"])
    assert line["cgst"] == line["sgst"] == "1.10"
    assert detail["grand_total"] == "46.00"
    assert listed[0]["id"] == invoice.pk
    assert "items" not in listed[0]


def test_filters_by_customer_status_and_dates(owner_api, shop, stocked):
    customer, sugar, _ = stocked
    other = make_customer(shop, "Suresh")

    def bill(who, day):
        return invoice_create(
            business=shop,
            customer_id=who.pk,
            items=[InvoiceItemInput(product_id=sugar.pk, quantity="1")],
            invoice_date=day,
        )

    may = bill(customer, datetime.date(2025, 5, 10))
    june = bill(customer, datetime.date(2025, 6, 10))
    suresh = bill(other, datetime.date(2025, 6, 11))
    owner_api.post(f"{URL}{june.pk}/cancel/", {"reason": "x"}, format="json")

    def ids(**query):
        response = owner_api.get(URL, query)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids(customer=customer.pk) == [june.pk, may.pk]
    assert ids(status="cancelled") == [june.pk]
    assert ids(date_from="2025-06-01") == [suresh.pk, june.pk]
    assert ids(date_from="2025-05-01", date_to="2025-06-10") == [june.pk, may.pk]
    assert ids(ordering="grand_total") == [may.pk, june.pk, suresh.pk]
    assert ids(number=may.number) == [may.pk]
    assert owner_api.get(URL, {"status": "paid"}).status_code == 400
    assert owner_api.get(URL, {"date_from": "10/05/2025"}).status_code == 400


def test_cancel_restores_stock_and_balance(owner_api, owner, shop, stocked):
    customer, sugar, _ = stocked
    invoice = invoice_create(
        business=shop,
        customer_id=customer.pk,
        items=[InvoiceItemInput(product_id=sugar.pk, quantity="3")],
        invoice_date=SALE_DAY,
    )
    assert balance(customer) == Decimal("138.00")

    response = owner_api.post(
        f"{URL}{invoice.pk}/cancel/", {"reason": "Wrong Ramesh"}, format="json"
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "cancelled"
    assert body["cancel_reason"] == "Wrong Ramesh"
    assert body["number"] == invoice.number
    assert body["items"][0]["quantity"] == "3.000"
    assert balance(customer) == 0
    assert stock(sugar) == Decimal("10.000")
    reversal = JournalEntry.objects.get(pk=body["cancel_entry"])
    assert reversal.reverses_id == invoice.journal_entry_id
    assert StockMovement.objects.filter(kind="cancellation", product=sugar).count() == 1


def test_cancelling_twice_is_refused(owner_api, shop, stocked):
    customer, sugar, _ = stocked
    invoice = invoice_create(
        business=shop,
        customer_id=customer.pk,
        items=[InvoiceItemInput(product_id=sugar.pk, quantity="1")],
        invoice_date=SALE_DAY,
    )
    owner_api.post(f"{URL}{invoice.pk}/cancel/", {}, format="json")
    before = rows()

    again = owner_api.post(f"{URL}{invoice.pk}/cancel/", {}, format="json")

    assert again.status_code == 400
    assert again.json()["code"] == "already_cancelled"
    assert again.json()["errors"] == {}  # the invoice is in the URL, not the body
    assert rows() == before


def test_an_invoice_in_the_future_is_refused(owner_api, stocked):
    customer, sugar, _ = stocked

    response = owner_api.post(
        URL,
        {
            "customer": customer.pk,
            "items": [{"product": sugar.pk, "quantity": "1"}],
            "invoice_date": "2999-01-01",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "future_date"
    assert list(response.json()["errors"]) == ["invoice_date"]
