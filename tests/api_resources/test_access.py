"""Every resource endpoint: 401 without credentials, 404 for another shop's object, 403 for
staff on the owner-only actions, and another shop's id in a body is a 400 that writes nothing."""

from __future__ import annotations

import pytest

from tests.api_resources.helpers import Books, rows

pytestmark = pytest.mark.django_db


def _valid_bodies(books: Books) -> dict[str, dict]:
    return {
        "customer": {"name": "Suresh"},
        "customer_patch": {"name": "Ramesh K."},
        "credit": {"amount": "50.00"},
        "opening": {"amount": "100.00"},
        "product": {"name": "Rice", "unit": "kg", "selling_price": "60.00", "gst_rate": "5"},
        "product_patch": {"selling_price": "47.00"},
        "adjust": {"change": "5", "kind": "purchase"},
        "invoice": {
            "customer": books.customer.pk,
            "items": [{"product": books.sugar.pk, "quantity": "1"}],
        },
        "cancel": {"reason": "test"},
        "payment": {"customer": books.customer.pk, "amount": "10.00"},
        "reverse": {"reason": "test"},
    }


# (method, path, body key): every operation of the customers, products, invoices,
# payments and ledger-entries resources. {c} {p} {i} {pay} {e} are the shop's ids.
ENDPOINTS = [
    ("get", "/api/v1/customers/", None),
    ("post", "/api/v1/customers/", "customer"),
    ("get", "/api/v1/customers/{c}/", None),
    ("patch", "/api/v1/customers/{c}/", "customer_patch"),
    ("get", "/api/v1/customers/{c}/ledger/", None),
    ("post", "/api/v1/customers/{c}/credit/", "credit"),
    ("post", "/api/v1/customers/{c}/opening-balance/", "opening"),
    ("get", "/api/v1/products/", None),
    ("post", "/api/v1/products/", "product"),
    ("get", "/api/v1/products/{p}/", None),
    ("patch", "/api/v1/products/{p}/", "product_patch"),
    ("delete", "/api/v1/products/{p}/", None),
    ("post", "/api/v1/products/{p}/adjust-stock/", "adjust"),
    ("get", "/api/v1/invoices/", None),
    ("post", "/api/v1/invoices/", "invoice"),
    ("get", "/api/v1/invoices/{i}/", None),
    ("post", "/api/v1/invoices/{i}/cancel/", "cancel"),
    ("get", "/api/v1/payments/", None),
    ("post", "/api/v1/payments/", "payment"),
    ("get", "/api/v1/payments/{pay}/", None),
    ("get", "/api/v1/ledger-entries/", None),
    ("get", "/api/v1/ledger-entries/{e}/", None),
    ("post", "/api/v1/ledger-entries/{e}/reverse/", "reverse"),
]
OBJECT_ENDPOINTS = [endpoint for endpoint in ENDPOINTS if "{" in endpoint[1]]


def _path(template: str, books: Books) -> str:
    return template.format(
        c=books.customer.pk,
        p=books.sugar.pk,
        i=books.invoice.pk,
        pay=books.payment.pk,
        e=books.credit.pk,
    )


def _call(client, method: str, path: str, body: dict | None):
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, body, format="json")


@pytest.mark.parametrize(("method", "template", "body"), ENDPOINTS)
def test_without_credentials_every_endpoint_is_401(anon, books, method, template, body):
    # given the shop's books and a caller with no token or session
    before = rows()

    # when they call the endpoint
    response = _call(anon, method, _path(template, books), _valid_bodies(books).get(body))

    # then it is a 401 in the one error shape, and nothing was written
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert rows() == before


@pytest.mark.parametrize(("method", "template", "body"), ENDPOINTS)
def test_a_bad_token_is_401(anon, books, method, template, body):
    anon.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = _call(anon, method, _path(template, books), _valid_bodies(books).get(body))

    assert response.status_code == 401


