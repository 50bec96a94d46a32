"""Token and session authentication; who gets 401 and who gets 403."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from tests.api.conftest import PASSWORD, token_client
from tests.factories import UserFactory

ME = "/api/v1/me/"
TOKEN = "/api/v1/auth/token/"


def test_no_credentials_is_401_with_token_challenge(api, db):
    response = api.get(ME)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
        "errors": {},
    }


def test_a_bad_token_is_401(api, owner):
    # given a token that was never issued
    api.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")

    response = api.get(ME)

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_token_endpoint_returns_a_token_that_authenticates(api, shop, owner):
    response = api.post(TOKEN, {"username": "owner", "password": PASSWORD}, format="json")

    assert response.status_code == 200
    key = response.json()["token"]
    assert key == Token.objects.get(user=owner).key
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    me = api.get(ME)
    assert me.status_code == 200
    assert me.json() == {
        "user": {"id": owner.pk, "username": "owner"},
        "shop": {"id": shop.pk, "name": "Sharma Kirana", "gstin": shop.gstin, "state_code": "27"},
        "role": "owner",
    }


def test_token_endpoint_returns_the_same_token_twice(api, owner):
    first = api.post(TOKEN, {"username": "owner", "password": PASSWORD}, format="json")
    second = api.post(TOKEN, {"username": "owner", "password": PASSWORD}, format="json")

    assert first.json()["token"] == second.json()["token"]


def test_wrong_password_is_400_and_issues_no_token(api, owner):
    response = api.post(TOKEN, {"username": "owner", "password": "nope"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert response.json()["detail"] == "Unable to log in with the username and password given."
    assert not Token.objects.filter(user=owner).exists()


def test_token_endpoint_names_missing_fields(api, db):
    response = api.post(TOKEN, {"username": "owner"}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Invalid input."
    assert body["errors"] == {"password": ["This field is required."]}


def test_token_endpoint_ignores_a_stale_session_without_csrf(owner):
    # given a browser session (CSRF enforced) that posts to the token endpoint
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(TOKEN, {"username": "owner", "password": PASSWORD}, format="json")

    assert response.status_code == 200


def test_session_authentication_works_for_the_browser(client, staff):
    client.force_login(staff)

    response = client.get(ME)

    assert response.status_code == 200
    assert response.json()["role"] == "staff"


@pytest.mark.django_db
def test_a_user_without_a_shop_gets_403_saying_so():
    lonely = UserFactory(username="lonely")

    response = token_client(lonely).get(ME)

    assert response.status_code == 403
    assert response.json() == {
        "detail": "You are not a member of any shop.",
        "code": "not_a_member",
        "errors": {},
    }
