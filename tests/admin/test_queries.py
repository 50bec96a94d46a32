"""List pages cost the same number of queries for 2 rows as for 20 (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Customer
from invoices.models import Invoice, InvoiceItem
from ledger.models import Account, JournalEntry, JournalLine, Payment
from products.models import Product, StockMovement
from tests.admin.factories import books_for
from tests.admin.helpers import changelist_url

pytestmark = pytest.mark.django_db

LISTS = [
    Customer,
    Product,
    StockMovement,
    Invoice,
    InvoiceItem,
    Payment,
    JournalEntry,
    JournalLine,
    Account,
]


def _queries(client, model) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(changelist_url(model)).status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", LISTS, ids=lambda model: model._meta.label)
def test_changelist_queries_do_not_grow_with_rows(superuser_client, shop, model):
    # given: one set of books, counted
    books_for(shop, customer_name="Ramesh", phone="9876543210", product_name="Sugar")
    few = _queries(superuser_client, model)

    # when: four more customers, products, invoices and payments
    for n in range(4):
        books_for(
            shop, customer_name=f"Customer {n}", phone=f"98000000{n:02d}", product_name=f"P{n}"
        )

    # then (as a superuser, so the shop column is on too)
    assert _queries(superuser_client, model) == few
