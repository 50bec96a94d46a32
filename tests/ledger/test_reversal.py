import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from execora.exceptions import ApplicationError, NotFound
from ledger.models import JournalEntry
from ledger.selectors import ledger_discrepancies, trial_balance
from ledger.services import (
    LineSpec,
    credit_add,
    entry_reverse,
    journal_post,
    journal_reverse,
    payment_record,
)
from tests.ledger.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def signed_lines(entry: JournalEntry) -> list[tuple[str, Decimal, int | None]]:
    return [
        (line.account.key, line.debit - line.credit, line.customer_id)
        for line in entry.lines.select_related("account").order_by("pk")
    ]


def test_reversing_a_payment_posts_its_mirror_and_restores_the_balance(shop, owner):
    # given
    customer = CustomerFactory(business=shop)
    credit_add(
        business=shop, customer_id=customer.pk, amount="500", entry_date=datetime.date(2026, 7, 1)
    )
    payment = payment_record(
        business=shop,
        customer_id=customer.pk,
        amount="200",
        mode="upi",
        received_at=datetime.datetime(2026, 7, 2, 5, 0, tzinfo=datetime.UTC),
    )
    # when
    reversal = entry_reverse(
        business=shop,
        entry_id=payment.journal_entry_id,
        user=owner,
        reason="cheque bounced",
        on_date=datetime.date(2026, 7, 9),
    )
    # then
    assert reversal.reverses_id == payment.journal_entry_id
    assert reversal.source_type == "reversal"
    assert reversal.memo == "cheque bounced"
    assert reversal.date == datetime.date(2026, 7, 9)
    assert reversal.created_by == owner
    original = signed_lines(payment.journal_entry)
    assert signed_lines(reversal) == [(key, -amount, c) for key, amount, c in original]
    customer.refresh_from_db()
    assert customer.balance == Decimal("500.00")
    assert trial_balance(business=shop)["bank"] == Decimal("0.00")
    assert ledger_discrepancies(business=shop) == []
    payment.journal_entry.refresh_from_db()
    assert payment.journal_entry.reversed_by == reversal


def test_reversal_is_dated_today_in_the_shops_time_zone(shop, monkeypatch):
    # given: 20:00 UTC on 31 March 2027 is 1 April in India
    customer = CustomerFactory(business=shop)
    instant = datetime.datetime(2027, 3, 31, 20, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    entry = credit_add(
        business=shop, customer_id=customer.pk, amount="50", entry_date=datetime.date(2027, 3, 1)
    )
    # when
    reversal = entry_reverse(business=shop, entry_id=entry.pk)
    # then
    assert reversal.date == datetime.date(2027, 4, 1)
    assert entry.date == datetime.date(2027, 3, 1)  # the original keeps its day


def test_entry_reverse_refuses_invoice_entries(shop):
    # given
    customer = CustomerFactory(business=shop)
    with transaction.atomic():
        invoice_entry = journal_post(
            business=shop,
            entry_date=datetime.date(2026, 6, 1),
            lines=[
                LineSpec("receivables", debit=Decimal("100"), customer_id=customer.pk),
                LineSpec("sales", credit=Decimal("100")),
            ],
            source_type="invoice",
            source_id=1,
        )
    # when / then
    with pytest.raises(ApplicationError) as caught:
        entry_reverse(business=shop, entry_id=invoice_entry.pk)
    assert caught.value.code == "use_invoice_cancel"
    assert JournalEntry.objects.count() == 1


def test_entry_reverse_refuses_twice_and_refuses_reversing_a_reversal(shop):
    # given
    customer = CustomerFactory(business=shop)
    entry = credit_add(business=shop, customer_id=customer.pk, amount="100")
    reversal = entry_reverse(business=shop, entry_id=entry.pk)
    # when / then
    with pytest.raises(ApplicationError) as again:
        entry_reverse(business=shop, entry_id=entry.pk)
    assert again.value.code == "already_reversed"
    with pytest.raises(ApplicationError) as of_reversal:
        entry_reverse(business=shop, entry_id=reversal.pk)
    assert of_reversal.value.code == "cannot_reverse_reversal"
    customer.refresh_from_db()
    assert customer.balance == Decimal("0.00")
    assert JournalEntry.objects.count() == 2


def test_entry_reverse_treats_another_shops_entry_as_not_found(shop, other_shop):
    # given
    theirs = CustomerFactory(business=other_shop)
    entry = credit_add(business=other_shop, customer_id=theirs.pk, amount="100")
    # when / then
    with pytest.raises(NotFound):
        entry_reverse(business=shop, entry_id=entry.pk)
    theirs.refresh_from_db()
    assert theirs.balance == Decimal("100.00")


def test_journal_reverse_cancels_an_invoice_entry_inside_the_callers_transaction(shop, owner):
    # given: what invoice cancellation does
    customer = CustomerFactory(business=shop)
    with transaction.atomic():
        invoice_entry = journal_post(
            business=shop,
            entry_date=datetime.date(2026, 6, 1),
            lines=[
                LineSpec("receivables", debit=Decimal("105"), customer_id=customer.pk),
                LineSpec("sales", credit=Decimal("100")),
                LineSpec("output_igst", credit=Decimal("5")),
            ],
            source_type="invoice",
            source_id=9,
            reference="INV/26-27/0009",
        )
    # when
    with transaction.atomic():
        locked = JournalEntry.objects.select_for_update().get(pk=invoice_entry.pk)
        cancel = journal_reverse(
            entry=locked,
            user=owner,
            on_date=datetime.date(2026, 6, 3),
            source_type="invoice_cancel",
            memo="Invoice INV/26-27/0009 cancelled",
        )
    # then
    assert (cancel.source_type, cancel.source_id, cancel.reference) == (
        "invoice_cancel",
        9,
        "INV/26-27/0009",
    )
    assert cancel.reverses == invoice_entry
    customer.refresh_from_db()
    assert customer.balance == Decimal("0.00")
    assert all(amount == 0 for amount in trial_balance(business=shop).values())


def test_a_reversal_is_never_dated_before_its_entry_nor_in_the_future(shop):
    from ledger.services import shop_today

    customer = CustomerFactory(business=shop)
    today = shop_today(shop)
    entry = credit_add(business=shop, customer_id=customer.pk, amount="50")
    for on_date, field_error in (
        (today - datetime.timedelta(days=1), "invalid"),
        (today + datetime.timedelta(days=1), "future_date"),
    ):
        with pytest.raises(ApplicationError) as refused:
            entry_reverse(business=shop, entry_id=entry.pk, on_date=on_date)
        assert refused.value.code == field_error
        assert refused.value.field == "on_date"
    assert not JournalEntry.objects.filter(reverses=entry).exists()
    customer.refresh_from_db()
    assert customer.balance == Decimal("50.00")
