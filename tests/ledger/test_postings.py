import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from ledger.models import Account, JournalEntry, Payment
from ledger.selectors import ledger_discrepancies, trial_balance
from ledger.services import (
    LineSpec,
    accounts_ensure,
    credit_add,
    journal_post,
    opening_balance_set,
    payment_record,
)
from tests.ledger.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def lines_of(entry: JournalEntry) -> list[tuple[str, Decimal, Decimal, int | None]]:
    return [
        (line.account.key, line.debit, line.credit, line.customer_id)
        for line in entry.lines.select_related("account").order_by("pk")
    ]


def balance_of(customer) -> Decimal:
    customer.refresh_from_db()
    return customer.balance


def test_accounts_ensure_creates_the_chart_once(shop, other_shop):
    # when
    first = accounts_ensure(business=shop)
    again = accounts_ensure(business=shop)
    accounts_ensure(business=other_shop)
    # then
    assert set(first) == {
        "receivables",
        "cash",
        "bank",
        "sales",
        "unbilled_sales",
        "discounts",
        "round_off",
        "output_cgst",
        "output_sgst",
        "output_igst",
        "opening_balances",
    }
    assert {k: a.pk for k, a in first.items()} == {k: a.pk for k, a in again.items()}
    assert Account.objects.filter(business=shop).count() == 11
    assert first["receivables"].type == "asset"
    assert first["output_cgst"].type == "liability"
    assert first["opening_balances"].type == "equity"


def test_credit_add_debits_receivables_and_credits_unbilled_sales(shop, owner):
    # given
    customer = CustomerFactory(business=shop, name="Ramesh")
    # when
    entry = credit_add(
        business=shop, customer_id=customer.pk, amount="500", note="atta", user=owner
    )
    # then
    assert entry.source_type == "credit"
    assert entry.created_by == owner
    assert lines_of(entry) == [
        ("receivables", Decimal("500.00"), Decimal("0.00"), customer.pk),
        ("unbilled_sales", Decimal("0.00"), Decimal("500.00"), None),
    ]
    assert balance_of(customer) == Decimal("500.00")


@pytest.mark.parametrize(
    ("mode", "account"),
    [("cash", "cash"), ("upi", "bank"), ("card", "bank"), ("bank", "bank"), ("cheque", "bank")],
)
def test_payment_debits_cash_or_bank_and_credits_receivables(shop, mode, account):
    # given
    customer = CustomerFactory(business=shop)
    credit_add(business=shop, customer_id=customer.pk, amount="500")
    # when
    payment = payment_record(
        business=shop, customer_id=customer.pk, amount="200.50", mode=mode, reference="UTR1"
    )
    # then
    assert payment.amount == Decimal("200.50")
    assert payment.mode == mode
    assert payment.journal_entry.source_type == "payment"
    assert lines_of(payment.journal_entry) == [
        (account, Decimal("200.50"), Decimal("0.00"), None),
        ("receivables", Decimal("0.00"), Decimal("200.50"), customer.pk),
    ]
    assert balance_of(customer) == Decimal("299.50")


def test_payment_entry_is_dated_in_the_shops_time_zone(shop):
    # given: 20:00 UTC on 31 March is already 1 April in India
    customer = CustomerFactory(business=shop)
    received = datetime.datetime(2027, 3, 31, 20, 0, tzinfo=datetime.UTC)
    # when
    payment = payment_record(
        business=shop, customer_id=customer.pk, amount="10", received_at=received
    )
    # then
    assert payment.journal_entry.date == datetime.date(2027, 4, 1)


def test_paying_more_than_owed_leaves_an_advance(shop):
    # given
    customer = CustomerFactory(business=shop)
    credit_add(business=shop, customer_id=customer.pk, amount="100")
    # when
    payment_record(business=shop, customer_id=customer.pk, amount="150")
    # then
    assert balance_of(customer) == Decimal("-50.00")


