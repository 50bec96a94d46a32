import datetime
from decimal import Decimal

import pytest

from execora.exceptions import NotFound
from ledger.selectors import customer_statement
from ledger.services import credit_add, opening_balance_set, payment_record
from tests.ledger.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def at(day: int) -> datetime.datetime:
    # 10:00 in India on that day of June 2026
    return datetime.datetime(2026, 6, day, 4, 30, tzinfo=datetime.UTC)


@pytest.fixture
def khata(shop):
    customer = CustomerFactory(business=shop, name="Ramesh")
    other = CustomerFactory(business=shop, name="Suresh")
    opening_balance_set(
        business=shop, customer_id=customer.pk, amount="1000", entry_date=datetime.date(2026, 6, 1)
    )
    credit_add(
        business=shop,
        customer_id=customer.pk,
        amount="250.50",
        note="atta",
        entry_date=datetime.date(2026, 6, 5),
    )
    credit_add(
        business=shop, customer_id=other.pk, amount="99", entry_date=datetime.date(2026, 6, 6)
    )
    payment_record(
        business=shop, customer_id=customer.pk, amount="600", received_at=at(10), reference="U1"
    )
    credit_add(
        business=shop, customer_id=customer.pk, amount="50", entry_date=datetime.date(2026, 6, 20)
    )
    return customer


def test_statement_lists_every_khata_line_with_a_running_balance(shop, khata):
    # when
    statement = customer_statement(business=shop, customer_id=khata.pk)
    # then
    assert statement.opening_balance == Decimal("0.00")
    assert [(r.date.day, r.source_type, r.debit, r.credit, r.balance) for r in statement.rows] == [
        (1, "opening_balance", Decimal("1000.00"), Decimal("0.00"), Decimal("1000.00")),
        (5, "credit", Decimal("250.50"), Decimal("0.00"), Decimal("1250.50")),
        (10, "payment", Decimal("0.00"), Decimal("600.00"), Decimal("650.50")),
        (20, "credit", Decimal("50.00"), Decimal("0.00"), Decimal("700.50")),
    ]
    assert statement.rows[1].memo == "atta"
    assert statement.rows[2].reference == "U1"
    khata.refresh_from_db()
    assert statement.closing_balance == khata.balance == Decimal("700.50")


def test_statement_between_dates_carries_the_opening_balance(shop, khata):
    # when
    statement = customer_statement(
        business=shop,
        customer_id=khata.pk,
        date_from=datetime.date(2026, 6, 5),
        date_to=datetime.date(2026, 6, 10),
    )
    # then
    assert statement.opening_balance == Decimal("1000.00")
    assert [r.balance for r in statement.rows] == [Decimal("1250.50"), Decimal("650.50")]
    assert statement.closing_balance == Decimal("650.50")


def test_statement_of_another_shops_customer_is_not_found(shop, other_shop):
    theirs = CustomerFactory(business=other_shop)
    with pytest.raises(NotFound):
        customer_statement(business=shop, customer_id=theirs.pk)
