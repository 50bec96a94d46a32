"""Hostile and careless input: always a 4xx with a clear message, never a row written."""

from __future__ import annotations

import json

import pytest

from tests.api_resources.helpers import Books, rows

pytestmark = pytest.mark.django_db

MEGABYTE = "x" * 1_000_000


# Where an amount or quantity goes, and a valid body around it.
def _amount_bodies(books: Books) -> dict[str, tuple[str, dict, str]]:
    sugar, customer = books.sugar.pk, books.customer.pk
    return {
        "payment": ("/api/v1/payments/", {"customer": customer}, "amount"),
        "credit": (f"/api/v1/customers/{customer}/credit/", {}, "amount"),
        "invoice_paid": (
            "/api/v1/invoices/",
            {"customer": customer, "items": [{"product": sugar, "quantity": "1"}]},
            "amount_paid",
        ),
        "product_price": (
            "/api/v1/products/",
            {"name": "Rice", "unit": "kg", "gst_rate": "5"},
            "selling_price",
        ),
        "customer_limit": ("/api/v1/customers/", {"name": "Suresh"}, "credit_limit"),
        "stock_change": (f"/api/v1/products/{sugar}/adjust-stock/", {}, "change"),
    }


@pytest.mark.parametrize(
    "where",
    ["payment", "credit", "invoice_paid", "product_price", "customer_limit", "stock_change"],
)
@pytest.mark.parametrize(
    "amount",
    [
        "-5",
        "abc",
        "1e3",
        "1E3",
        "NaN",
        "Infinity",
        "-Infinity",
        "",
        " ",
        "1.2345",
        " 5",
        "5\n",
        "0x10",
        "1,000",
        "12345678901234567890",
        "₹500",
        500.5,
        True,
        None,
        [],
        {},
    ],
)
def test_a_bad_amount_is_400_naming_the_field(owner_api, books, where, amount):
    path, body, field = _amount_bodies(books)[where]
    if where == "stock_change" and amount == "-5":
        pytest.skip("a negative adjustment is a valid count")
    if where == "customer_limit" and amount is None:
        pytest.skip("null means no credit limit")
    before = rows()

    response = owner_api.post(path, {**body, field: amount}, format="json")

    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert list(errors) == [field], errors
    assert errors[field][0]  # a message a person can act on
    assert rows() == before


def test_amount_messages_say_what_to_send(owner_api, books):
    def message(amount):
        response = owner_api.post(
            "/api/v1/payments/",
            {"customer": books.customer.pk, "amount": amount},
            format="json",
        )
        return response.json()["errors"]["amount"][0]

    assert (
        message("1e3")
        == 'Write a plain decimal number such as "500.00" (no spaces, exponent, NaN or Infinity).'
    )
    assert message(500.5) == 'Send this as a decimal string, e.g. "500.00", not a JSON number.'
    assert message("-5") == "Ensure this value is greater than or equal to 0.01."
    assert message("1.234") == "Ensure that there are no more than 2 decimal places."


def test_ten_thousand_items_are_refused_before_any_work(owner_api, books):
    before = rows()
    items = [{"product": books.sugar.pk, "quantity": "1"}] * 10_000

    response = owner_api.post(
        "/api/v1/invoices/", {"customer": books.customer.pk, "items": items}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "items": ["Ensure this field has no more than 500 elements."]
    }
    assert rows() == before


