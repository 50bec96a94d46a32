from __future__ import annotations

import pytest
from django.db import connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

PASSWORD = "pass-word-123"  # tests/factories.py UserFactory's password


@pytest.fixture
def api():
    return APIClient()


def token_client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def owner_api(owner):
    return token_client(owner)


@pytest.fixture
def staff_api(staff):
    return token_client(staff)


@pytest.fixture
def generous_rates(settings):
    """Rate limits out of the way for tests about something else."""
    settings.API_THROTTLE_USER = "10000/min"
    settings.API_THROTTLE_ANON = "10000/min"


def in_thread(fn):
    """Run fn in a worker thread with its own database connection, closed afterwards."""

    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        finally:
            connections.close_all()

    return run


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2's deliberate slowness costs half a second per login and proves nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
