from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from execora.exceptions import ApplicationError, NotFound
from products.models import Product, StockMovement
from products.selectors import product_get, product_list
from products.services import product_create, product_update
from tests.products.factories import make_product

pytestmark = pytest.mark.django_db


def test_product_create_stores_catalogue_fields_and_mrp_default(shop):
    # when
    product = product_create(
        business=shop,
        name="  Tata Salt ",
        unit="packet",
        selling_price="28.00",
        gst_rate="5",
        aliases=["namak", " नमक ", ""],
        sku="TS-1",
        hsn_code="2501",
        low_stock_level="10",
    )
    # then
    product.refresh_from_db()
    assert product.name == "Tata Salt"
    assert product.aliases == ["namak", "नमक"]
    assert product.selling_price == Decimal("28.00")
    assert product.gst_rate == Decimal("5")
    assert product.price_includes_tax is True
    assert product.stock_quantity == Decimal("0.000")
    assert not product.movements.exists()


def test_product_create_with_opening_stock_posts_an_opening_movement(shop, owner):
    # when
    product = make_product(shop, opening_stock="12.5", user=owner)
    # then
    movement = product.movements.get()
    assert movement.kind == StockMovement.Kind.OPENING
    assert movement.quantity == Decimal("12.500")
    assert movement.stock_after == Decimal("12.500")
    assert movement.created_by == owner
    product.refresh_from_db()
    assert product.stock_quantity == Decimal("12.500")


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("gst_rate", {"gst_rate": "7"}),
        ("selling_price", {"selling_price": "-1"}),
        ("selling_price", {"selling_price": 45.5}),
        ("selling_price", {"selling_price": "45.555"}),
        ("hsn_code", {"hsn_code": "123"}),
        ("unit", {"unit": "tonne"}),
        ("opening_stock", {"opening_stock": "-2"}),
        ("name", {"name": "  "}),
        ("aliases", {"aliases": "cheeni"}),
    ],
)
def test_product_create_refuses_bad_input_and_writes_nothing(shop, field, kwargs):
    # given
    values = {"name": "Sugar", "unit": "kg", "selling_price": "45", "gst_rate": "5"} | kwargs
    # when
    with pytest.raises(ApplicationError) as caught:
        product_create(business=shop, **values)
    # then
    assert caught.value.field == field
    assert not Product.objects.exists()
    assert not StockMovement.objects.exists()


def test_product_names_are_unique_per_shop_ignoring_case(shop, other_shop):
    # given
    make_product(shop, "Sugar")
    # when / then: same shop, other case
    with pytest.raises(ApplicationError):
        make_product(shop, "SUGAR")
    # another shop may use the name
    make_product(other_shop, "sugar")
    assert Product.objects.filter(business=shop).count() == 1


def test_sku_is_unique_per_shop_only_when_set(shop):
    # given
    make_product(shop, "Sugar", sku="")
    make_product(shop, "Salt", sku="")
    make_product(shop, "Rice", sku="R1")
    # when / then
    with pytest.raises(ApplicationError):
        make_product(shop, "Dal", sku="R1")


def test_database_refuses_invalid_gst_rate_even_past_the_service(shop):
    # given
    product = make_product(shop)
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(gst_rate=Decimal("7"))


def test_database_refuses_negative_stock_unless_allowed(shop):
    # given
    strict = make_product(shop, "Sugar")
    relaxed = make_product(shop, "Milk", allow_negative_stock=True)
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=strict.pk).update(stock_quantity=Decimal("-1"))
    Product.objects.filter(pk=relaxed.pk).update(stock_quantity=Decimal("-1"))


def test_product_update_changes_fields_but_refuses_stock(shop):
    # given
    product = make_product(shop, opening_stock="5")
    # when
    updated = product_update(
        business=shop, product_id=product.pk, selling_price="50.50", gst_rate=12
    )
    # then
    product.refresh_from_db()
    assert updated.selling_price == product.selling_price == Decimal("50.50")
    assert product.gst_rate == Decimal("12")
    with pytest.raises(ApplicationError) as caught:
        product_update(business=shop, product_id=product.pk, stock_quantity="100")
    assert caught.value.code == "stock_not_editable"
    product.refresh_from_db()
    assert product.stock_quantity == Decimal("5.000")


def test_product_update_refuses_another_shops_product(shop, other_shop):
    # given
    theirs = make_product(other_shop)
    # when / then
    with pytest.raises(NotFound):
        product_update(business=shop, product_id=theirs.pk, selling_price="1")
    theirs.refresh_from_db()
    assert theirs.selling_price == Decimal("45.00")


def test_product_get_scopes_by_shop(shop, other_shop):
    # given
    mine = make_product(shop)
    theirs = make_product(other_shop)
    # then
    assert product_get(business=shop, product_id=mine.pk) == mine
    with pytest.raises(NotFound):
        product_get(business=shop, product_id=theirs.pk)


def test_product_list_low_stock_keeps_products_at_or_below_their_level(shop, other_shop):
    # given
    make_product(shop, "Sugar", opening_stock="2", low_stock_level="5")
    make_product(shop, "Salt", opening_stock="5", low_stock_level="5")
    make_product(shop, "Rice", opening_stock="50", low_stock_level="5")
    make_product(shop, "Dal", opening_stock="0")  # no level: never low
    make_product(other_shop, "Atta", opening_stock="0", low_stock_level="5")
    inactive = make_product(shop, "Old soap", low_stock_level="5")
    product_update(business=shop, product_id=inactive.pk, is_active=False)
    # when
    low = product_list(business=shop, low_stock=True)
    # then
    assert [p.name for p in low] == ["Salt", "Sugar"]
    assert [p.name for p in product_list(business=shop)] == ["Dal", "Rice", "Salt", "Sugar"]
