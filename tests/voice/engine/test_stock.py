"""Products by command: stock levels with a low-stock warning, receipts, prices, new items."""

from __future__ import annotations

from decimal import Decimal

import pytest

from products.models import Product, StockMovement
from tests.voice.engine.conftest import books

pytestmark = pytest.mark.django_db


def test_stock_is_told_in_the_products_unit(say, shop, sugar):
    before = books(shop)
    result = say("cheeni kitni bachi hai")
    assert result.status == "answered"
    assert result.reply == "Sugar abhi 20 kilo bacha hai."
    assert result.data["product"]["low"] is False
    assert books(shop) == before


def test_low_stock_is_warned_about(say, shop, ramesh, sugar):
    # given sugar down to its warning level (5 kg)
    say("Ramesh ka bill banao 15 kilo cheeni")
    # when asked, the reply warns
    result = say("cheeni kitni bachi hai")
    assert result.reply == "Sugar abhi 5 kilo bacha hai. Stock kam hai, aur mangwa lijiye."
    assert result.data["product"]["low"] is True
    english = say("how much sugar is left")
    assert english.reply == "Sugar: 5 kg in stock. Running low, order more."


def test_stock_received_is_added_as_a_purchase(say, shop, owner, sugar):
    result = say("50 kilo cheeni stock mein daalo")
    movement = StockMovement.objects.get(business=shop, kind="purchase")
    assert (movement.product_id, movement.quantity, movement.created_by) == (
        sugar.pk,
        Decimal("50.000"),
        owner,
    )
    sugar.refresh_from_db()
    assert sugar.stock_quantity == Decimal("70.000")
    assert result.reply == "Sugar 50 kilo stock mein daal diya. Ab 70 kilo hai."


def test_a_price_is_changed(say, shop, oil):
    result = say("tel ka rate 190 rupaye litre kar do")
    oil.refresh_from_db()
    assert oil.selling_price == Decimal("190.00")
    assert result.reply == "Mustard Oil ka rate ab 190 rupaye litre hai."


def test_a_price_in_another_unit_is_refused(say, shop, sugar):
    before = books(shop)
    result = say("cheeni ka rate 50 rupaye packet kar do")
    assert result.status == "refused"
    assert result.reply == "Sugar kilo mein bikta hai; kilo mein boliye."
    assert books(shop) == before


def test_a_new_product_is_added(say, shop):
    result = say("naya product Maggi 14 rupaye packet")
    product = Product.objects.get(business=shop, name="Maggi")
    assert (product.unit, product.selling_price, product.stock_quantity) == (
        "packet",
        Decimal("14.00"),
        Decimal("0.000"),
    )
    assert result.reply == "Naya saaman Maggi jod diya, 14 rupaye packet."


def test_a_new_product_needs_its_price(say, shop):
    before = books(shop)
    result = say("naya product Maggi")
    assert result.status == "refused"
    assert result.reply == "Daam bhi boliye, jaise: naya product Maggi 14 rupaye packet."
    assert books(shop) == before


def test_an_existing_product_is_not_added_twice(say, shop, sugar):
    before = books(shop)
    result = say("naya product cheeni 40 rupaye kilo")
    assert result.status == "refused"
    assert result.reply == "Sugar pehle se saaman mein hai."
    assert books(shop) == before


def test_an_unknown_product_is_said_not_found(say, shop, sugar):
    before = books(shop)
    result = say("20 kilo kaju stock mein daalo")
    assert result.status == "refused"
    assert result.reply == "Kaju naam ka koi saaman nahi hai."
    assert books(shop) == before
