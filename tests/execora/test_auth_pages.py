from __future__ import annotations

import pytest

from tests.factories import UserFactory


def test_console_requires_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_login_page_logs_in_and_shows_the_shop(client, shop, owner):
    assert "Log in" in client.get("/accounts/login/").content.decode()

    response = client.post(
        "/accounts/login/", {"username": "owner", "password": "pass-word-123"}, follow=True
    )

    assert response.redirect_chain[-1][0] == "/"
    assert shop.name in response.content.decode()


def test_wrong_password_is_refused_with_a_message(client, owner):
    response = client.post("/accounts/login/", {"username": "owner", "password": "nope"})
    assert response.status_code == 200
    assert "did not match" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session(client, owner):
    client.force_login(owner)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_a_user_without_a_shop_is_told_so(client):
    client.force_login(UserFactory(username="lonely"))
    assert "not a member of any shop" in client.get("/").content.decode()
