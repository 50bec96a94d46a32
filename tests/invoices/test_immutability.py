"""An issued invoice is a posted document: only cancelling changes it (its cancel fields)."""

import importlib

import pytest
from django.db import DatabaseError, connection, transaction

from execora.append_only import AppendOnlyError
from invoices.models import CANCEL_FIELDS, Invoice, InvoiceItem
from invoices.services import invoice_cancel
from tests.invoices.factories import SALE_DAY, walk_in_sale

pytestmark = pytest.mark.django_db

triggers = importlib.import_module("invoices.migrations.0002_immutable_triggers")


def raw(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_orm_refuses_to_edit_or_delete_an_invoice(shop):
    # given
    invoice = walk_in_sale(shop)
    # when / then
    invoice.notes = "edited"
    with pytest.raises(AppendOnlyError):
        invoice.save()
    with pytest.raises(AppendOnlyError):
        invoice.save(update_fields=["notes", "status"])
    with pytest.raises(AppendOnlyError):
        invoice.delete()
    with pytest.raises(AppendOnlyError):
        Invoice.objects.filter(pk=invoice.pk).update(grand_total=0)
    with pytest.raises(AppendOnlyError):
        Invoice.objects.filter(pk=invoice.pk).delete()
    item = invoice.items.get()
    with pytest.raises(AppendOnlyError):
        item.save()
    with pytest.raises(AppendOnlyError):
        InvoiceItem.objects.filter(pk=item.pk).update(line_total=0)
    invoice.refresh_from_db()
    assert invoice.notes == ""


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ("UPDATE invoices_invoice SET notes = 'x' WHERE id = %s", "invoice"),
        ("UPDATE invoices_invoice SET number = 'INV/25-26/0009' WHERE id = %s", "invoice"),
        ("DELETE FROM invoices_invoice WHERE id = %s", "invoice"),
        ("UPDATE invoices_invoiceitem SET description = 'x' WHERE invoice_id = %s", "item"),
        ("DELETE FROM invoices_invoiceitem WHERE invoice_id = %s", "item"),
    ],
)
def test_the_database_refuses_raw_sql_that_rewrites_an_invoice(shop, sql, table):
    # given
    invoice = walk_in_sale(shop)
    # when / then
    with pytest.raises(DatabaseError):
        raw(sql, [invoice.pk])
    invoice.refresh_from_db()
    assert (invoice.number, invoice.notes, invoice.items.count()) == ("INV/25-26/0001", "", 1)


def test_the_database_refuses_any_change_to_a_cancelled_invoice(shop):
    # given
    invoice = walk_in_sale(shop)
    invoice_cancel(business=shop, invoice_id=invoice.pk, on_date=SALE_DAY)
    # when / then: not even back to issued
    with pytest.raises(DatabaseError):
        raw("UPDATE invoices_invoice SET cancel_reason = 'oops' WHERE id = %s", [invoice.pk])
    invoice.refresh_from_db()
    assert invoice.status == "cancelled"


def test_the_triggers_know_every_column_of_the_invoice_table():
    # A column added later must be listed in a new trigger migration too (SQLite lists them).
    columns = {field.column for field in Invoice._meta.concrete_fields}
    assert set(triggers.CANCEL_COLUMNS) == {
        Invoice._meta.get_field(name).column for name in CANCEL_FIELDS
    }
    assert set(triggers.FIXED_COLUMNS) | set(triggers.CANCEL_COLUMNS) == columns
