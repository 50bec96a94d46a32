import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from execora.exceptions import ApplicationError, NotFound
from ledger.models import JournalEntry, JournalLine, Payment
from ledger.services import (
    LineSpec,
    credit_add,
    credit_limit_check,
    journal_post,
    opening_balance_set,
    payment_record,
)
from tests.factories import BusinessFactory
from tests.ledger.factories import CustomerFactory

DAY = datetime.date(2026, 6, 1)


def nothing_written(customer) -> bool:
    customer.refresh_from_db()
    return (
        customer.balance == 0
        and not JournalEntry.objects.exists()
        and not JournalLine.objects.exists()
        and not Payment.objects.exists()
    )


def post(shop, lines, **kwargs):
    with transaction.atomic():
        return journal_post(
            business=shop, entry_date=DAY, lines=lines, source_type="credit", **kwargs
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "lines"),
    [
        # a paisa out is out: no tolerance
        (
            "unbalanced",
            lambda c: [
                LineSpec("receivables", debit=Decimal("100.00"), customer_id=c),
                LineSpec("unbilled_sales", credit=Decimal("99.99")),
            ],
        ),
        ("invalid_entry", lambda c: [LineSpec("receivables", debit=Decimal(1), customer_id=c)]),
        ("invalid_entry", lambda c: []),
        (
            "invalid_entry",
            lambda c: [
                LineSpec("receivables", debit=Decimal(5), credit=Decimal(5), customer_id=c),
                LineSpec("cash", debit=Decimal(5), credit=Decimal(5)),
            ],
        ),
        (
            "invalid_entry",
            lambda c: [
                LineSpec("receivables", customer_id=c),
                LineSpec("cash"),
            ],
        ),
        (
            "invalid_entry",
            lambda c: [
                LineSpec("receivables", debit=Decimal("10")),  # no customer
                LineSpec("unbilled_sales", credit=Decimal("10")),
            ],
        ),
        (
            "invalid_entry",
            lambda c: [
                LineSpec("cash", debit=Decimal("10"), customer_id=c),  # customer off receivables
                LineSpec("receivables", credit=Decimal("10"), customer_id=c),
            ],
        ),
        (
            "invalid_entry",
            lambda c: [
                LineSpec("petty_cash", debit=Decimal("10")),
                LineSpec("receivables", credit=Decimal("10"), customer_id=c),
            ],
        ),
        (
            "invalid_amount",
            lambda c: [
                LineSpec("receivables", debit=Decimal("10.005"), customer_id=c),
                LineSpec("unbilled_sales", credit=Decimal("10.005")),
            ],
        ),
        (
            "invalid_amount",
            lambda c: [
                LineSpec("receivables", debit=10.5, customer_id=c),
                LineSpec("unbilled_sales", credit=10.5),
            ],
        ),
        (
            "invalid_amount",
            lambda c: [
                LineSpec("receivables", debit=Decimal("-10"), customer_id=c),
                LineSpec("unbilled_sales", debit=Decimal("10")),
            ],
        ),
    ],
)
def test_journal_post_refuses_bad_entries_and_writes_nothing(shop, code, lines):
    # given
    customer = CustomerFactory(business=shop)
    # when
    with pytest.raises(ApplicationError) as caught:
        post(shop, lines(customer.pk))
    # then
    assert caught.value.code == code
    assert caught.value.message and caught.value.message_hi
    assert nothing_written(customer)


@pytest.mark.django_db
def test_journal_post_refuses_another_shops_customer(shop, other_shop):
    # given
    theirs = CustomerFactory(business=other_shop)
    # when / then
    with pytest.raises(NotFound):
        post(
            shop,
            [
                LineSpec("receivables", debit=Decimal("10"), customer_id=theirs.pk),
                LineSpec("unbilled_sales", credit=Decimal("10")),
            ],
        )
    assert nothing_written(theirs)


@pytest.mark.django_db(transaction=True)
def test_journal_post_needs_the_callers_transaction():
    # given: no test transaction around us
    shop = BusinessFactory()
    customer = CustomerFactory(business=shop)
    # when / then
    with pytest.raises(transaction.TransactionManagementError):
        journal_post(
            business=shop,
            entry_date=DAY,
            lines=[
                LineSpec("receivables", debit=Decimal("10"), customer_id=customer.pk),
                LineSpec("unbilled_sales", credit=Decimal("10")),
            ],
            source_type="credit",
        )
    assert nothing_written(customer)


@pytest.mark.django_db
@pytest.mark.parametrize("amount", [10.5, "abc", "0", "-5", "10.005", None, "NaN", True])
@pytest.mark.parametrize("service", ["payment_record", "credit_add"])
def test_bad_amounts_are_refused_naming_the_field(shop, service, amount):
    # given
    customer = CustomerFactory(business=shop)
    call = {"payment_record": payment_record, "credit_add": credit_add}[service]
    # when
    with pytest.raises(ApplicationError) as caught:
        call(business=shop, customer_id=customer.pk, amount=amount)
    # then
    assert caught.value.field == "amount"
    assert nothing_written(customer)


