import os
import subprocess
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from ledger.models import JournalLine
from ledger.selectors import ledger_discrepancies
from ledger.services import accounts_ensure, credit_add, payment_record
from tests.factories import BusinessFactory
from tests.ledger.factories import CustomerFactory
from tests.products.factories import make_product
from tests.utils import PYTHON, REPO


def run_verify() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("verify_ledger", stdout=out)
    except CommandError:
        return 1, out.getvalue()
    return 0, out.getvalue()


@pytest.mark.django_db
def test_verify_ledger_is_quiet_when_the_books_agree(shop):
    # given
    customer = CustomerFactory(business=shop)
    credit_add(business=shop, customer_id=customer.pk, amount="300")
    payment_record(business=shop, customer_id=customer.pk, amount="100")
    make_product(shop, opening_stock="4")
    # when
    status, output = run_verify()
    # then
    assert status == 0
    assert output.strip().startswith("OK")
    assert len(output.strip().splitlines()) == 1


@pytest.mark.django_db
def test_verify_ledger_names_a_customer_whose_balance_was_changed_by_raw_sql(shop, other_shop):
    # given
    tampered = CustomerFactory(business=shop, name="Ramesh")
    honest = CustomerFactory(business=other_shop, name="Suresh")
    credit_add(business=shop, customer_id=tampered.pk, amount="500")
    credit_add(business=other_shop, customer_id=honest.pk, amount="500")
    # when
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE customers_customer SET balance = balance + 1 WHERE id = %s", [tampered.pk]
        )
    status, output = run_verify()
    # then
    assert status == 1
    assert "Ramesh" in output and "501.00" in output and "500.00" in output
    assert "Suresh" not in output


@pytest.mark.django_db
def test_ledger_discrepancies_finds_an_unbalanced_entry_and_trial_balance(shop):
    # given: a line slipped in past journal_post (inserts are not blocked by the trigger)
    customer = CustomerFactory(business=shop)
    entry = credit_add(business=shop, customer_id=customer.pk, amount="500")
    JournalLine.objects.create(
        entry=entry,
        business=shop,
        account=accounts_ensure(business=shop)["cash"],
        debit=Decimal("1.00"),
    )
    # when
    problems = ledger_discrepancies(business=shop)
    # then
    assert any(f"journal entry #{entry.pk} debits 501.00 but credits 500.00" in p for p in problems)
    assert any("trial balance is off by 1.00" in p for p in problems)


@pytest.mark.django_db(transaction=True)
def test_verify_ledger_command_exits_non_zero_and_names_the_customer():
    # given: committed data, tampered with by raw SQL
    shop = BusinessFactory(name="Verma Stores")
    customer = CustomerFactory(business=shop, name="Kamla Devi")
    credit_add(business=shop, customer_id=customer.pk, amount="250")
    db = settings.DATABASES["default"]
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )

    def verify() -> subprocess.CompletedProcess:
        return subprocess.run(
            [PYTHON, "manage.py", "verify_ledger"],
            cwd=REPO,
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    clean = verify()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE customers_customer SET balance = balance + 1")
    # when
    dirty = verify()
    # then
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert dirty.returncode == 1
    assert "Kamla Devi" in dirty.stdout and "251.00" in dirty.stdout
