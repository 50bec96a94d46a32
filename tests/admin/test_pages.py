"""Every books model's list and change page loads for a shop's owner, with the shop's rows."""

from __future__ import annotations

import pytest

from customers.models import Customer
from invoices.models import Invoice, InvoiceItem, InvoiceSequence
from ledger.models import Account, JournalEntry, JournalLine, Payment
from products.models import Product, StockMovement
from tests.admin.helpers import change_url, changelist_url

pytestmark = pytest.mark.django_db

MODELS = [
    Customer,
    Product,
    StockMovement,
    Account,
    JournalEntry,
    JournalLine,
    Payment,
    Invoice,
    InvoiceItem,
    InvoiceSequence,
]


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_owner_opens_the_changelist_and_a_change_page(owner_client, books_a, model):
    # given: a shop with a customer, stock, an invoice and a payment
    obj = model.objects.filter(business=books_a.shop).order_by("pk").first()
    assert obj is not None

    # when / then: the list and the row's page both load
    assert owner_client.get(changelist_url(model)).status_code == 200
    assert owner_client.get(change_url(obj)).status_code == 200


def test_list_columns_show_what_a_shopkeeper_needs(owner_client, books_a):
    # given: Ramesh owes ₹70 (a ₹100 invoice, ₹30 paid) and 18 kg of sugar is left
    customers = owner_client.get(changelist_url(Customer)).content.decode()
    products = owner_client.get(changelist_url(Product)).content.decode()
    invoices = owner_client.get(changelist_url(Invoice)).content.decode()
    payments = owner_client.get(changelist_url(Payment)).content.decode()
    entries = owner_client.get(changelist_url(JournalEntry)).content.decode()

    # then
    assert "Ramesh Kumar" in customers and "9876543210" in customers and "₹70.00" in customers
    assert "Sugar" in products and "18 kg" in products and "₹50.00" in products
    assert "5%" in products
    assert books_a.invoice.number in invoices and "₹100.00" in invoices and "Issued" in invoices
    assert "₹30.00" in payments and "Cash" in payments
    assert books_a.invoice.number in entries and "₹100.00" in entries


def test_balance_uses_indian_digit_grouping(owner_client, shop):
    from ledger.services import credit_add
    from tests.customers.factories import make_customer

    # given: a customer owing twelve lakh and a bit
    customer = make_customer(shop, "Sunita Devi")
    credit_add(business=shop, customer_id=customer.pk, amount="1234567.80")

    # then: lakh grouping, not thousands
    page = owner_client.get(changelist_url(Customer)).content.decode()
    assert "₹12,34,567.80" in page


def test_superuser_sees_every_shop_with_a_shop_column(superuser_client, books_a, books_b):
    page = superuser_client.get(changelist_url(Customer)).content.decode()
    assert "Ramesh Kumar" in page and "Bansilal Gupta" in page
    assert books_b.shop.name in page

    invoices = superuser_client.get(changelist_url(Invoice)).content.decode()
    assert books_a.invoice.number in invoices and books_b.invoice.number in invoices