@pytest.mark.django_db
def test_payment_refuses_unknown_mode_and_other_shops_customer(shop, other_shop):
    # given
    customer = CustomerFactory(business=shop)
    theirs = CustomerFactory(business=other_shop)
    # when / then
    with pytest.raises(ApplicationError) as caught:
        payment_record(business=shop, customer_id=customer.pk, amount="10", mode="crypto")
    assert caught.value.field == "mode"
    with pytest.raises(NotFound):
        payment_record(business=shop, customer_id=theirs.pk, amount="10")
    assert nothing_written(customer)


@pytest.mark.django_db
def test_credit_add_refuses_going_past_the_credit_limit(shop):
    # given: limit 1,000 and 800 already owed
    customer = CustomerFactory(business=shop, name="Ramesh", credit_limit=Decimal("1000"))
    credit_add(business=shop, customer_id=customer.pk, amount="800")
    # when
    with pytest.raises(ApplicationError) as caught:
        credit_add(business=shop, customer_id=customer.pk, amount="300")
    # then
    error = caught.value
    assert error.code == "credit_limit_exceeded"
    assert "₹1,000.00" in error.message and "₹1,100.00" in error.message
    assert "Ramesh" in error.message
    assert "₹1,000.00" in error.message_hi and "₹1,100.00" in error.message_hi
    assert error.extra["would_be"] == "1100.00"
    customer.refresh_from_db()
    assert customer.balance == Decimal("800.00")
    assert JournalEntry.objects.count() == 1


@pytest.mark.django_db
def test_credit_up_to_the_limit_exactly_is_allowed_and_payments_ignore_it(shop):
    # given
    customer = CustomerFactory(business=shop, credit_limit=Decimal("1000"))
    # when
    credit_add(business=shop, customer_id=customer.pk, amount="1000")
    payment_record(business=shop, customer_id=customer.pk, amount="2000")
    # then
    customer.refresh_from_db()
    assert customer.balance == Decimal("-1000.00")


@pytest.mark.django_db
def test_credit_limit_check_reads_the_current_balance_and_ignores_no_limit(shop):
    # given
    limited = CustomerFactory(business=shop, credit_limit=Decimal("100"))
    unlimited = CustomerFactory(business=shop)
    credit_add(business=shop, customer_id=limited.pk, amount="60")  # `limited` is now stale
    credit_add(business=shop, customer_id=unlimited.pk, amount="100000")
    # when / then
    with transaction.atomic():
        credit_limit_check(customer=limited, additional=Decimal("40"))
        with pytest.raises(ApplicationError):
            credit_limit_check(customer=limited, additional=Decimal("40.01"))
        credit_limit_check(customer=unlimited, additional=Decimal("99999999"))


@pytest.mark.django_db
def test_second_opening_balance_is_refused_until_the_first_is_reversed(shop):
    # given
    from ledger.services import entry_reverse

    customer = CustomerFactory(business=shop)
    first = opening_balance_set(business=shop, customer_id=customer.pk, amount="500")
    # when / then
    with pytest.raises(ApplicationError) as caught:
        opening_balance_set(business=shop, customer_id=customer.pk, amount="700")
    assert caught.value.code == "opening_balance_exists"
    customer.refresh_from_db()
    assert customer.balance == Decimal("500.00")
    # after reversing the first, a corrected one is accepted
    entry_reverse(business=shop, entry_id=first.pk, reason="wrong amount")
    opening_balance_set(business=shop, customer_id=customer.pk, amount="700")
    customer.refresh_from_db()
    assert customer.balance == Decimal("700.00")


@pytest.mark.django_db
def test_opening_balance_of_zero_is_refused(shop):
    customer = CustomerFactory(business=shop)
    with pytest.raises(ApplicationError) as caught:
        opening_balance_set(business=shop, customer_id=customer.pk, amount="0")
    assert caught.value.field == "amount"
    assert nothing_written(customer)


@pytest.mark.django_db
def test_payment_refuses_a_naive_received_at(shop):
    customer = CustomerFactory(business=shop)
    with pytest.raises(ApplicationError) as caught:
        payment_record(
            business=shop,
            customer_id=customer.pk,
            amount="10",
            received_at=datetime.datetime(2026, 6, 1, 10, 0),
        )
    assert caught.value.field == "received_at"
    assert nothing_written(customer)


@pytest.mark.django_db
@pytest.mark.parametrize("write", ["credit", "opening_balance"])
def test_an_entry_dated_in_the_future_is_refused(write):
    # given a shop whose today is known
    from ledger.services import shop_today

    shop = BusinessFactory()
    customer = CustomerFactory(business=shop)
    tomorrow = shop_today(shop) + datetime.timedelta(days=1)
    # when an entry is booked for tomorrow
    with pytest.raises(ApplicationError) as refused:
        if write == "credit":
            credit_add(business=shop, customer_id=customer.pk, amount="10", entry_date=tomorrow)
        else:
            opening_balance_set(
                business=shop, customer_id=customer.pk, amount="10", entry_date=tomorrow
            )
    # then it is refused by name and nothing is written
    assert refused.value.code == "future_date"
    assert refused.value.field == "entry_date"
    assert nothing_written(customer)


@pytest.mark.django_db
def test_a_back_dated_udhaar_is_booked_on_its_day():
    from ledger.services import shop_today

    shop = BusinessFactory()
    customer = CustomerFactory(business=shop)
    last_week = shop_today(shop) - datetime.timedelta(days=7)
    entry = credit_add(business=shop, customer_id=customer.pk, amount="10", entry_date=last_week)
    assert entry.date == last_week