def test_no_items_is_refused(owner_api, books):
    response = owner_api.post(
        "/api/v1/invoices/", {"customer": books.customer.pk, "items": []}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["items"]


def test_unknown_and_foreign_product_ids_name_each_line(owner_api, books, their_books):
    before = rows()

    response = owner_api.post(
        "/api/v1/invoices/",
        {
            "customer": books.customer.pk,
            "items": [
                {"product": books.sugar.pk, "quantity": "1"},
                {"product": their_books.sugar.pk, "quantity": "1"},
                {"product": 987654321, "quantity": "1"},
            ],
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "items.1.product": [f"No product with id {their_books.sugar.pk} in this shop."],
        "items.2.product": ["No product with id 987654321 in this shop."],
    }
    assert rows() == before


@pytest.mark.parametrize("product", ["abc", 1.5, -1, 0, 2**64, True, {"id": 1}])
def test_a_product_that_is_not_an_id_is_400(owner_api, books, product):
    response = owner_api.post(
        "/api/v1/invoices/",
        {"customer": books.customer.pk, "items": [{"product": product, "quantity": "1"}]},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["items.0.product"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/customers/", {"name": MEGABYTE}, "name"),
        ("/api/v1/customers/", {"name": "Ramesh", "address": MEGABYTE}, "address"),
        (
            "/api/v1/products/",
            {"name": MEGABYTE, "unit": "kg", "selling_price": "1", "gst_rate": "0"},
            "name",
        ),
        (
            "/api/v1/invoices/",
            {"items": [{"description": MEGABYTE, "quantity": "1", "unit_price": "1"}]},
            "items.0.description",
        ),
        ("/api/v1/invoices/", {"items": [], "notes": MEGABYTE}, "notes"),
        ("/api/v1/payments/", {"amount": "1", "note": MEGABYTE}, "note"),
    ],
)
def test_a_megabyte_of_text_is_400(owner_api, books, path, body, field):
    before = rows()
    if path == "/api/v1/payments/":
        body = {**body, "customer": books.customer.pk}

    response = owner_api.post(path, body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][field][0].startswith("Ensure this field has no more than")
    assert rows() == before


def test_a_megabyte_name_in_a_patch_is_400_and_changes_nothing(owner_api, books):
    response = owner_api.patch(
        f"/api/v1/customers/{books.customer.pk}/", {"name": MEGABYTE}, format="json"
    )

    assert response.status_code == 400
    books.customer.refresh_from_db()
    assert books.customer.name == "Ramesh Kumar"


@pytest.mark.parametrize(
    "gstin", ["27AAPFU0939F1ZX", "27AAPFU0939F1Z", "ABCDEFGHIJKLMNO", "99AAPFU0939F1ZV"]
)
def test_an_invalid_gstin_is_400(owner_api, shop, gstin):
    before = rows()

    response = owner_api.post(
        "/api/v1/customers/", {"name": "Ramesh", "gstin": gstin}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["gstin"]
    assert "GSTIN" in response.json()["detail"]
    assert rows() == before


@pytest.mark.parametrize(
    "phone", ["12345", "5876543210", "98765432101", "phone", "+1 415 555 0100"]
)
def test_an_invalid_phone_is_400(owner_api, books, phone):
    before = rows()

    created = owner_api.post(
        "/api/v1/customers/", {"name": "Ramesh", "phone": phone}, format="json"
    )
    patched = owner_api.patch(
        f"/api/v1/customers/{books.customer.pk}/", {"phone": phone}, format="json"
    )

    for response in (created, patched):
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["phone"]
    assert rows() == before


@pytest.mark.parametrize("text", ["Ram\x00esh", "Ram\ud800esh"])
def test_text_the_database_cannot_store_is_400(owner_api, shop, text):
    body = json.dumps({"name": text}).encode()

    response = owner_api.post("/api/v1/customers/", body, content_type="application/json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["name"]


@pytest.mark.parametrize(
    "body",
    [b"[1, 2]", b'"just a string"', b"{", b'{"name": NaN}', b"\xff\xfe", b"null"],
)
def test_a_body_that_is_not_an_object_is_400(owner_api, shop, body):
    response = owner_api.post("/api/v1/customers/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"]


def test_an_item_list_that_is_not_a_list_is_400(owner_api, books):
    response = owner_api.post(
        "/api/v1/invoices/", {"items": {"product": books.sugar.pk}}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["items"]


@pytest.mark.parametrize(
    "query",
    [
        {"customer": "abc"},
        {"customer": "1.5"},
        {"date_from": "yesterday"},
        {"date_from": "10/05/2025"},
        {"status": ""},
        {"page": "0"},
        {"page_size": "-1"},
    ],
)
def test_bad_list_filters_are_4xx(owner_api, books, query):
    response = owner_api.get("/api/v1/invoices/", query)

    assert response.status_code in {400, 404}
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "path", ["/api/v1/customers/", "/api/v1/products/", "/api/v1/invoices/", "/api/v1/payments/"]
)
def test_the_books_take_json_only(owner_api, shop, path):
    # a form cannot tell an empty or null amount from one left out
    before = rows()

    response = owner_api.post(path, {"name": "Ramesh", "credit_limit": ""}, format="multipart")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert rows() == before


@pytest.mark.parametrize("name", [12, 1.5, True, ["Ramesh"], {"en": "Ramesh"}])
def test_a_name_that_is_not_text_is_400(owner_api, shop, name):
    response = owner_api.post("/api/v1/customers/", {"name": name}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["name"]