@pytest.mark.parametrize(("method", "template", "body"), OBJECT_ENDPOINTS)
def test_another_shops_object_is_404_and_untouched(
    owner_api, books, their_books, method, template, body
):
    # given an owner of one shop, and another shop's objects
    before = rows()
    their_balance = their_books.customer.balance

    # when the owner names the other shop's object (with a body valid for their own)
    response = _call(
        owner_api, method, _path(template, their_books), _valid_bodies(books).get(body)
    )

    # then it does not exist for them, and nothing changed anywhere
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert rows() == before
    their_books.customer.refresh_from_db()
    their_books.sugar.refresh_from_db()
    assert their_books.customer.balance == their_balance
    assert their_books.customer.name == "Ramesh Gupta"
    assert their_books.sugar.is_active
    assert their_books.sugar.selling_price == 46


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/invoices/", lambda mine, theirs: {
            "customer": theirs.customer.pk,
            "items": [{"product": mine.sugar.pk, "quantity": "1"}],
        }, "customer"),
        ("/api/v1/invoices/", lambda mine, theirs: {
            "customer": mine.customer.pk,
            "items": [
                {"product": mine.sugar.pk, "quantity": "1"},
                {"product": theirs.sugar.pk, "quantity": "1"},
            ],
        }, "items.1.product"),
        ("/api/v1/payments/", lambda mine, theirs: {
            "customer": theirs.customer.pk, "amount": "10.00"
        }, "customer"),
    ],
)  # fmt: skip
def test_another_shops_id_in_a_body_is_400_naming_the_field(
    owner_api, books, their_books, path, body, field
):
    # given a body naming the other shop's customer or product
    before = rows()

    response = owner_api.post(path, body(books, their_books), format="json")

    # then the field is at fault, as if the id did not exist, and nothing was written
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert rows() == before


@pytest.mark.parametrize(
    ("template", "body"),
    [
        ("/api/v1/invoices/{i}/cancel/", {"reason": "wrong"}),
        ("/api/v1/ledger-entries/{e}/reverse/", {"reason": "wrong"}),
    ],
)
def test_staff_may_not_cancel_invoices_or_reverse_entries(staff_api, books, template, body):
    before = rows()

    response = staff_api.post(_path(template, books), body, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "owner_only"
    assert rows() == before
    books.invoice.refresh_from_db()
    assert books.invoice.status == "issued"


@pytest.mark.parametrize(
    ("method", "template", "body"),
    [endpoint for endpoint in ENDPOINTS if not endpoint[1].endswith(("cancel/", "reverse/"))],
)
def test_staff_may_use_every_other_endpoint(staff_api, books, method, template, body):
    response = _call(staff_api, method, _path(template, books), _valid_bodies(books).get(body))

    assert response.status_code in {200, 201, 204}, response.content


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("delete", "/api/v1/customers/{c}/"),
        ("put", "/api/v1/customers/{c}/"),
        ("put", "/api/v1/products/{p}/"),
        ("patch", "/api/v1/invoices/{i}/"),
        ("delete", "/api/v1/invoices/{i}/"),
        ("delete", "/api/v1/payments/{pay}/"),
        ("patch", "/api/v1/payments/{pay}/"),
        ("delete", "/api/v1/ledger-entries/{e}/"),
        ("post", "/api/v1/ledger-entries/"),
    ],
)
def test_history_and_customers_cannot_be_deleted_or_rewritten(owner_api, books, method, path):
    before = rows()

    response = getattr(owner_api, method)(_path(path, books), {}, format="json")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert rows() == before


def _floats(value) -> list:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for item in value.values() for f in _floats(item)]
    if isinstance(value, list):
        return [f for item in value for f in _floats(item)]
    return []


@pytest.mark.parametrize(("method", "template", "body"), ENDPOINTS)
def test_money_and_quantities_are_never_json_numbers(owner_api, books, method, template, body):
    response = _call(owner_api, method, _path(template, books), _valid_bodies(books).get(body))

    assert response.status_code in {200, 201, 204}, response.content
    assert _floats(response.json() if response.content else None) == []
