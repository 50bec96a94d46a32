from __future__ import annotations

from django.contrib.auth import authenticate
from django.core.management import call_command

from customers.models import Customer
from execora.models import Business, Membership
from invoices.models import Invoice
from ledger.models import JournalEntry, Payment
from products.models import Product, StockMovement


def _snapshot() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Business,
            Membership,
            Customer,
            Product,
            Invoice,
            JournalEntry,
            Payment,
            StockMovement,
        )
    }


def test_seed_demo_is_idempotent_and_prints_the_login(db, capsys):
    call_command("seed_demo")
    first = _snapshot()
    call_command("seed_demo")

    assert _snapshot() == first
    assert first["Business"] == first["Membership"] == 1
    assert first["Customer"] >= 20 and first["Product"] >= 40 and first["Invoice"] >= 4
    assert "demo / execora-demo" in capsys.readouterr().out
    user = authenticate(username="demo", password="execora-demo")
    assert user is not None and user.is_staff
    membership = Membership.objects.get(user=user)
    assert membership.role == "owner"
    assert membership.business.name == "Sharma Kirana Store"


def test_demo_shop_has_the_people_and_goods_voice_commands_name(db):
    call_command("seed_demo")
    names = set(Customer.objects.values_list("name", flat=True))
    assert {"Ramesh Kumar", "Suresh Patil", "Sunita Deshmukh", "Mohammed Irfan"} <= names
    aliases = {alias for row in Product.objects.values_list("aliases", flat=True) for alias in row}
    assert {"cheeni", "atta", "chawal", "tel", "maggi", "doodh", "चीनी"} <= aliases
    # and the books it wrote are consistent
    call_command("verify_ledger")
    assert Invoice.objects.filter(status="cancelled").count() == 1


def test_seed_demo_takes_the_password_from_the_environment(db, settings):
    settings.EXECORA_DEMO_PASSWORD = "a-better-secret"
    call_command("seed_demo")
    assert authenticate(username="demo", password="a-better-secret") is not None
