"""Login lockout: an atomic Redis counter per username and per client address."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.base_user import AbstractBaseUser
from rest_framework.test import APIClient

from tests.api.conftest import PASSWORD, in_thread
from tests.factories import member

TOKEN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def lockout_settings(settings, generous_rates):
    settings.LOGIN_LOCKOUT_ATTEMPTS = 3
    settings.LOGIN_LOCKOUT_IP_ATTEMPTS = 6
    settings.LOGIN_LOCKOUT_WINDOW_SECONDS = 600


@pytest.fixture
def password_checks(monkeypatch):
    """Counts the passwords actually compared, from any thread."""
    lock = threading.Lock()
    calls = {"n": 0}
    original = AbstractBaseUser.check_password

    def counting(self, raw_password):
        with lock:
            calls["n"] += 1
        return original(self, raw_password)

    monkeypatch.setattr(AbstractBaseUser, "check_password", counting)
    return calls


def login(client, username="owner", password="wrong", **extra):  # noqa: S107
    return client.post(TOKEN, {"username": username, "password": password}, format="json", **extra)


def test_after_n_failures_even_the_right_password_is_refused_with_retry_after(
    api, owner, password_checks
):
    # given three wrong passwords
    assert [login(api).status_code for _ in range(3)] == [400, 400, 400]

    # when the right one comes next
    response = login(api, password=PASSWORD)

    # then it is refused without being checked, with a time to come back
    assert response.status_code == 429
    assert response.json()["code"] == "login_locked"
    assert "Too many failed login attempts" in response.json()["detail"]
    assert response.json()["detail_hi"]
    assert 590 <= int(response["Retry-After"]) <= 600
    assert password_checks["n"] == 3


def test_a_successful_login_gives_its_attempt_back(api, owner):
    # given two failures, then a success
    login(api)
    login(api)
    assert login(api, password=PASSWORD).status_code == 200

    # then one more failure is still allowed before the lock
    assert login(api).status_code == 400
    assert login(api).status_code == 429


def test_username_case_does_not_buy_more_attempts(api, owner):
    for name in ("owner", "OWNER", "Owner"):
        assert login(api, username=name).status_code == 400

    assert login(api, username="oWnEr").status_code == 429


@pytest.mark.django_db(transaction=True)
def test_thirty_concurrent_wrong_attempts_check_at_most_n_passwords(password_checks):
    # given a shop owner and thirty attackers starting at once
    from tests.factories import BusinessFactory

    member(BusinessFactory(), "owner", username="owner")
    start = threading.Barrier(30)

    @in_thread
    def attempt(_):
        client = APIClient()
        start.wait()
        return login(client).status_code

    # when they all guess together
    with ThreadPoolExecutor(max_workers=30) as pool:
        codes = list(pool.map(attempt, range(30)))

    # then exactly N passwords were compared and the rest were locked out
    assert password_checks["n"] == 3
    assert sorted(codes) == [400] * 3 + [429] * 27


def test_a_spoofed_forwarded_for_does_not_reset_the_address_budget(api, shop):
    # given one client that tries a different username each time, and claims a
    # different address in X-Forwarded-For each time
    for i in range(6):
        response = login(api, username=f"guess{i}", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
        assert response.status_code == 400

    # then its real address is locked out all the same
    response = login(api, username="guess99", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_another_address_is_not_locked_by_someone_elses_failures(api, shop):
    for i in range(6):
        login(api, username=f"guess{i}", REMOTE_ADDR="203.0.113.5")

    assert login(api, username="guess0", REMOTE_ADDR="198.51.100.7").status_code == 400


def test_behind_a_trusted_proxy_the_proxy_appended_address_counts(api, shop, settings):
    # given one proxy of ours that appends the client address to X-Forwarded-For
    settings.TRUSTED_PROXY_COUNT = 1
    for i in range(6):
        forwarded = f"6.6.6.{i}, 203.0.113.5"  # the client wrote the left part itself
        login(api, username=f"guess{i}", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.2")

    # then 203.0.113.5 is locked, whatever the client writes on the left
    locked = login(
        api, username="guess9", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5", REMOTE_ADDR="10.0.0.2"
    )
    other = login(
        api, username="guess9", HTTP_X_FORWARDED_FOR="198.51.100.7", REMOTE_ADDR="10.0.0.2"
    )
    assert locked.status_code == 429
    assert other.status_code == 400


def test_the_login_page_says_the_account_is_locked(client, owner):
    for _ in range(3):
        page = client.post("/accounts/login/", {"username": "owner", "password": "nope"})
        assert "did not match" in page.content.decode()

    page = client.post("/accounts/login/", {"username": "owner", "password": PASSWORD})

    assert "Too many failed login attempts" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_login_shares_the_lockout(client, owner):
    for _ in range(3):
        client.post("/admin/login/", {"username": "owner", "password": "nope"})

    page = client.post("/admin/login/", {"username": "owner", "password": PASSWORD})

    assert "Too many failed login attempts" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_without_redis_the_cache_fallback_locks_too(api, owner, settings, password_checks):
    # given the embedded setup (no REDIS_URL): counters in the Django cache
    settings.REDIS_URL = ""

    codes = [login(api).status_code for _ in range(4)]
    response = login(api, password=PASSWORD)

    assert codes == [400, 400, 400, 429]
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert password_checks["n"] == 3
