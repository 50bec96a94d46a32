import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from execora.exceptions import ApplicationError, NotFound
from products.models import Product, StockMovement
from products.selectors import stock_discrepancies
from products.services import products_lock, stock_adjust, stock_move
from tests.factories import BusinessFactory
from tests.products.factories import make_product


@pytest.mark.django_db
def test_stock_move_sale_appends_movement_and_moves_cached_stock(shop, owner):
    # given
    product = make_product(shop, opening_stock="10")
    # when
    with transaction.atomic():
        locked = products_lock(business=shop, product_ids=[product.pk])[product.pk]
        movement = stock_move(
            product=locked,
            change="-2.5",
            kind="sale",
            user=owner,
            reference="INV/26-27/0001",
            source_type="invoice",
            source_id=7,
        )
    # then
    product.refresh_from_db()
    assert product.stock_quantity == Decimal("7.500")
    assert locked.stock_quantity == Decimal("7.500")
    assert movement.stock_after == Decimal("7.500")
    assert movement.quantity == Decimal("-2.500")
    assert (movement.reference, movement.source_type, movement.source_id) == (
        "INV/26-27/0001",
        "invoice",
        7,
    )
    assert stock_discrepancies(business=shop) == []


@pytest.mark.django_db
def test_stock_move_refuses_to_sell_more_than_in_stock(shop):
    # given
    product = make_product(shop, "Sugar", unit="kg", opening_stock="3")
    # when
    with pytest.raises(ApplicationError) as caught, transaction.atomic():
        locked = products_lock(business=shop, product_ids=[product.pk])[product.pk]
        stock_move(product=locked, change="-5", kind="sale")
    # then
    error = caught.value
    assert error.code == "insufficient_stock"
    assert error.message == "Only 3.000 kg of Sugar in stock; cannot sell 5.000 kg."
    assert "Sugar" in error.message_hi and "3.000" in error.message_hi
    product.refresh_from_db()
    assert product.stock_quantity == Decimal("3.000")
    assert product.movements.count() == 1


@pytest.mark.django_db
def test_stock_move_refuses_any_sale_at_zero_but_allows_it_when_negative_allowed(shop):
    # given
    empty = make_product(shop, "Sugar")
    loose = make_product(shop, "Milk", unit="l", allow_negative_stock=True)
    # when / then
    with pytest.raises(ApplicationError) as caught, transaction.atomic():
        stock_move(product=empty, change="-0.001", kind="sale")
    assert caught.value.code == "insufficient_stock"
    with transaction.atomic():
        stock_move(product=loose, change="-2", kind="sale")
    loose.refresh_from_db()
    assert loose.stock_quantity == Decimal("-2.000")
    assert not empty.movements.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "change"),
    [
        ("sale", "2"),
        ("purchase", "-2"),
        ("return", "-1"),
        ("adjustment", "0"),
        ("theft", "1"),
        ("adjustment", 1.5),
        ("adjustment", "1.0001"),
    ],
)
def test_stock_move_refuses_wrong_direction_zero_floats_and_unknown_kinds(shop, kind, change):
    # given
    product = make_product(shop, opening_stock="10")
    # when / then
    with pytest.raises(ApplicationError), transaction.atomic():
        stock_move(product=product, change=change, kind=kind)
    product.refresh_from_db()
    assert product.stock_quantity == Decimal("10.000")
    assert product.movements.count() == 1


@pytest.mark.django_db(transaction=True)
def test_stock_move_and_products_lock_need_a_transaction():
    # given: no test transaction around us, so autocommit like a bare caller
    shop = BusinessFactory()
    product = make_product(shop)
    # when / then
    with pytest.raises(transaction.TransactionManagementError):
        stock_move(product=product, change="1", kind="purchase")
    with pytest.raises(transaction.TransactionManagementError):
        products_lock(business=shop, product_ids=[product.pk])


@pytest.mark.django_db
def test_products_lock_returns_the_shops_products_and_refuses_others(shop, other_shop):
    # given
    first = make_product(shop, "Sugar")
    second = make_product(shop, "Salt")
    theirs = make_product(other_shop, "Rice")
    # when
    with transaction.atomic():
        locked = products_lock(business=shop, product_ids=[second.pk, first.pk, first.pk])
        # then
        assert sorted(locked) == sorted([first.pk, second.pk])
        with pytest.raises(NotFound) as caught:
            products_lock(business=shop, product_ids=[first.pk, theirs.pk])
        assert caught.value.extra["missing"] == [theirs.pk]


@pytest.mark.django_db
def test_stock_adjust_records_purchase_count_and_return(shop, owner):
    # given
    product = make_product(shop, opening_stock="4")
    # when
    stock_adjust(business=shop, product_id=product.pk, change="10", kind="purchase", user=owner)
    stock_adjust(business=shop, product_id=product.pk, change="-1.5", note="spilt")
    stock_adjust(business=shop, product_id=product.pk, change="0.5", kind="return")
    # then
    product.refresh_from_db()
    assert product.stock_quantity == Decimal("13.000")
    assert [m.kind for m in product.movements.order_by("pk")] == [
        "opening",
        "purchase",
        "adjustment",
        "return",
    ]
    assert [m.stock_after for m in product.movements.order_by("pk")] == [
        Decimal("4.000"),
        Decimal("14.000"),
        Decimal("12.500"),
        Decimal("13.000"),
    ]


@pytest.mark.django_db
def test_stock_adjust_refuses_sale_kind_and_other_shops_products(shop, other_shop):
    # given
    product = make_product(shop, opening_stock="4")
    theirs = make_product(other_shop, opening_stock="4")
    # when / then
    with pytest.raises(ApplicationError):
        stock_adjust(business=shop, product_id=product.pk, change="-1", kind="sale")
    with pytest.raises(NotFound):
        stock_adjust(business=shop, product_id=theirs.pk, change="1")
    theirs.refresh_from_db()
    assert theirs.stock_quantity == Decimal("4.000")


@pytest.mark.django_db
def test_stock_discrepancies_names_a_product_whose_cache_was_tampered_with(shop):
    # given
    product = make_product(shop, "Sugar", opening_stock="5")
    # when: raw SQL bypasses the services
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE products_product SET stock_quantity = stock_quantity + 1 WHERE id = %s",
            [product.pk],
        )
    # then
    problems = stock_discrepancies()
    assert len(problems) == 1
    assert "Sugar" in problems[0] and "6.000" in problems[0] and "5.000" in problems[0]


@pytest.mark.django_db(transaction=True)
def test_concurrent_stock_removals_never_take_stock_below_zero():
    # given: 10 kg and 20 threads each taking 1 kg on their own connection
    shop = BusinessFactory()
    product = make_product(shop, "Sugar", opening_stock="10")
    outcomes: list[str] = []
    barrier = threading.Barrier(20)

    def take_one() -> None:
        try:
            barrier.wait()
            stock_adjust(business=shop, product_id=product.pk, change="-1")
            outcomes.append("ok")
        except ApplicationError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    # when
    threads = [threading.Thread(target=take_one) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: exactly ten succeeded, the rest were refused, and the books agree
    assert outcomes.count("ok") == 10
    assert outcomes.count("insufficient_stock") == 10
    product.refresh_from_db()
    assert product.stock_quantity == Decimal("0.000")
    assert sorted(
        StockMovement.objects.filter(product=product).values_list("stock_after", flat=True)
    ) == [Decimal(n) for n in range(11)]
    assert Product.objects.get(pk=product.pk).stock_quantity >= 0
    assert stock_discrepancies() == []
