"""The statements issuing and cancelling an invoice costs: each row locked once, in lock order.

These pin the hot path of billing (benchmarks/invoice_create.py): a change that
adds a query or locks a row twice has to say so here.
"""

import re
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from invoices.services import InvoiceItemInput, invoice_cancel, invoice_create
from ledger.selectors import ledger_discrepancies
from ledger.services import account_ids_forget
from products.models import StockMovement
from products.selectors import stock_discrepancies
from tests.invoices.factories import SALE_DAY, CustomerFactory, make_product, walk_in_sale

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_cached_account_ids():
    account_ids_forget()
    yield
    account_ids_forget()


def statements(queries: CaptureQueriesContext) -> list[str]:
    """'VERB table' for each statement, savepoints (the test's own transaction) left out."""
    out = []
    for query in queries.captured_queries:
        sql = query["sql"]
        verb = sql.split()[0]
        if verb in ("SAVEPOINT", "RELEASE"):
            continue
        table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', sql).group(1)
        out.append(f"{verb} {table}" + (" FOR UPDATE" if sql.endswith("FOR UPDATE") else ""))
    return out


def test_a_khata_invoice_locks_each_row_once_in_lock_order(
    shop, django_capture_on_commit_callbacks
):
    # given: a shop that has billed before (its chart of accounts known to this process)
    customer = CustomerFactory(business=shop)
    sugar = make_product(shop, "Sugar", selling_price="46.00", gst_rate="5", opening_stock="100")
    maggi = make_product(shop, "Maggi", selling_price="14.00", gst_rate="18", opening_stock="100")
    with django_capture_on_commit_callbacks(execute=True):
        walk_in_sale(shop)
    items = [
        InvoiceItemInput(product_id=maggi.pk, quantity="3"),
        InvoiceItemInput(product_id=sugar.pk, quantity="2"),
        InvoiceItemInput(description="Carry bag", quantity="1", unit_price="5.00"),
    ]
    # when
    with CaptureQueriesContext(connection) as queries:
        invoice = invoice_create(
            business=shop, customer_id=customer.pk, items=items, invoice_date=SALE_DAY
        )
    # then: products, then the customer, then the number; one statement per table after
    assert statements(queries) == [
        "SELECT products_product FOR UPDATE",
        "SELECT customers_customer FOR UPDATE",
        "UPDATE invoices_invoicesequence",
        "INSERT ledger_journalentry",
        "INSERT ledger_journalline",
        "UPDATE customers_customer",
        "INSERT invoices_invoice",
        "INSERT invoices_invoiceitem",
        "UPDATE products_product",
        "INSERT products_stockmovement",
    ]
    customer.refresh_from_db()
    assert customer.balance == invoice.amount_due == D("139.00")
    assert ledger_discrepancies(business=shop) == []
    assert stock_discrepancies(business=shop) == []


def test_the_same_product_on_two_lines_moves_stock_line_by_line(shop):
    # given
    sugar = make_product(shop, "Sugar", selling_price="40.00", gst_rate="0", opening_stock="3")
    # when
    invoice = invoice_create(
        business=shop,
        items=[
            InvoiceItemInput(product_id=sugar.pk, quantity="1"),
            InvoiceItemInput(description="Bag", quantity="1", unit_price="5"),
            InvoiceItemInput(product_id=sugar.pk, quantity="1.5"),
        ],
        amount_paid="105",
        invoice_date=SALE_DAY,
    )
    # then
    sales = StockMovement.objects.filter(product=sugar, kind="sale").order_by("pk")
    assert [(m.quantity, m.stock_after, m.note) for m in sales] == [
        (D("-1.000"), D("2.000"), f"Invoice {invoice.number} line 1"),
        (D("-1.500"), D("0.500"), f"Invoice {invoice.number} line 3"),
    ]
    assert {(m.reference, m.source_type, m.source_id) for m in sales} == {
        (invoice.number, "invoice", invoice.pk)
    }
    sugar.refresh_from_db()
    assert sugar.stock_quantity == D("0.500")


def test_cancel_locks_each_row_once(shop):
    # given
    customer = CustomerFactory(business=shop)
    sugar = make_product(shop, "Sugar", selling_price="45.00", gst_rate="5", opening_stock="10")
    invoice = invoice_create(
        business=shop,
        customer_id=customer.pk,
        items=[
            InvoiceItemInput(product_id=sugar.pk, quantity="2"),
            InvoiceItemInput(product_id=sugar.pk, quantity="1"),
        ],
        invoice_date=SALE_DAY,
    )
    # when
    with CaptureQueriesContext(connection) as queries:
        invoice_cancel(business=shop, invoice_id=invoice.pk, on_date=SALE_DAY)
    # then
    done = statements(queries)
    assert done.count("SELECT customers_customer FOR UPDATE") == 1
    assert done.count("SELECT products_product FOR UPDATE") == 1
    assert done.count("UPDATE products_product") == 1
    assert done.count("INSERT products_stockmovement") == 1
    returns = StockMovement.objects.filter(product=sugar, kind="cancellation").order_by("pk")
    assert [(m.quantity, m.stock_after) for m in returns] == [
        (D("2.000"), D("9.000")),
        (D("1.000"), D("10.000")),
    ]
    customer.refresh_from_db()
    assert customer.balance == D("0.00")
    assert ledger_discrepancies(business=shop) == []
    assert stock_discrepancies(business=shop) == []
