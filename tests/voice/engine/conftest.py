"""A shop with customers and products, and `say(...)`: one command through voice.services."""

from __future__ import annotations

from decimal import Decimal

import pytest

from customers.models import Customer
from invoices.models import Invoice
from ledger.models import JournalEntry, Payment
from ledger.services import credit_add
from products.models import Product, StockMovement
from reminders.models import Reminder
from tests.customers.factories import make_customer
from tests.factories import member
from tests.products.factories import make_product
from voice.services import CommandResult, command_run


@pytest.fixture
def ramesh(shop):
    """Ramesh Kumar owes 750 and has a phone."""
    customer = make_customer(shop, "Ramesh Kumar", phone="9876543210")
    credit_add(business=shop, customer_id=customer.pk, amount="750", note="Opening")
    customer.refresh_from_db()
    return customer


@pytest.fixture
def suresh(shop):
    return make_customer(shop, "Suresh Patel", phone="9812345678")


@pytest.fixture
def sugar(shop):
    return make_product(
        shop,
        "Sugar",
        unit="kg",
        selling_price="45.00",
        gst_rate="0",
        opening_stock="20",
        aliases=["cheeni", "चीनी"],
        low_stock_level="5",
    )


@pytest.fixture
def oil(shop):
    return make_product(
        shop,
        "Mustard Oil",
        unit="l",
        selling_price="180.00",
        gst_rate="5",
        opening_stock="50",
        aliases=["tel", "sarson tel"],
    )


@pytest.fixture
def say(shop, owner):
    """say("Ramesh ko 500 udhaar likho", conversation=..., user=..., now=...) -> CommandResult."""

    def run(text: str, *, conversation=None, user=None, now=None) -> CommandResult:
        return command_run(
            business=shop,
            user=user or owner,
            text=text,
            conversation_id=conversation,
            now=now,
        )

    return run


def books(shop) -> dict[str, int]:
    """Row counts of everything a command may write, to show that nothing was written."""
    return {
        "customers": Customer.objects.filter(business=shop).count(),
        "entries": JournalEntry.objects.filter(business=shop).count(),
        "payments": Payment.objects.filter(business=shop).count(),
        "invoices": Invoice.objects.filter(business=shop).count(),
        "reminders": Reminder.objects.filter(business=shop).count(),
        "products": Product.objects.filter(business=shop).count(),
        "movements": StockMovement.objects.filter(business=shop).count(),
        "prices": sum(Product.objects.filter(business=shop).values_list("selling_price", flat=True))
        or Decimal("0"),
    }


@pytest.fixture
def cashier(shop):
    return member(shop, "staff", username="cashier")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2's deliberate slowness costs most of a second per user and proves nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
