"""Staff of shop A never see or touch shop B's books through the admin."""

from __future__ import annotations

import pytest

from customers.models import Customer
from invoices.models import Invoice, InvoiceStatus
from ledger.models import JournalEntry, Payment
from products.models import Product, StockMovement
from tests.admin.helpers import (
    apply_action,
    change_url,
    changelist_url,
    messages_of,
    operation_url,
)

pytestmark = pytest.mark.django_db


def _shop_b_objects(books_b):
    return {
        Customer: books_b.customer,
        Product: books_b.product,
        Invoice: books_b.invoice,
        JournalEntry: books_b.invoice.journal_entry,
        Payment: books_b.payment,
        StockMovement: StockMovement.objects.filter(business=books_b.shop).first(),
    }


def test_lists_show_only_the_users_shop(staff_client, books_a, books_b):
    # when: shop A's staff open each list
    pages = {
        model: staff_client.get(changelist_url(model)).content.decode()
        for model in (Customer, Product, Invoice, JournalEntry, Payment, StockMovement)
    }

    # then: shop A's rows are there and shop B's are not
    assert "Ramesh Kumar" in pages[Customer] and "Bansilal Gupta" not in pages[Customer]
    assert "Sugar" in pages[Product] and "Basmati" not in pages[Product]
    assert books_a.invoice.number in pages[Invoice]
    assert books_b.invoice.number not in pages[Invoice]
    assert books_b.invoice.number not in pages[JournalEntry]
    assert "Bansilal" not in pages[Payment] and "Ramesh Kumar" in pages[Payment]
    assert "Basmati" not in pages[StockMovement] and "Sugar" in pages[StockMovement]


@pytest.mark.parametrize(
    "model", [Customer, Product, Invoice, JournalEntry, Payment, StockMovement]
)
def test_another_shops_row_by_id_is_not_found(staff_client, books_a, books_b, model):
    obj = _shop_b_objects(books_b)[model]

    # when: the change page of shop B's row is asked for by id
    response = staff_client.get(change_url(obj))

    # then: Django's admin answers "doesn't exist" with a redirect home
    assert response.status_code == 302 and response.url == "/admin/"


@pytest.mark.parametrize(
    ("model", "term"),
    [
        (Customer, "Bansilal"),
        (Customer, "9811111111"),
        (Product, "Basmati"),
        (Invoice, "GGS/25-26"),
        (Invoice, "Bansilal"),
        (Payment, "Bansilal"),
        (JournalEntry, "GGS/25-26"),
        (StockMovement, "Basmati"),
    ],
)
def test_search_never_reaches_another_shop(staff_client, books_a, books_b, model, term):
    # when: shop A's staff search for something only shop B has
    page = staff_client.get(changelist_url(model), {"q": term}).content.decode()

    # then: no row (the term itself is echoed in the search box)
    assert "0 results" in page
    assert change_url(_shop_b_objects(books_b)[model]) not in page
    assert "9811111111</td>" not in page and "Bansilal Gupta</a>" not in page


def test_another_shops_rows_cannot_be_edited_or_operated_on(client, books_a, books_b, shop):
    from tests.factories import member

    # given: shop A's owner (who may cancel and record payments in shop A)
    client.force_login(member(shop, "owner", username="sharma"))
    customer_b, product_b, invoice_b = books_b.customer, books_b.product, books_b.invoice
    balance, stock = customer_b.balance, product_b.stock_quantity

    # when: they post edits and operations with shop B's ids
    client.post(change_url(customer_b), {"name": "Hacked", "phone": ""})
    client.post(
        operation_url(customer_b, "record-payment"), {"amount": "10", "mode": "cash", "apply": "1"}
    )
    client.post(
        operation_url(product_b, "adjust-stock"), {"change": "5", "kind": "purchase", "apply": "1"}
    )
    apply_action(client, Invoice, "cancel_invoices", [invoice_b])
    apply_action(client, Customer, "add_udhaar", [customer_b], amount="10")
    response = client.post(operation_url(invoice_b, "cancel-invoices"), {"apply": "1"})

    # then: nothing of shop B changed
    assert response.status_code == 302 and response.url == "/admin/"
    customer_b.refresh_from_db()
    product_b.refresh_from_db()
    invoice_b.refresh_from_db()
    assert customer_b.name == "Bansilal Gupta" and customer_b.balance == balance
    assert product_b.stock_quantity == stock
    assert invoice_b.status == InvoiceStatus.ISSUED
    assert JournalEntry.objects.filter(business=books_b.shop).count() == 2


def test_new_invoice_form_offers_only_the_shops_customers_and_products(
    staff_client, books_a, books_b
):
    page = staff_client.get("/admin/invoices/invoice/add/").content.decode()
    assert "Ramesh Kumar" in page and "Sugar" in page
    assert "Bansilal" not in page and "Basmati" not in page

    # when: a crafted POST names shop B's customer and product
    response = staff_client.post(
        "/admin/invoices/invoice/add/",
        {
            "customer": str(books_b.customer.pk),
            "payment_mode": "cash",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-product": str(books_b.product.pk),
            "items-0-quantity": "1",
        },
    )

    # then: refused as invalid choices, nothing issued
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Invoice.objects.count() == 2
    assert messages_of(response) == []
