from __future__ import annotations

from django.contrib.auth import authenticate
from django.core.management import call_command

from execora.models import Business, Membership


def _snapshot() -> tuple[int, int]:
    return Business.objects.count(), Membership.objects.count()


def test_seed_demo_is_idempotent_and_prints_the_login(db, capsys):
    call_command("seed_demo")
    first = _snapshot()
    call_command("seed_demo")

    assert _snapshot() == first == (1, 1)
    assert "demo / execora-demo" in capsys.readouterr().out
    user = authenticate(username="demo", password="execora-demo")
    assert user is not None and user.is_staff
    membership = Membership.objects.get(user=user)
    assert membership.role == "owner"
    assert membership.business.name == "Sharma Kirana Store"


def test_seed_demo_takes_the_password_from_the_environment(db, settings):
    settings.EXECORA_DEMO_PASSWORD = "a-better-secret"
    call_command("seed_demo")
    assert authenticate(username="demo", password="a-better-secret") is not None
