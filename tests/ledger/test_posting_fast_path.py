"""journal_post's fast path: customers the caller has already locked, cached account ids."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from execora.exceptions import ApplicationError, NotFound
from ledger.models import Account, JournalEntry, JournalLine
from ledger.services import (
    LineSpec,
    account_ids,
    account_ids_forget,
    credit_add,
    credit_limit_check,
    customers_lock,
    journal_post,
)
from tests.factories import BusinessFactory
from tests.ledger.factories import CustomerFactory

DAY = datetime.date(2026, 5, 2)


@pytest.fixture(autouse=True)
def _no_cached_account_ids():
    account_ids_forget()
    yield
    account_ids_forget()


def udhaar(customer_id: int, amount: str = "250.00") -> list[LineSpec]:
    return [
        LineSpec("receivables", debit=Decimal(amount), customer_id=customer_id),
        LineSpec("unbilled_sales", credit=Decimal(amount)),
    ]


def sql_touching(queries: CaptureQueriesContext, table: str) -> list[str]:
    return [query["sql"] for query in queries.captured_queries if table in query["sql"]]


@pytest.mark.django_db
def test_post_with_locked_customers_does_not_lock_them_again(shop):
    # given
    customer = CustomerFactory(business=shop)
    # when
    with transaction.atomic():
        locked = customers_lock(business=shop, customer_ids=[customer.pk])
        with CaptureQueriesContext(connection) as queries:
            journal_post(
                business=shop,
                entry_date=DAY,
                lines=udhaar(customer.pk),
                source_type="credit",
                locked_customers=locked,
            )
    # then: the balance moved, and the only statement on customers was that update
    customer.refresh_from_db()
    assert customer.balance == Decimal("250.00")
    on_customers = sql_touching(queries, "customers_customer")
    assert len(on_customers) == 1
    assert on_customers[0].startswith("UPDATE")


@pytest.mark.django_db
def test_post_refuses_a_customer_missing_from_locked_customers_and_writes_nothing(shop):
    # given: the caller locked one customer but the lines name another
    locked_one = CustomerFactory(business=shop)
    unlocked = CustomerFactory(business=shop)
    # when / then
    with pytest.raises(transaction.TransactionManagementError), transaction.atomic():
        locked = customers_lock(business=shop, customer_ids=[locked_one.pk])
        journal_post(
            business=shop,
            entry_date=DAY,
            lines=udhaar(unlocked.pk),
            source_type="credit",
            locked_customers=locked,
        )
    assert not JournalEntry.objects.exists()
    unlocked.refresh_from_db()
    assert unlocked.balance == Decimal("0.00")


@pytest.mark.django_db
def test_post_refuses_a_locked_customer_of_another_shop_as_not_found(shop, other_shop):
    # given: a customer of another shop, passed off as locked for this one
    theirs = CustomerFactory(business=other_shop)
    # when / then
    with pytest.raises(NotFound) as caught, transaction.atomic():
        journal_post(
            business=shop,
            entry_date=DAY,
            lines=udhaar(theirs.pk),
            source_type="credit",
            locked_customers={theirs.pk: theirs},
        )
    assert caught.value.field == "customer_id"
    assert not JournalEntry.objects.exists()
    theirs.refresh_from_db()
    assert theirs.balance == Decimal("0.00")


@pytest.mark.django_db
def test_post_refuses_a_locked_customers_entry_under_another_id(shop):
    # given: the mapping's key and the customer disagree
    first = CustomerFactory(business=shop)
    second = CustomerFactory(business=shop)
    # when / then
    with pytest.raises(transaction.TransactionManagementError), transaction.atomic():
        journal_post(
            business=shop,
            entry_date=DAY,
            lines=udhaar(second.pk),
            source_type="credit",
            locked_customers={second.pk: first},
        )
    assert not JournalEntry.objects.exists()


@pytest.mark.django_db
def test_post_without_locked_customers_still_refuses_another_shops_customer(shop, other_shop):
    # given
    theirs = CustomerFactory(business=other_shop)
    # when / then
    with pytest.raises(NotFound), transaction.atomic():
        journal_post(business=shop, entry_date=DAY, lines=udhaar(theirs.pk), source_type="credit")
    assert not JournalEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_account_ids_are_cached_after_commit_so_the_next_post_reads_no_accounts():
    # given: a first posting that commits (and creates the chart)
    shop = BusinessFactory()
    customer = CustomerFactory(business=shop)
    with transaction.atomic():
        journal_post(business=shop, entry_date=DAY, lines=udhaar(customer.pk), source_type="credit")
    # when
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        entry = journal_post(
            business=shop, entry_date=DAY, lines=udhaar(customer.pk), source_type="credit"
        )
    # then: no query on accounts, and the lines point at this shop's accounts
    assert sql_touching(queries, "ledger_account") == []
    expected = dict(Account.objects.filter(business=shop).values_list("key", "pk"))
    assert {line.account_id for line in entry.lines.all()} == {
        expected["receivables"],
        expected["unbilled_sales"],
    }
    customer.refresh_from_db()
    assert customer.balance == Decimal("500.00")


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_first_post_does_not_cache_accounts_that_never_existed():
    # given: the shop's very first posting creates its chart, then rolls back
    shop = BusinessFactory()
    customer = CustomerFactory(business=shop)
    with pytest.raises(RuntimeError), transaction.atomic():
        journal_post(business=shop, entry_date=DAY, lines=udhaar(customer.pk), source_type="credit")
        raise RuntimeError("the caller failed after posting")
    assert not Account.objects.filter(business=shop).exists()
    # when: the next posting commits
    with transaction.atomic():
        entry = journal_post(
            business=shop, entry_date=DAY, lines=udhaar(customer.pk), source_type="credit"
        )
    # then: its lines point at accounts that exist
    account_pks = set(entry.lines.values_list("account_id", flat=True))
    assert Account.objects.filter(pk__in=account_pks, business=shop).count() == 2
    assert JournalLine.objects.filter(entry=entry).count() == 2


@pytest.mark.django_db(transaction=True)
def test_account_ids_are_kept_per_shop():
    # given
    first, second = BusinessFactory(), BusinessFactory()
    # when
    with transaction.atomic():
        ids_first = account_ids(business=first)
    with transaction.atomic():
        ids_second = account_ids(business=second)
    # then
    assert set(ids_first) == set(ids_second)
    assert not set(ids_first.values()) & set(ids_second.values())
    assert dict(Account.objects.filter(business=first).values_list("key", "pk")) == ids_first
    with transaction.atomic():
        assert account_ids(business=first) == ids_first


@pytest.mark.django_db
def test_credit_limit_check_uses_a_balance_the_caller_knows_is_current(shop):
    # given: a customer at 900 of a 1,000 limit
    customer = CustomerFactory(business=shop, credit_limit=Decimal("1000.00"))
    credit_add(business=shop, customer_id=customer.pk, amount="900")
    with transaction.atomic():
        locked = customers_lock(business=shop, customer_ids=[customer.pk])[customer.pk]
        # when / then: within the limit, without reading the balance again
        with CaptureQueriesContext(connection) as queries:
            credit_limit_check(
                customer=locked, additional=Decimal("100.00"), current_balance=locked.balance
            )
        assert queries.captured_queries == []
        with pytest.raises(ApplicationError) as caught:
            credit_limit_check(
                customer=locked, additional=Decimal("100.01"), current_balance=locked.balance
            )
    assert caught.value.code == "credit_limit_exceeded"
    assert caught.value.extra["balance"] == "900.00"
