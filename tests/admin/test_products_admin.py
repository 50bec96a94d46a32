"""Products are created and edited through products.services; stock moves only by movements."""

from __future__ import annotations

from decimal import Decimal

import pytest

from products.models import Product, StockMovement
from products.selectors import stock_discrepancies
from tests.admin.helpers import (
    apply_action,
    change_url,
    changelist_url,
    messages_of,
    operation_url,
    start_action,
)
from tests.products.factories import make_product

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/products/product/add/"


def product_form(**values: str) -> dict[str, str]:
    form = {
        "name": "",
        "aliases": "",
        "unit": "kg",
        "is_active": "on",
        "selling_price": "",
        "price_includes_tax": "on",
        "gst_rate": "5",
        "sku": "",
        "hsn_code": "",
        "low_stock_level": "",
    }
    form.update(values)
    return {key: value for key, value in form.items() if value is not None}


def test_add_with_opening_stock_goes_through_the_service(owner_client, shop):
    # when
    response = owner_client.post(
        ADD_URL,
        product_form(
            name="Atta", aliases="gehun ka atta, आटा", selling_price="42.50", opening_stock="12.5"
        ),
    )

    # then: the product, and its opening stock as a movement
    assert response.status_code == 302, response.content.decode()[-2000:]
    product = Product.objects.get(business=shop)
    assert (product.name, product.selling_price, product.gst_rate) == (
        "Atta",
        Decimal("42.50"),
        Decimal("5"),
    )
    assert product.aliases == ["gehun ka atta", "आटा"]
    assert product.stock_quantity == Decimal("12.500")
    movement = StockMovement.objects.get(product=product)
    assert (movement.kind, movement.quantity) == (StockMovement.Kind.OPENING, Decimal("12.500"))


def test_edit_changes_the_catalogue_but_never_the_stock(owner_client, books_a):
    product = books_a.product  # 18 kg left

    # when: the price is changed, with a stock figure smuggled into the POST
    response = owner_client.post(
        change_url(product),
        product_form(name="Sugar", selling_price="48.00", stock_quantity="999"),
    )

    # then
    assert response.status_code == 302, response.content.decode()[-2000:]
    product.refresh_from_db()
    assert product.selling_price == Decimal("48.00")
    assert product.stock_quantity == Decimal("18.000")
    assert stock_discrepancies(business=books_a.shop) == []


def test_edit_refused_by_the_service_shows_the_reason(owner_client, books_a, shop):
    # given: another product
    rice = make_product(shop, "Rice")

    # when: renamed to an existing product's name (in another case)
    response = owner_client.post(change_url(rice), product_form(name="SUGAR", selling_price="60"))

    # then
    assert response.status_code == 200
    assert "This shop already has a product with this name." in response.content.decode()
    rice.refresh_from_db()
    assert rice.name == "Rice"


def test_adjust_stock_action_records_a_movement(owner_client, books_a, shop):
    # given: sugar (18 kg) and oil (0 l)
    oil = make_product(shop, "Oil", unit="l")

    # when: the action's form is opened, then 10 of each bought
    assert (
        start_action(owner_client, Product, "adjust_stock", [books_a.product, oil]).status_code
        == 200
    )
    response = apply_action(
        owner_client,
        Product,
        "adjust_stock",
        [books_a.product, oil],
        change="10",
        kind="purchase",
        note="Bill 42",
    )

    # then: each moved by its own purchase movement
    assert response.status_code == 302
    books_a.product.refresh_from_db()
    oil.refresh_from_db()
    assert (books_a.product.stock_quantity, oil.stock_quantity) == (Decimal("28"), Decimal("10"))
    movement = StockMovement.objects.filter(product=oil).get()
    assert (movement.kind, movement.note) == (StockMovement.Kind.PURCHASE, "Bill 42")
    assert "Sugar: purchase of 10 kg; stock 18 → 28 kg." in messages_of(response)
    assert stock_discrepancies(business=shop) == []


def test_adjust_stock_below_zero_is_refused_and_changes_nothing(owner_client, books_a):
    product = books_a.product
    movements = StockMovement.objects.count()

    # when: 25 kg are taken out of 18 from the product's page
    response = owner_client.post(
        operation_url(product, "adjust-stock"),
        {"change": "-25", "kind": "adjustment", "note": "count", "apply": "1"},
    )

    # then
    assert response.status_code == 302 and response.url == change_url(product)
    assert any("Only 18.000 kg of Sugar in stock" in m for m in messages_of(response))
    product.refresh_from_db()
    assert product.stock_quantity == Decimal("18.000")
    assert StockMovement.objects.count() == movements


def test_a_purchase_cannot_be_negative(owner_client, books_a):
    response = owner_client.post(
        operation_url(books_a.product, "adjust-stock"),
        {"change": "-2", "kind": "purchase", "apply": "1"},
    )

    assert any("must be positive" in m for m in messages_of(response))
    books_a.product.refresh_from_db()
    assert books_a.product.stock_quantity == Decimal("18.000")


def test_low_stock_filter_and_flag(owner_client, shop):
    low = make_product(shop, "Maggi", unit="packet", opening_stock="3", low_stock_level="5")
    plenty = make_product(shop, "Parle-G", unit="packet", opening_stock="50", low_stock_level="5")

    page = owner_client.get(changelist_url(Product), {"stock": "low"}).content.decode()

    assert change_url(low) in page and change_url(plenty) not in page
    assert 'alt="True"' in page  # the low-stock column's tick


def test_search_finds_a_product_by_its_hindi_alias(staff_client, shop):
    sugar = make_product(shop, "Sugar", aliases=["cheeni", "चीनी"])
    salt = make_product(shop, "Salt")

    page = staff_client.get(changelist_url(Product), {"q": "chini"}).content.decode()

    assert change_url(sugar) in page and change_url(salt) not in page


def test_products_cannot_be_deleted_from_the_admin(owner_client, books_a):
    response = owner_client.post(
        f"{changelist_url(Product)}{books_a.product.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
