"""Request rates per user and per anonymous address, from settings; 429 with Retry-After."""

from __future__ import annotations

from tests.api.conftest import token_client

ME = "/api/v1/me/"
TOKEN = "/api/v1/auth/token/"


def test_a_user_over_their_rate_gets_429_with_retry_after(owner, settings):
    # given a rate of two requests a minute per user
    settings.API_THROTTLE_USER = "2/min"
    api = token_client(owner)

    codes = [api.get(ME).status_code for _ in range(3)]

    response = api.get(ME)
    assert codes == [200, 200, 429]
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert response.json()["errors"] == {}
    assert 1 <= int(response["Retry-After"]) <= 60


def test_each_user_has_their_own_budget(owner, staff, settings):
    settings.API_THROTTLE_USER = "1/min"

    assert token_client(owner).get(ME).status_code == 200
    assert token_client(staff).get(ME).status_code == 200
    assert token_client(owner).get(ME).status_code == 429


def test_anonymous_requests_are_limited_per_address(api, db, settings):
    settings.API_THROTTLE_ANON = "2/min"
    body = {"username": "nobody", "password": "x"}

    codes = [api.post(TOKEN, body, format="json").status_code for _ in range(2)]
    # a different X-Forwarded-For is not a different client
    spoofed = api.post(TOKEN, body, format="json", HTTP_X_FORWARDED_FOR="10.1.2.3")
    elsewhere = api.post(TOKEN, body, format="json", REMOTE_ADDR="198.51.100.7")

    assert codes == [400, 400]
    assert spoofed.status_code == 429
    assert "Retry-After" in spoofed
    assert elsewhere.status_code == 400


def test_an_empty_rate_turns_the_throttle_off(owner, settings):
    settings.API_THROTTLE_USER = ""
    api = token_client(owner)

    assert {api.get(ME).status_code for _ in range(5)} == {200}
