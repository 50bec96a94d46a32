"""A user of two shops chooses the shop; a third shop is never offered."""

from __future__ import annotations

import pytest

from customers.models import Customer
from invoices.models import Invoice
from tests.admin.helpers import apply_action, messages_of
from tests.factories import BusinessFactory, member
from tests.products.factories import make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_shop_client(client, shop, other_shop):
    member(shop, "owner", username="sharma")
    # The same user (get_or_create by username), now staff of the second shop too.
    client.force_login(member(other_shop, "staff", username="sharma"))
    return client


def test_customer_add_offers_only_the_users_shops(two_shop_client, shop, other_shop):
    third = BusinessFactory(name="Third Shop")

    page = two_shop_client.get("/admin/customers/customer/add/").content.decode()
    assert shop.name in page and other_shop.name in page and third.name not in page

    # when: a customer is added to the second shop, then (crafted) to the third
    ok = two_shop_client.post(
        "/admin/customers/customer/add/", {"business": str(other_shop.pk), "name": "Sunita"}
    )
    refused = two_shop_client.post(
        "/admin/customers/customer/add/", {"business": str(third.pk), "name": "Intruder"}
    )

    # then
    assert ok.status_code == 302
    assert Customer.objects.get(name="Sunita").business == other_shop
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    assert not Customer.objects.filter(business=third).exists()


def test_invoice_for_one_shop_cannot_use_another_shops_product(two_shop_client, shop, other_shop):
    product_b = make_product(other_shop, "Basmati", opening_stock="5")

    # when: shop A is chosen but the line names shop B's product
    response = two_shop_client.post(
        "/admin/invoices/invoice/add/",
        {
            "business": str(shop.pk),
            "paid_in_full": "on",
            "payment_mode": "cash",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-product": str(product_b.pk),
            "items-0-quantity": "1",
        },
    )

    # then: refused on the form, nothing issued
    assert response.status_code == 200
    assert "Basmati is not sold by Sharma Kirana." in response.content.decode()
    assert not Invoice.objects.exists()


def test_owner_role_is_checked_per_shop(two_shop_client, shop, other_shop):
    from invoices.services import InvoiceItemInput, invoice_create

    # given: an invoice in each shop; the user owns shop A but is staff in shop B
    def sale(business):
        return invoice_create(
            business=business,
            items=[InvoiceItemInput(description="Bag", quantity="1", unit_price="10")],
            amount_paid="10",
        )

    invoice_a, invoice_b = sale(shop), sale(other_shop)

    # when: both are cancelled together
    response = apply_action(two_shop_client, Invoice, "cancel_invoices", [invoice_a, invoice_b])

    # then: shop A's is cancelled, shop B's refused
    invoice_a.refresh_from_db()
    invoice_b.refresh_from_db()
    assert (invoice_a.status, invoice_b.status) == ("cancelled", "issued")
    assert any("only the shop's owner" in m for m in messages_of(response))
