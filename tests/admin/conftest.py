"""Two shops with books, and clients for their owner and staff.

Shop A (Sharma Kirana) and shop B (Gupta General Store) each get a customer,
a product with stock, an invoice on the customer's khata and a payment, all
through the services, so every admin page has real rows to show or hide.
"""

from __future__ import annotations

import pytest

from tests.admin.factories import Books, books_for
from tests.factories import UserFactory, member


@pytest.fixture
def books_a(shop) -> Books:
    return books_for(shop, customer_name="Ramesh Kumar", phone="9876543210", product_name="Sugar")


@pytest.fixture
def books_b(other_shop) -> Books:
    # Its own prefix, so shop A's invoice numbers never match shop B's in a page.
    other_shop.invoice_prefix = "GGS"
    other_shop.save(update_fields=["invoice_prefix"])
    return books_for(
        other_shop, customer_name="Bansilal Gupta", phone="9811111111", product_name="Basmati"
    )


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def other_owner(other_shop):
    return member(other_shop, "owner", username="gupta")
