"""The books' history is read-only in the admin; corrections go through entry_reverse."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin

from execora.admin_scoping import ReadOnlyAdminMixin, ShopScopedAdminMixin
from execora.append_only import AppendOnlyModel
from invoices.models import InvoiceSequence
from ledger.models import Account, JournalEntry, JournalLine, Payment
from ledger.selectors import ledger_discrepancies
from ledger.services import credit_add
from products.models import StockMovement
from tests.admin.helpers import (
    apply_action,
    change_url,
    changelist_url,
    messages_of,
    operation_url,
    start_action,
)

pytestmark = pytest.mark.django_db

READ_ONLY = [JournalEntry, JournalLine, Payment, Account, StockMovement, InvoiceSequence]


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda model: model._meta.label)
def test_read_only_models_refuse_add_change_and_delete(owner_client, books_a, model):
    obj = model.objects.filter(business=books_a.shop).order_by("pk").first()
    snapshot = model.objects.filter(pk=obj.pk).values().get()

    # when: the add page, a crafted edit and a delete are tried
    add = owner_client.get(f"{changelist_url(model)}add/")
    edit = owner_client.post(change_url(obj), {"memo": "x", "amount": "1", "quantity": "1"})
    delete = owner_client.post(f"{changelist_url(model)}{obj.pk}/delete/", {"post": "yes"})

    # then: all refused, the row as it was; its page still shows it
    assert (add.status_code, edit.status_code, delete.status_code) == (403, 403, 403)
    assert model.objects.filter(pk=obj.pk).values().get() == snapshot
    page = owner_client.get(change_url(obj))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()


def test_every_books_model_has_a_shop_scoped_admin():
    books = [
        model
        for app in ("customers", "products", "ledger", "invoices")
        for model in apps.get_app_config(app).get_models()
    ]
    assert books and all(model in admin.site._registry for model in books)
    assert all(isinstance(admin.site._registry[m], ShopScopedAdminMixin) for m in books)
    # Append-only history is never editable there.
    for model in books:
        if issubclass(model, AppendOnlyModel):
            assert isinstance(admin.site._registry[model], ReadOnlyAdminMixin), model


def test_journal_entry_page_shows_its_lines(owner_client, books_a):
    page = owner_client.get(change_url(books_a.invoice.journal_entry)).content.decode()
    assert "Receivables (khata)" in page and "Sales" in page and "Output CGST" in page


def test_owner_reverses_a_payment_entry(owner_client, books_a):
    entry, customer = books_a.payment.journal_entry, books_a.customer

    # when: confirmed and applied
    assert start_action(owner_client, JournalEntry, "reverse_entries", [entry]).status_code == 200
    response = apply_action(
        owner_client, JournalEntry, "reverse_entries", [entry], reason="Cheque bounced"
    )

    # then: a mirror entry, the customer owes the ₹30 again
    reversal = JournalEntry.objects.get(reverses=entry)
    assert (reversal.source_type, reversal.memo) == (
        JournalEntry.SourceType.REVERSAL,
        "Cheque bounced",
    )
    customer.refresh_from_db()
    assert customer.balance == Decimal("100.00")
    assert f"Entry #{entry.pk} reversed by entry #{reversal.pk} dated {reversal.date}." in (
        messages_of(response)
    )
    assert ledger_discrepancies(business=books_a.shop) == []


def test_reversal_refusals_are_reported_and_change_nothing(owner_client, books_a):
    invoice_entry = books_a.invoice.journal_entry
    payment_entry = books_a.payment.journal_entry
    apply_action(owner_client, JournalEntry, "reverse_entries", [payment_entry])
    entries = JournalEntry.objects.count()

    # when: the invoice's entry and the already reversed payment are reversed
    response = apply_action(
        owner_client, JournalEntry, "reverse_entries", [invoice_entry, payment_entry]
    )

    # then: one message each, no new entry
    messages = messages_of(response)
    assert any("cancel the invoice instead" in m for m in messages)
    assert any("has already been reversed" in m for m in messages)
    assert JournalEntry.objects.count() == entries


def test_staff_cannot_reverse_entries(staff_client, books_a):
    entry = books_a.payment.journal_entry

    response = apply_action(staff_client, JournalEntry, "reverse_entries", [entry])

    assert any("only the shop's owner" in m for m in messages_of(response))
    assert not JournalEntry.objects.filter(reverses=entry).exists()


def test_reverse_button_only_where_it_can_work(owner_client, books_a):
    payment_entry = books_a.payment.journal_entry
    invoice_entry = books_a.invoice.journal_entry

    assert (
        operation_url(payment_entry, "reverse-entries")
        in owner_client.get(change_url(payment_entry)).content.decode()
    )
    assert (
        operation_url(invoice_entry, "reverse-entries")
        not in owner_client.get(change_url(invoice_entry)).content.decode()
    )


def test_owner_reverses_a_payment_from_the_payments_list(owner_client, books_a):
    payment = books_a.payment

    response = owner_client.post(operation_url(payment, "reverse-payments"), {"apply": "1"})

    assert response.status_code == 302 and response.url == change_url(payment)
    assert JournalEntry.objects.filter(reverses=payment.journal_entry).exists()
    books_a.customer.refresh_from_db()
    assert books_a.customer.balance == Decimal("100.00")
    page = owner_client.get(changelist_url(Payment)).content.decode()
    assert 'alt="True"' in page  # shown as reversed


def test_account_list_shows_balances(owner_client, books_a):
    credit_add(business=books_a.shop, customer_id=books_a.customer.pk, amount="12345")

    page = owner_client.get(changelist_url(Account)).content.decode()

    # Receivables: 100 − 30 + 12,345 owed; the udhaar's other side is unbilled sales
    assert "₹12,415.00" in page and "-₹12,345.00" in page


def test_khata_links_to_all_journal_lines_of_the_customer(owner_client, books_a, books_b):
    url = f"{changelist_url(JournalLine)}?customer__id__exact={books_a.customer.pk}"
    page = owner_client.get(url).content.decode()
    # Ramesh's two receivables lines out of shop A's six, none of shop B's
    assert '2 results (<a href="?">6 total</a>)' in page
