"""Invoices are issued through invoice_create, never edited or deleted, cancelled by the owner."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invoices.models import Invoice, InvoiceItem, InvoiceStatus
from ledger.models import JournalEntry
from ledger.selectors import ledger_discrepancies
from products.models import StockMovement
from products.selectors import stock_discrepancies
from tests.admin.helpers import (
    apply_action,
    change_url,
    changelist_url,
    messages_of,
    operation_url,
    start_action,
)

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/invoices/invoice/add/"


def invoice_form(*lines: dict[str, str], **fields: str) -> dict[str, str]:
    form = {
        "customer": "",
        "invoice_date": "2025-05-11",
        "amount_paid": "",
        "payment_mode": "cash",
        "notes": "",
        "items-TOTAL_FORMS": str(len(lines) + 1),  # and one blank row, which is ignored
        "items-INITIAL_FORMS": "0",
    }
    form.update(fields)
    for index, line in enumerate(lines):
        form.update({f"items-{index}-{name}": value for name, value in line.items()})
    return form


def test_new_invoice_page_is_the_service_form(owner_client, books_a):
    page = owner_client.get(ADD_URL).content.decode()
    assert 'name="items-0-product"' in page and 'name="paid_in_full"' in page
    assert "Ramesh Kumar" in page and "Sugar" in page


def test_credit_sale_is_issued_through_the_service(owner_client, books_a):
    customer, sugar = books_a.customer, books_a.product

    # when: 2 kg sugar (₹50/kg, GST inside) and a ₹10 free-text line on Ramesh's khata
    response = owner_client.post(
        ADD_URL,
        invoice_form(
            {"product": str(sugar.pk), "quantity": "2"},
            {"description": "Packing", "quantity": "1", "unit_price": "10", "gst_rate": "0"},
            customer=str(customer.pk),
        ),
    )

    # then: numbered, priced and posted by the service; stock and khata moved
    invoice = Invoice.objects.filter(business=books_a.shop).order_by("-pk").first()
    assert response.status_code == 302 and response.url == change_url(invoice)
    assert invoice.number == "INV/25-26/0002"
    assert (invoice.grand_total, invoice.amount_paid, invoice.amount_due) == (
        Decimal("110.00"),
        Decimal("0.00"),
        Decimal("110.00"),
    )
    assert list(invoice.items.values_list("description", flat=True)) == ["Sugar", "Packing"]
    sugar.refresh_from_db()
    customer.refresh_from_db()
    assert sugar.stock_quantity == Decimal("16.000")
    assert customer.balance == Decimal("180.00")
    assert any("INV/25-26/0002 issued for ₹110.00" in m for m in messages_of(response))
    assert ledger_discrepancies(business=books_a.shop) == []


def test_walk_in_sale_paid_in_full(owner_client, books_a):
    # when: 0.25 kg of sugar at ₹50 for a walk-in customer, paid in full
    owner_client.post(
        ADD_URL,
        invoice_form(
            {"product": str(books_a.product.pk), "quantity": "0.25"},
            paid_in_full="on",
            payment_mode="upi",
        ),
    )

    # then: ₹12.50 rounds to ₹13, all of it paid by UPI
    invoice = Invoice.objects.get(business=books_a.shop, customer__isnull=True)
    assert (invoice.grand_total, invoice.amount_paid, invoice.amount_due) == (
        Decimal("13.00"),
        Decimal("13.00"),
        Decimal("0.00"),
    )
    assert invoice.payment_mode == "upi"


def test_refused_invoice_shows_the_reason_and_writes_nothing(owner_client, books_a):
    sugar = books_a.product
    before = (Invoice.objects.count(), JournalEntry.objects.count(), StockMovement.objects.count())

    # when: a walk-in buys on credit, then someone buys more sugar than there is
    walk_in = owner_client.post(
        ADD_URL, invoice_form({"product": str(sugar.pk), "quantity": "1"}, amount_paid="0")
    )
    too_much = owner_client.post(
        ADD_URL,
        invoice_form(
            {"product": str(sugar.pk), "quantity": "30"},
            customer=str(books_a.customer.pk),
        ),
    )

    # then: each form comes back with the service's reason, nothing is written
    assert walk_in.status_code == 200
    assert "A sale without a customer must be paid in full" in walk_in.content.decode()
    assert too_much.status_code == 200
    assert "Only 18.000 kg of Sugar in stock; cannot sell 30.000 kg." in too_much.content.decode()
    after = (Invoice.objects.count(), JournalEntry.objects.count(), StockMovement.objects.count())
    assert after == before
    sugar.refresh_from_db()
    assert sugar.stock_quantity == Decimal("18.000")


def test_an_empty_invoice_is_asked_again(owner_client, books_a):
    response = owner_client.post(ADD_URL, invoice_form(customer=str(books_a.customer.pk)))
    assert response.status_code == 200
    assert "Add at least one line to the invoice." in response.content.decode()


def test_issued_invoice_is_read_only_and_cannot_be_deleted(owner_client, books_a):
    invoice = books_a.invoice

    # given: the page shows it, items included, without a save button
    page = owner_client.get(change_url(invoice)).content.decode()
    assert "View invoice" in page and 'name="_save"' not in page
    assert "₹100.00" in page and "Sugar" in page

    # when: a crafted edit and a delete
    edit = owner_client.post(change_url(invoice), {"notes": "changed", "grand_total": "1"})
    delete = owner_client.post(f"{changelist_url(Invoice)}{invoice.pk}/delete/", {"post": "yes"})

    # then
    assert (edit.status_code, delete.status_code) == (403, 403)
    invoice.refresh_from_db()
    assert (invoice.notes, invoice.grand_total) == ("", Decimal("100.00"))


def test_owner_cancels_invoices_through_the_service(owner_client, books_a):
    invoice, sugar, customer = books_a.invoice, books_a.product, books_a.customer

    # given: the change page offers "Cancel invoice"
    assert (
        operation_url(invoice, "cancel-invoices")
        in owner_client.get(change_url(invoice)).content.decode()
    )

    # when: the action asks for confirmation, then runs
    confirm = start_action(owner_client, Invoice, "cancel_invoices", [invoice])
    assert confirm.status_code == 200 and invoice.number in confirm.content.decode()
    response = apply_action(
        owner_client, Invoice, "cancel_invoices", [invoice], reason="Wrong bill"
    )

    # then: cancelled, number kept, stock and balance restored
    invoice.refresh_from_db()
    sugar.refresh_from_db()
    customer.refresh_from_db()
    assert invoice.status == InvoiceStatus.CANCELLED and invoice.number == "INV/25-26/0001"
    assert invoice.cancel_reason == "Wrong bill"
    assert sugar.stock_quantity == Decimal("20.000")
    assert customer.balance == Decimal("-30.00")  # the ₹30 payment is now an advance
    assert invoice.cancel_entry.reverses_id == invoice.journal_entry_id
    assert any("INV/25-26/0001 cancelled" in m for m in messages_of(response))
    assert ledger_discrepancies(business=books_a.shop) == []
    assert stock_discrepancies(business=books_a.shop) == []


def test_second_cancel_is_refused_with_a_message(owner_client, books_a):
    invoice = books_a.invoice
    apply_action(owner_client, Invoice, "cancel_invoices", [invoice])
    entries = JournalEntry.objects.count()

    response = apply_action(owner_client, Invoice, "cancel_invoices", [invoice])

    assert any("is already cancelled" in m for m in messages_of(response))
    assert JournalEntry.objects.count() == entries


def test_cancel_reports_each_invoice(owner_client, books_a):
    from invoices.services import InvoiceItemInput, invoice_create

    # given: one invoice already cancelled, one issued
    second = invoice_create(
        business=books_a.shop,
        customer_id=books_a.customer.pk,
        items=[InvoiceItemInput(product_id=books_a.product.pk, quantity="1")],
    )
    apply_action(owner_client, Invoice, "cancel_invoices", [books_a.invoice])

    # when: both are cancelled together
    response = apply_action(owner_client, Invoice, "cancel_invoices", [books_a.invoice, second])

    # then: one refusal, one success
    messages = messages_of(response)
    assert any("INV/25-26/0001 is already cancelled" in m for m in messages)
    assert any(f"{second.number} cancelled" in m for m in messages)
    second.refresh_from_db()
    assert second.status == InvoiceStatus.CANCELLED


def test_staff_cannot_cancel_invoices(staff_client, books_a):
    invoice = books_a.invoice
    entries = JournalEntry.objects.count()

    # when: staff choose the action, submit it anyway, and try the page's URL
    chosen = start_action(staff_client, Invoice, "cancel_invoices", [invoice])
    applied = apply_action(staff_client, Invoice, "cancel_invoices", [invoice])
    direct = staff_client.post(operation_url(invoice, "cancel-invoices"), {"apply": "1"})

    # then: a message each time, no confirmation page, nothing changed
    assert chosen.status_code == applied.status_code == direct.status_code == 302
    for response in (chosen, applied, direct):
        assert any("only the shop's owner" in m for m in messages_of(response))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.ISSUED
    assert JournalEntry.objects.count() == entries
    assert (
        operation_url(invoice, "cancel-invoices")
        not in staff_client.get(change_url(invoice)).content.decode()
    )


def test_invoice_items_are_read_only(owner_client, books_a):
    item = InvoiceItem.objects.get(invoice=books_a.invoice)
    assert owner_client.get(change_url(item)).status_code == 200
    assert owner_client.get(f"{changelist_url(InvoiceItem)}add/").status_code == 403
    assert owner_client.post(change_url(item), {"quantity": "9"}).status_code == 403


def test_paid_in_full_matches_the_services_total_for_an_interstate_buyer(owner_client, books_a):
    from tests.customers.factories import make_customer

    # given: a buyer from Karnataka (IGST) and a price that needs rounding off
    buyer = make_customer(books_a.shop, "Bengaluru Traders", state_code="29")

    # when: 1.5 kg sugar at ₹48.75, 18% IGST typed over, paid in full
    response = owner_client.post(
        ADD_URL,
        invoice_form(
            {
                "product": str(books_a.product.pk),
                "quantity": "1.5",
                "unit_price": "48.75",
                "gst_rate": "18",
            },
            customer=str(buyer.pk),
            paid_in_full="on",
        ),
    )

    # then: IGST, and nothing left on the khata
    assert response.status_code == 302, response.content.decode()[-3000:]
    invoice = Invoice.objects.get(customer=buyer)
    assert invoice.is_interstate and invoice.igst_total > 0 and invoice.cgst_total == 0
    assert invoice.amount_paid == invoice.grand_total and invoice.amount_due == 0
    buyer.refresh_from_db()
    assert buyer.balance == 0
