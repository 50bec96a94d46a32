import pytest
from django.db import DatabaseError, connection, transaction

from execora.append_only import AppendOnlyError
from products.models import StockMovement
from tests.products.factories import make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def movement(shop):
    return make_product(shop, opening_stock="5").movements.get()


def test_saving_an_existing_movement_is_refused(movement):
    # when
    movement.note = "rewritten"
    # then
    with pytest.raises(AppendOnlyError):
        movement.save()
    assert StockMovement.objects.get(pk=movement.pk).note == "Opening stock"


def test_deleting_a_movement_is_refused(movement):
    with pytest.raises(AppendOnlyError):
        movement.delete()
    with pytest.raises(AppendOnlyError):
        StockMovement.objects.filter(pk=movement.pk).delete()
    assert StockMovement.objects.filter(pk=movement.pk).exists()


def test_queryset_update_of_movements_is_refused(movement):
    with pytest.raises(AppendOnlyError):
        StockMovement.objects.filter(pk=movement.pk).update(note="x")
    with pytest.raises(AppendOnlyError):
        StockMovement.objects.bulk_update([movement], ["note"])


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE products_stockmovement SET quantity = 100 WHERE id = %s",
        "DELETE FROM products_stockmovement WHERE id = %s",
    ],
)
def test_raw_sql_cannot_change_stock_history(movement, sql):
    # when / then: the database trigger refuses
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [movement.pk])
    assert StockMovement.objects.get(pk=movement.pk).quantity == movement.quantity