def test_opening_balance_owed_and_advance(shop):
    # given
    owes = CustomerFactory(business=shop)
    paid_ahead = CustomerFactory(business=shop)
    # when
    owed_entry = opening_balance_set(
        business=shop,
        customer_id=owes.pk,
        amount="1200",
        entry_date=datetime.date(2026, 4, 1),
    )
    advance_entry = opening_balance_set(business=shop, customer_id=paid_ahead.pk, amount="-300")
    # then
    assert owed_entry.date == datetime.date(2026, 4, 1)
    assert lines_of(owed_entry) == [
        ("receivables", Decimal("1200.00"), Decimal("0.00"), owes.pk),
        ("opening_balances", Decimal("0.00"), Decimal("1200.00"), None),
    ]
    assert lines_of(advance_entry) == [
        ("opening_balances", Decimal("300.00"), Decimal("0.00"), None),
        ("receivables", Decimal("0.00"), Decimal("300.00"), paid_ahead.pk),
    ]
    assert balance_of(owes) == Decimal("1200.00")
    assert balance_of(paid_ahead) == Decimal("-300.00")


def test_invoice_shaped_entry_posts_every_line_and_moves_only_the_customer(shop):
    # given: 1,000.60 gross, 20 discount, 5% GST on 980.60 = 49.03, 1,029.63 rounded to
    # 1,030 (0.37 round-off credited), 500 paid at the counter
    customer = CustomerFactory(business=shop)
    lines = [
        LineSpec("receivables", debit=Decimal("1030.00"), customer_id=customer.pk),
        LineSpec("discounts", debit=Decimal("20.00")),
        LineSpec("sales", credit=Decimal("1000.60")),
        LineSpec("output_cgst", credit=Decimal("24.52")),
        LineSpec("output_sgst", credit=Decimal("24.51")),
        LineSpec("round_off", credit=Decimal("0.37")),
        LineSpec("cash", debit=Decimal("500.00")),
        LineSpec("receivables", credit=Decimal("500.00"), customer_id=customer.pk),
    ]
    # when
    with transaction.atomic():
        entry = journal_post(
            business=shop,
            entry_date=datetime.date(2026, 5, 2),
            lines=lines,
            source_type="invoice",
            source_id=41,
            reference="INV/26-27/0001",
        )
    # then
    assert entry.lines.count() == 8
    assert balance_of(customer) == Decimal("530.00")
    balances = trial_balance(business=shop)
    assert sum(balances.values()) == 0
    assert balances["receivables"] == Decimal("530.00")
    assert balances["sales"] == Decimal("-1000.60")
    assert balances["round_off"] == Decimal("-0.37")
    assert balances["cash"] == Decimal("500.00")
    assert ledger_discrepancies(business=shop) == []


def test_one_entry_may_move_two_customers(shop):
    # given: a debt moved from one family member's khata to another's
    first = CustomerFactory(business=shop)
    second = CustomerFactory(business=shop)
    credit_add(business=shop, customer_id=first.pk, amount="300")
    # when
    with transaction.atomic():
        journal_post(
            business=shop,
            entry_date=datetime.date(2026, 5, 2),
            lines=[
                LineSpec("receivables", debit=Decimal("300"), customer_id=second.pk),
                LineSpec("receivables", credit=Decimal("300"), customer_id=first.pk),
            ],
            source_type="credit",
        )
    # then
    assert balance_of(first) == Decimal("0.00")
    assert balance_of(second) == Decimal("300.00")


def test_trial_balance_of_a_shop_ignores_other_shops(shop, other_shop):
    # given
    mine = CustomerFactory(business=shop)
    theirs = CustomerFactory(business=other_shop)
    credit_add(business=shop, customer_id=mine.pk, amount="100")
    credit_add(business=other_shop, customer_id=theirs.pk, amount="999")
    payment_record(business=shop, customer_id=mine.pk, amount="40", mode="upi")
    # when
    balances = trial_balance(business=shop)
    # then
    assert balances["receivables"] == Decimal("60.00")
    assert balances["bank"] == Decimal("40.00")
    assert balances["unbilled_sales"] == Decimal("-100.00")
    assert balances["cash"] == Decimal("0.00")
    assert sum(balances.values()) == 0
    assert Payment.objects.filter(business=shop).count() == 1
