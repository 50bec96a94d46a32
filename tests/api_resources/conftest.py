"""Clients for the resource endpoints and two shops' books."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import token_client
from tests.api_resources.helpers import Books, books_of
from tests.factories import member


@pytest.fixture(autouse=True)
def _generous_rates_and_fast_hashing(settings):
    # Rate limits and PBKDF2 are tested elsewhere; here they only slow things down.
    settings.API_THROTTLE_USER = "100000/min"
    settings.API_THROTTLE_ANON = "100000/min"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


@pytest.fixture
def owner_api(owner) -> APIClient:
    return token_client(owner)


@pytest.fixture
def staff_api(staff) -> APIClient:
    return token_client(staff)


@pytest.fixture
def books(shop) -> Books:
    return books_of(shop)


@pytest.fixture
def their_books(other_shop) -> Books:
    member(other_shop, "owner", username="gupta")
    return books_of(other_shop, name="Ramesh Gupta")
