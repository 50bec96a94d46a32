"""Property tests generated from the live OpenAPI document: no 5xx, every answer as documented.

The resource endpoints join this run as they are added to the URLconf.
"""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from rest_framework.authtoken.models import Token

from tests.factories import BusinessFactory, member

# Fetched over WSGI from /api/v1/schema/ when this module is collected (the
# schema view needs no database). schemathesis' lazy from_fixture loader
# does not work with pytest 9.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/schema/?format=json",
    get_wsgi_application(),
    config=schemathesis.Config.from_dict(
        {
            "checks": {
                # Schema-valid input may still break a business rule: a wrong
                # password, an unknown product, a key reused with another body.
                "positive_data_acceptance": {
                    "expected-statuses": ["2XX", "400", "401", "403", "404", "409", "422", "429"]
                }
            }
        }
    ),
)


@pytest.fixture
def wsgi_in_test_transaction():
    # Django's WSGI handler closes the connection after each request, which would
    # end the test's transaction; the test client unhooks the same signals.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def auth_header(db, settings, wsgi_in_test_transaction):
    settings.API_THROTTLE_USER = "100000/min"
    settings.API_THROTTLE_ANON = "100000/min"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    owner = member(BusinessFactory(name="Sharma Kirana"), "owner", username="owner")
    token, _ = Token.objects.get_or_create(user=owner)
    return {"Authorization": f"Token {token.key}"}


@schema.parametrize()
@hypothesis.settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
)
def test_api_answers_as_documented(case, auth_header):
    case.call_and_validate(headers=auth_header)
