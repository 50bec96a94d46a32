"""Idempotency-Key on POST invoices, payments and udhaar: a retry bills and charges once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from customers.models import Customer
from execora.models import IdempotencyRecord
from invoices.models import Invoice
from ledger.models import Payment
from tests.api.conftest import in_thread, token_client
from tests.api_resources.helpers import balance, books_of, rows, stock
from tests.factories import BusinessFactory, member


def _invoice(books) -> dict:
    return {
        "customer": books.customer.pk,
        "items": [
            {"product": books.sugar.pk, "quantity": "2"},
            {"product": books.maggi.pk, "quantity": "3"},
            {"description": "Carry bag", "quantity": "1", "unit_price": "5.00"},
        ],
        "amount_paid": "50.00",
    }


def _post(api, path, body, key):
    return api.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_a_repeated_invoice_returns_the_first_and_bills_once(owner_api, books):
    invoices, sugar_before = Invoice.objects.count(), stock(books.sugar)
    balance_before = balance(books.customer)

    first = _post(owner_api, "/api/v1/invoices/", _invoice(books), "bill-1")
    again = _post(owner_api, "/api/v1/invoices/", _invoice(books), "bill-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"]
    assert Invoice.objects.count() == invoices + 1
    assert stock(books.sugar) == sugar_before - 2
    assert balance(books.customer) == balance_before + Decimal(first.json()["amount_due"])


@pytest.mark.django_db
def test_the_same_key_with_another_invoice_is_422(owner_api, books):
    _post(owner_api, "/api/v1/invoices/", _invoice(books), "bill-1")
    before = rows()

    other = {**_invoice(books), "amount_paid": "60.00"}
    response = _post(owner_api, "/api/v1/invoices/", other, "bill-1")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert rows() == before


@pytest.mark.django_db
def test_a_refused_invoice_is_replayed_as_the_same_refusal(owner_api, books):
    body = {**_invoice(books), "items": [{"product": books.sugar.pk, "quantity": "1000"}]}
    before = rows()

    first = _post(owner_api, "/api/v1/invoices/", body, "bill-1")
    again = _post(owner_api, "/api/v1/invoices/", body, "bill-1")

    assert first.status_code == again.status_code == 400
    assert first.json()["code"] == "insufficient_stock"
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert rows() == before


@pytest.mark.django_db
def test_a_repeated_payment_returns_the_first_and_charges_once(owner_api, books):
    body = {"customer": books.customer.pk, "amount": "40.00", "mode": "upi"}
    before = balance(books.customer)

    first = _post(owner_api, "/api/v1/payments/", body, "pay-1")
    again = _post(owner_api, "/api/v1/payments/", body, "pay-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert Payment.objects.filter(customer=books.customer).count() == 2  # books' one + this
    assert balance(books.customer) == before - Decimal("40.00")


@pytest.mark.django_db
def test_a_repeated_udhaar_is_posted_once(owner_api, books):
    url = f"/api/v1/customers/{books.customer.pk}/credit/"
    before = balance(books.customer)

    first = _post(owner_api, url, {"amount": "70"}, "credit-1")
    again = _post(owner_api, url, {"amount": "70"}, "credit-1")

    assert again.json() == first.json()
    assert balance(books.customer) == before + 70


@pytest.mark.django_db
def test_a_key_is_the_callers_own(owner_api, staff_api, books):
    body = {"customer": books.customer.pk, "amount": "10.00"}

    _post(owner_api, "/api/v1/payments/", body, "same")
    _post(staff_api, "/api/v1/payments/", body, "same")

    assert Payment.objects.filter(amount=Decimal("10.00")).count() == 2


def _concurrently(count: int, call) -> list:
    start = threading.Barrier(count)

    @in_thread
    def attempt(_):
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(attempt, range(count)))


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_invoices_with_one_key_bill_once(settings):
    # given one shop's books and ten clients sending the same invoice with one key
    settings.API_THROTTLE_USER = "100000/min"
    shop = BusinessFactory()
    owner = member(shop, "owner", username="owner")
    books = books_of(shop)
    sugar_before = stock(books.sugar)

    responses = _concurrently(
        10,
        lambda: _post(token_client(owner), "/api/v1/invoices/", _invoice(books), "same-key"),
    )

    # then one invoice was issued; the others got it replayed or were told to retry
    codes = [response.status_code for response in responses]
    assert set(codes) <= {201, 409}, codes
    assert Invoice.objects.filter(business=shop).count() == 2  # books' one + this
    created = [response.json() for response in responses if response.status_code == 201]
    assert created and all(body == created[0] for body in created)
    assert stock(books.sugar) == sugar_before - 2
    assert IdempotencyRecord.objects.get(key="same-key").state == "completed"


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_payments_with_one_key_charge_once(settings):
    settings.API_THROTTLE_USER = "100000/min"
    shop = BusinessFactory()
    owner = member(shop, "owner", username="owner")
    books = books_of(shop)
    before = balance(books.customer)
    body = {"customer": books.customer.pk, "amount": "25.00"}

    responses = _concurrently(
        10, lambda: _post(token_client(owner), "/api/v1/payments/", body, "same-key")
    )

    assert {response.status_code for response in responses} <= {201, 409}
    assert Payment.objects.filter(business=shop, amount=Decimal("25.00")).count() == 1
    assert Customer.objects.get(pk=books.customer.pk).balance == before - Decimal("25.00")
