import threading
from decimal import Decimal

import pytest
from django.db import connections

from customers.models import Customer
from execora.exceptions import ApplicationError
from ledger.models import Account, JournalLine
from ledger.selectors import customer_statement, ledger_discrepancies, trial_balance
from ledger.services import credit_add, payment_record
from tests.factories import BusinessFactory
from tests.ledger.factories import CustomerFactory

THREADS = 25  # each with its own database connection
OPERATIONS_PER_THREAD = 2  # 50 postings in all


def run_in_threads(work) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def worker(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_and_credits_keep_balance_equal_to_the_ledger():
    # given: a new shop (its chart of accounts is created by the racing first posts)
    shop = BusinessFactory()
    customer = CustomerFactory(business=shop, name="Ramesh")

    def work(index: int) -> None:
        for step in range(OPERATIONS_PER_THREAD):
            if (index + step) % 2:
                payment_record(
                    business=shop, customer_id=customer.pk, amount=f"{10 + index}.25", mode="upi"
                )
            else:
                credit_add(business=shop, customer_id=customer.pk, amount=f"{30 + index}.50")

    expected = Decimal(0)
    for index in range(THREADS):
        for step in range(OPERATIONS_PER_THREAD):
            if (index + step) % 2:
                expected -= Decimal(f"{10 + index}.25")
            else:
                expected += Decimal(f"{30 + index}.50")

    # when
    errors = run_in_threads(work)

    # then
    assert errors == []
    balance = Customer.objects.get(pk=customer.pk).balance
    receivables = sum(
        (
            line.debit - line.credit
            for line in JournalLine.objects.filter(customer=customer, account__key="receivables")
        ),
        Decimal(0),
    )
    assert balance == receivables == expected
    assert JournalLine.objects.filter(customer=customer).count() == 50
    assert Account.objects.filter(business=shop).count() == 11
    assert customer_statement(business=shop, customer_id=customer.pk).closing_balance == expected
    assert sum(trial_balance(business=shop).values()) == 0
    assert ledger_discrepancies() == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_credits_never_pass_the_credit_limit():
    # given: room for exactly ten credits of 100
    shop = BusinessFactory()
    customer = CustomerFactory(business=shop, credit_limit=Decimal("1000"))
    refused: list[str] = []

    def work(index: int) -> None:
        try:
            credit_add(business=shop, customer_id=customer.pk, amount="100")
        except ApplicationError as exc:
            refused.append(exc.code)

    # when
    errors = run_in_threads(work)

    # then
    assert errors == []
    assert refused == ["credit_limit_exceeded"] * (THREADS - 10)
    assert Customer.objects.get(pk=customer.pk).balance == Decimal("1000.00")
    assert ledger_discrepancies() == []
