from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from execora.append_only import AppendOnlyError
from ledger.models import JournalEntry, JournalLine, Payment
from ledger.services import payment_record
from tests.ledger.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def payment(shop):
    customer = CustomerFactory(business=shop)
    return payment_record(business=shop, customer_id=customer.pk, amount="100")


def history(payment):
    entry = payment.journal_entry
    return {"entry": entry, "line": entry.lines.first(), "payment": payment}


@pytest.mark.parametrize("kind", ["entry", "line", "payment"])
def test_saving_existing_history_is_refused(payment, kind):
    # given
    row = history(payment)[kind]
    # when / then
    with pytest.raises(AppendOnlyError, match="append-only"):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        type(row).objects.filter(pk=row.pk).update(created_at=None)
    with pytest.raises(AppendOnlyError):
        type(row).objects.filter(pk=row.pk).delete()
    assert type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_journalline SET debit = debit + 1 WHERE debit > 0",
        "UPDATE ledger_journalentry SET memo = 'x'",
        "UPDATE ledger_payment SET amount = 1",
        "DELETE FROM ledger_payment",
        "DELETE FROM ledger_journalline",
        "DELETE FROM ledger_journalentry",
    ],
)
def test_raw_sql_cannot_change_the_books(payment, sql):
    # when / then: the trigger raises, whatever the ORM is bypassed with
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    # nothing changed
    assert Payment.objects.get().amount == Decimal("100.00")
    assert JournalEntry.objects.count() == 1
    assert sorted(JournalLine.objects.values_list("debit", flat=True)) == [
        Decimal("0.00"),
        Decimal("100.00"),
    ]
