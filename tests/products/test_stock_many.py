"""stock_move_many: several movements of locked products in one UPDATE and one INSERT."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from execora.exceptions import ApplicationError
from products.models import Product, StockMovement
from products.selectors import stock_discrepancies
from products.services import StockMove, products_lock, stock_move_many
from tests.products.factories import make_product

pytestmark = pytest.mark.django_db


def test_moves_of_several_products_take_one_update_and_one_insert(shop):
    # given
    sugar = make_product(shop, "Sugar", opening_stock="10")
    rice = make_product(shop, "Rice", opening_stock="4.5")
    # when
    with transaction.atomic():
        locked = products_lock(business=shop, product_ids=[sugar.pk, rice.pk])
        with CaptureQueriesContext(connection) as queries:
            movements = stock_move_many(
                moves=[
                    StockMove(product=locked[sugar.pk], change="-2", note="line 1"),
                    StockMove(product=locked[rice.pk], change="-0.25", note="line 2"),
                ],
                kind="sale",
                reference="INV/26-27/0001",
                source_type="invoice",
                source_id=7,
            )
    # then
    assert [query["sql"].split()[0] for query in queries.captured_queries] == [
        "UPDATE",
        "INSERT",
    ]
    assert [(m.product_id, m.quantity, m.stock_after, m.note) for m in movements] == [
        (sugar.pk, Decimal("-2.000"), Decimal("8.000"), "line 1"),
        (rice.pk, Decimal("-0.250"), Decimal("4.250"), "line 2"),
    ]
    assert all(m.pk is not None for m in movements)
    assert locked[sugar.pk].stock_quantity == Decimal("8.000")
    assert dict(Product.objects.values_list("pk", "stock_quantity")) == {
        sugar.pk: Decimal("8.000"),
        rice.pk: Decimal("4.250"),
    }
    stored = StockMovement.objects.get(pk=movements[1].pk)
    assert (stored.kind, stored.reference, stored.source_type, stored.source_id) == (
        "sale",
        "INV/26-27/0001",
        "invoice",
        7,
    )
    assert stored.created_at is not None
    assert stock_discrepancies(business=shop) == []


def test_moves_of_one_product_follow_each_other(shop):
    # given
    sugar = make_product(shop, "Sugar", opening_stock="10")
    # when: the same product on three lines
    with transaction.atomic():
        locked = products_lock(business=shop, product_ids=[sugar.pk])[sugar.pk]
        movements = stock_move_many(
            moves=[
                StockMove(product=locked, change="-1"),
                StockMove(product=locked, change="-2.5"),
                StockMove(product=locked, change="-3"),
            ],
            kind="sale",
        )
    # then
    assert [m.stock_after for m in movements] == [
        Decimal("9.000"),
        Decimal("6.500"),
        Decimal("3.500"),
    ]
    sugar.refresh_from_db()
    assert sugar.stock_quantity == Decimal("3.500")
    assert stock_discrepancies(business=shop) == []


def test_a_later_line_running_out_refuses_all_of_them_and_writes_nothing(shop):
    # given: 5 kg, sold as 3 + 3 on two lines
    sugar = make_product(shop, "Sugar", opening_stock="5")
    # when / then
    with pytest.raises(ApplicationError) as caught, transaction.atomic():
        locked = products_lock(business=shop, product_ids=[sugar.pk])[sugar.pk]
        stock_move_many(
            moves=[StockMove(product=locked, change="-3"), StockMove(product=locked, change="-3")],
            kind="sale",
        )
    assert caught.value.code == "insufficient_stock"
    assert caught.value.message == "Only 2.000 kg of Sugar in stock; cannot sell 3.000 kg."
    assert caught.value.extra["available"] == "2.000"
    sugar.refresh_from_db()
    assert sugar.stock_quantity == Decimal("5.000")
    assert sugar.movements.count() == 1


def test_a_stale_instance_is_refused_rather_than_losing_an_update(shop):
    # given: an instance read before another writer moved the stock
    sugar = make_product(shop, "Sugar", opening_stock="10")
    stale = Product.objects.get(pk=sugar.pk)
    with transaction.atomic():
        current = products_lock(business=shop, product_ids=[sugar.pk])[sugar.pk]
        stock_move_many(moves=[StockMove(product=current, change="-4")], kind="sale")
    # when / then
    with pytest.raises(transaction.TransactionManagementError), transaction.atomic():
        stock_move_many(moves=[StockMove(product=stale, change="-1")], kind="sale")
    sugar.refresh_from_db()
    assert sugar.stock_quantity == Decimal("6.000")
    assert stock_discrepancies(business=shop) == []


@pytest.mark.parametrize(("kind", "change"), [("sale", "2"), ("purchase", "-1"), ("theft", "1")])
def test_a_wrong_move_refuses_the_whole_batch(shop, kind, change):
    # given
    sugar = make_product(shop, "Sugar", opening_stock="10")
    # when / then
    with pytest.raises(ApplicationError), transaction.atomic():
        locked = products_lock(business=shop, product_ids=[sugar.pk])[sugar.pk]
        stock_move_many(
            moves=[
                StockMove(product=locked, change="-1"),
                StockMove(product=locked, change=change),
            ],
            kind=kind,
        )
    sugar.refresh_from_db()
    assert sugar.stock_quantity == Decimal("10.000")
    assert sugar.movements.count() == 1


def test_no_moves_write_nothing(shop):
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        assert stock_move_many(moves=[], kind="sale") == []
    assert [q for q in queries.captured_queries if "products_" in q["sql"]] == []


@pytest.mark.django_db(transaction=True)
def test_stock_move_many_needs_a_transaction(shop):
    sugar = make_product(shop, "Sugar", opening_stock="10")
    with pytest.raises(transaction.TransactionManagementError):
        stock_move_many(moves=[StockMove(product=sugar, change="1")], kind="purchase")
