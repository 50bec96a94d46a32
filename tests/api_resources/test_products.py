"""/api/v1/products/: catalogue CRUD, low stock, search, stock adjustments."""

from __future__ import annotations

from decimal import Decimal

import pytest

from products.models import Product, StockMovement
from tests.api_resources.helpers import rows, stock
from tests.products.factories import make_product

pytestmark = pytest.mark.django_db

URL = "/api/v1/products/"


def test_create_posts_the_opening_stock(owner_api, owner, shop):
    response = owner_api.post(
        URL,
        {
            "name": "Sugar",
            "aliases": ["cheeni", "चीनी"],
            "unit": "kg",
            "selling_price": "46.00",
            "gst_rate": "5",
            "hsn_code": "1701",
            "low_stock_level": "10",
            "opening_stock": "42.5",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    product = Product.objects.get(pk=body["id"])
    assert product.business == shop
    assert body["stock_quantity"] == "42.500"
    assert body["gst_rate"] == "5.00"
    assert body["is_low_stock"] is False
    movement = StockMovement.objects.get(product=product)
    assert (movement.kind, movement.quantity, movement.created_by) == (
        "opening",
        Decimal("42.500"),
        owner,
    )


def test_create_refuses_a_gst_rate_that_does_not_exist(owner_api):
    response = owner_api.post(
        URL,
        {"name": "Sugar", "unit": "kg", "selling_price": "46", "gst_rate": "7"},
        format="json",
    )

    assert response.status_code == 400
    assert "gst_rate" in response.json()["errors"]
    assert not Product.objects.exists()


def test_create_refuses_a_duplicate_name(owner_api, shop):
    make_product(shop, "Sugar")

    response = owner_api.post(
        URL, {"name": "sugar", "unit": "kg", "selling_price": "46", "gst_rate": "5"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "This shop already has a product with this name."
    assert Product.objects.count() == 1


def test_low_stock_lists_only_products_at_or_below_their_level(owner_api, shop):
    low = make_product(shop, "Sugar", opening_stock="5", low_stock_level="10")
    make_product(shop, "Rice", opening_stock="50", low_stock_level="10")
    make_product(shop, "Salt", opening_stock="1")  # no level: never low

    low_only = owner_api.get(URL, {"low_stock": "1"}).json()["results"]
    everything = owner_api.get(URL, {"low_stock": "0"}).json()["results"]

    assert [row["id"] for row in low_only] == [low.pk]
    assert low_only[0]["is_low_stock"] is True
    assert len(everything) == 3


def test_a_flag_that_is_not_yes_or_no_is_400(owner_api):
    response = owner_api.get(URL, {"low_stock": "maybe"})

    assert response.status_code == 400
    assert "low_stock" in response.json()["errors"]


def test_search_finds_by_alias_best_first(owner_api, shop):
    sugar = make_product(shop, "Sugar", aliases=["cheeni"])
    make_product(shop, "Chana dal")
    make_product(shop, "Rice")

    results = owner_api.get(URL, {"search": "chini"}).json()["results"]

    assert results[0]["id"] == sugar.pk
    assert "Rice" not in {row["name"] for row in results}


def test_patch_changes_the_price_and_refuses_the_stock(owner_api, shop):
    sugar = make_product(shop, "Sugar", opening_stock="10")

    priced = owner_api.patch(f"{URL}{sugar.pk}/", {"selling_price": "48.50"}, format="json")
    restocked = owner_api.patch(f"{URL}{sugar.pk}/", {"stock_quantity": "99"}, format="json")

    assert priced.status_code == 200
    assert priced.json()["selling_price"] == "48.50"
    assert restocked.status_code == 400
    assert "adjust-stock" in restocked.json()["errors"]["stock_quantity"][0]
    sugar.refresh_from_db()
    assert (sugar.selling_price, sugar.stock_quantity) == (Decimal("48.50"), Decimal("10.000"))


def test_delete_deactivates_and_keeps_the_product(owner_api, shop):
    sugar = make_product(shop, "Sugar", opening_stock="10")
    make_product(shop, "Rice")

    response = owner_api.delete(f"{URL}{sugar.pk}/")

    assert response.status_code == 204
    sugar.refresh_from_db()
    assert sugar.is_active is False
    assert [row["name"] for row in owner_api.get(URL).json()["results"]] == ["Rice"]
    assert len(owner_api.get(URL, {"include_inactive": "true"}).json()["results"]) == 2
    assert owner_api.get(f"{URL}{sugar.pk}/").json()["is_active"] is False
    assert owner_api.delete(f"{URL}{sugar.pk}/").status_code == 204
    # and PATCH brings it back
    back = owner_api.patch(f"{URL}{sugar.pk}/", {"is_active": True}, format="json")
    assert back.json()["is_active"] is True


def test_adjust_stock_records_a_purchase(owner_api, owner, shop):
    sugar = make_product(shop, "Sugar", opening_stock="10")

    response = owner_api.post(
        f"{URL}{sugar.pk}/adjust-stock/",
        {"change": "25", "kind": "purchase", "note": "Bill 2231"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["quantity"], body["stock_after"], body["note"]) == (
        "purchase",
        "25.000",
        "35.000",
        "Bill 2231",
    )
    assert stock(sugar) == Decimal("35.000")
    assert StockMovement.objects.get(pk=body["id"]).created_by == owner


def test_adjust_stock_below_zero_is_refused_and_writes_nothing(owner_api, shop):
    sugar = make_product(shop, "Sugar", opening_stock="10")
    before = rows()

    response = owner_api.post(
        f"{URL}{sugar.pk}/adjust-stock/", {"change": "-10.5", "kind": "adjustment"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "insufficient_stock"
    assert list(response.json()["errors"]) == ["change"]
    assert rows() == before
    assert stock(sugar) == Decimal("10.000")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"change": "-5", "kind": "purchase"}, "change"),
        ({"change": "5", "kind": "sale"}, "kind"),
        ({"change": "0", "kind": "adjustment"}, "change"),
        ({"change": "1.2345"}, "change"),
    ],
)
def test_adjust_stock_refuses_what_is_not_a_stock_change(owner_api, shop, body, field):
    sugar = make_product(shop, "Sugar", opening_stock="10")

    response = owner_api.post(f"{URL}{sugar.pk}/adjust-stock/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert stock(sugar) == Decimal("10.000")
