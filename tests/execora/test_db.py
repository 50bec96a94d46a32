"""execora.db: the hot path's row locks and inserts, written out from the models' metadata."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from customers.models import Customer
from execora.db import rows_insert, shop_rows_lock
from ledger.models import JournalEntry, JournalLine
from ledger.services import accounts_ensure
from tests.ledger.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_shop_rows_lock_returns_only_the_shops_rows_in_key_order_for_update(shop, other_shop):
    # given
    second, first = CustomerFactory(business=shop), CustomerFactory(business=shop)
    theirs = CustomerFactory(business=other_shop)
    wanted = sorted([second.pk, first.pk, theirs.pk])
    # when
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        rows = shop_rows_lock(Customer, business=shop, ids=wanted)
    # then: another shop's row is simply absent; whole instances, locked
    assert [row.pk for row in rows] == sorted([second.pk, first.pk])
    assert all(isinstance(row, Customer) and row.name for row in rows)
    (select,) = [q["sql"] for q in queries.captured_queries if "customers_customer" in q["sql"]]
    assert select.endswith("FOR UPDATE")


def test_shop_rows_lock_of_no_ids_runs_no_query(shop):
    with CaptureQueriesContext(connection) as queries:
        assert shop_rows_lock(Customer, business=shop, ids=[]) == []
    assert queries.captured_queries == []


def test_rows_insert_writes_what_bulk_create_writes_in_one_statement(shop):
    # given
    customer = CustomerFactory(business=shop)
    accounts = accounts_ensure(business=shop)
    (entry,) = rows_insert(
        [
            JournalEntry(
                business=shop,
                date=datetime.date(2026, 5, 2),
                source_type="credit",
                reference="R-1",
                memo="Udhaar",
            )
        ]
    )
    lines = [
        JournalLine(
            entry=entry,
            business=shop,
            account=accounts["receivables"],
            customer=customer,
            debit=Decimal("12.50"),
            credit=Decimal("0"),
        ),
        JournalLine(
            entry=entry,
            business=shop,
            account=accounts["unbilled_sales"],
            debit=Decimal("0"),
            credit=Decimal("12.50"),
            memo="x",
        ),
    ]
    # when
    with CaptureQueriesContext(connection) as queries:
        returned = rows_insert(lines)
    # then
    assert len(queries.captured_queries) == 1
    assert returned == lines
    assert all(line.pk is not None and not line._state.adding for line in lines)
    assert entry.pk is not None and entry.created_at is not None  # auto_now_add filled
    stored = JournalLine.objects.filter(entry=entry).order_by("pk")
    assert [line.pk for line in stored] == [line.pk for line in lines]
    assert list(stored.values_list("account__key", "customer_id", "debit", "credit", "memo")) == [
        ("receivables", customer.pk, Decimal("12.50"), Decimal("0.00"), ""),
        ("unbilled_sales", None, Decimal("0.00"), Decimal("12.50"), "x"),
    ]
    assert JournalEntry.objects.get(pk=entry.pk).created_at == entry.created_at


def test_rows_insert_refuses_saved_rows_mixed_models_and_expressions(shop):
    # given
    (entry,) = rows_insert(
        [JournalEntry(business=shop, date=datetime.date(2026, 5, 2), source_type="credit")]
    )
    other = JournalEntry(business=shop, date=datetime.date(2026, 5, 2), source_type="credit")
    customer = Customer(business=shop, name="Ramesh")
    # when / then
    with pytest.raises(ValueError):
        rows_insert([entry])
    with pytest.raises(ValueError):
        rows_insert([other, customer])
    with pytest.raises(TypeError):
        rows_insert([Customer(business=shop, name="Suresh", balance=F("balance") + 1)])
    assert JournalEntry.objects.count() == 1
    assert not Customer.objects.filter(name__in=["Ramesh", "Suresh"]).exists()


def test_rows_insert_refuses_a_related_row_that_was_never_saved(shop):
    # given: the entry was never inserted
    entry = JournalEntry(business=shop, date=datetime.date(2026, 5, 2), source_type="credit")
    accounts = accounts_ensure(business=shop)
    # when / then
    with pytest.raises(ValueError):
        rows_insert(
            [JournalLine(entry=entry, business=shop, account=accounts["cash"], debit=Decimal("1"))]
        )
    assert not JournalLine.objects.exists()


def test_rows_insert_of_nothing_is_nothing():
    assert rows_insert([]) == []


def test_shop_rows_lock_builds_the_instances_the_orm_builds(shop):
    # given: a row with JSON (aliases), text in Devanagari, decimals and timestamps
    customer = CustomerFactory(
        business=shop, name="Ramesh", aliases=["Ramu", "रमेश"], credit_limit="1500.50"
    )
    # when
    with transaction.atomic():
        (locked,) = shop_rows_lock(Customer, business=shop, ids=[customer.pk])
    # then
    expected = Customer.objects.get(pk=customer.pk)
    assert locked.aliases == ["Ramu", "रमेश"]
    assert {
        field.attname: getattr(locked, field.attname) for field in Customer._meta.concrete_fields
    } == {
        field.attname: getattr(expected, field.attname) for field in Customer._meta.concrete_fields
    }
    assert not locked._state.adding
