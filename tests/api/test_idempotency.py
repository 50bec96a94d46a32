"""Idempotency-Key: one run per key, the stored answer for repeats, 422/409 for misuse."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from execora.api.idempotency import idempotency_records_purge, request_fingerprint
from execora.models import IdempotencyRecord
from execora.tasks import idempotency_purge
from tests.api import views
from tests.api.conftest import in_thread, token_client
from tests.factories import BusinessFactory, member

pytestmark = [pytest.mark.urls("tests.api.urls"), pytest.mark.usefixtures("generous_rates")]

URL = "/api/v1/test/rows/"


ROWS = Group.objects.filter(name__startswith="row:")


def rows() -> int:
    """Rows the test view's action wrote (one per run)."""
    return ROWS.count()


def post(api, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return api.post(URL, body, format="json", **headers)


def fingerprint(body) -> str:
    request = Request(APIRequestFactory().post(URL, body, format="json"), parsers=[JSONParser()])
    return request_fingerprint(request)


def test_a_repeat_returns_the_first_response_and_writes_nothing(owner_api):
    first = post(owner_api, {"name": "sugar"}, key="k-1")
    again = post(owner_api, {"name": "sugar"}, key="k-1")

    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"]
    assert rows() == 1
    record = IdempotencyRecord.objects.get(key="k-1")
    assert record.state == "completed"
    assert record.response_status == 201


def test_the_same_key_with_another_body_is_422(owner_api):
    post(owner_api, {"name": "sugar"}, key="k-1")

    response = post(owner_api, {"name": "salt"}, key="k-1")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert list(ROWS.values_list("name", flat=True)) == ["row:sugar"]


def test_without_a_key_every_request_runs(owner_api):
    post(owner_api, {"name": "sugar"})
    post(owner_api, {"name": "salt"})

    assert rows() == 2
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.parametrize(
    "key", ["", " leading-space", "x" * 256, "ключ", "tab\tinside", "new\nline"]
)
def test_a_malformed_key_is_400_and_runs_nothing(owner_api, key):
    response = post(owner_api, {"name": "sugar"}, key=key)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert "Idempotency-Key" in response.json()["errors"]
    assert rows() == 0


def test_the_longest_key_is_accepted(owner_api):
    assert post(owner_api, {"name": "sugar"}, key="k" * 255).status_code == 201


def test_a_business_failure_is_stored_and_replayed_without_writes(owner_api):
    # given a first attempt refused by a business rule (after the view wrote a row)
    first = post(owner_api, {"name": "sugar", "outcome": "no_stock"}, key="k-1")

    # when the client retries with the same key and body
    again = post(owner_api, {"name": "sugar", "outcome": "no_stock"}, key="k-1")

    # then both are the same failure and the failed attempt's writes are gone
    assert first.status_code == 400
    assert first.json()["code"] == "insufficient_stock"
    assert first.json()["extra"] == {"available": "2.000"}
    assert again.status_code == 400
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert rows() == 0


def test_a_validation_failure_is_replayed_too(owner_api):
    first = post(owner_api, {"outcome": "ok"}, key="k-1")
    again = post(owner_api, {"outcome": "ok"}, key="k-1")

    assert first.status_code == again.status_code == 400
    assert again.json()["errors"] == {"name": ["This field is required."]}
    assert again["Idempotent-Replayed"] == "true"


def test_a_server_error_gives_the_key_back(owner):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(owner)

    crashed = post(api, {"name": "sugar", "outcome": "crash"}, key="k-1")

    assert crashed.status_code == 500
    assert not IdempotencyRecord.objects.exists()
    assert rows() == 0
    # the client may now retry with the same key, even after fixing the body
    assert post(api, {"name": "sugar"}, key="k-1").status_code == 201


def test_keys_belong_to_one_user(owner_api, staff_api):
    assert post(owner_api, {"name": "sugar"}, key="k-1").status_code == 201
    assert post(staff_api, {"name": "salt"}, key="k-1").status_code == 201

    assert rows() == 2


def test_keys_belong_to_one_shop(owner, other_shop):
    # given a user who works in two shops and switches between them in the session
    from rest_framework.test import APIClient

    from execora.services import membership_grant
    from execora.tenancy import SESSION_KEY

    membership_grant(user=owner, business=other_shop, role="owner")
    api = APIClient()
    api.force_login(owner)
    assert post(api, {"name": "sugar"}, key="k-1").status_code == 201
    session = api.session
    session[SESSION_KEY] = other_shop.pk
    session.save()

    second = post(api, {"name": "sugar2"}, key="k-1")

    assert second.status_code == 201
    assert IdempotencyRecord.objects.filter(key="k-1").count() == 2


def test_a_key_still_in_progress_is_409(owner_api, owner):
    # given a live claim on the key (fresh, so its runner is presumed alive)
    IdempotencyRecord.objects.create(
        business=owner.memberships.get().business,
        user=owner,
        key="k-1",
        fingerprint=fingerprint({"name": "sugar"}),
    )

    response = post(owner_api, {"name": "sugar"}, key="k-1")

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_in_progress"
    assert rows() == 0


def test_a_claim_left_by_a_dead_request_is_taken_over(owner_api, owner, settings):
    # given an in-progress claim older than the stale limit, whose runner died
    # (its transaction rolled back, so it wrote nothing and holds no lock)
    record = IdempotencyRecord.objects.create(
        business=owner.memberships.get().business,
        user=owner,
        key="k-1",
        fingerprint=fingerprint({"name": "sugar"}),
        created_at=timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_STALE_SECONDS + 1),
    )

    response = post(owner_api, {"name": "sugar"}, key="k-1")

    assert response.status_code == 201
    assert rows() == 1
    record.refresh_from_db()
    assert record.state == "completed"


@pytest.mark.django_db(transaction=True)
def test_a_repeat_while_the_first_runs_is_409_then_replays(generous_rates):
    # given a first request blocked inside the action
    owner = member(BusinessFactory(), "owner", username="owner")
    views.release.clear()
    body = {"name": "sugar", "outcome": "wait"}

    @in_thread
    def first():
        return post(token_client(owner), body, key="k-1")

    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(first)
        deadline = time.monotonic() + 10
        while not IdempotencyRecord.objects.filter(key="k-1").exists():
            assert time.monotonic() < deadline
            time.sleep(0.01)

        # when the same request comes again meanwhile
        repeat = post(token_client(owner), body, key="k-1")
        views.release.set()
        original = running.result(timeout=20)

    # then it is told to wait, and after the first finished it gets its answer
    assert repeat.status_code == 409
    assert original.status_code == 201
    replay = post(token_client(owner), body, key="k-1")
    assert replay.status_code == 201
    assert replay.json() == original.json()
    assert rows() == 1


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_requests_with_one_key_run_the_action_once(generous_rates):
    owner = member(BusinessFactory(), "owner", username="owner")
    start = threading.Barrier(10)

    @in_thread
    def attempt(_):
        api = token_client(owner)
        start.wait()
        return post(api, {"name": "sugar", "outcome": "slow"}, key="same-key")

    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(attempt, range(10)))

    codes = [r.status_code for r in responses]
    assert rows() == 1
    assert set(codes) <= {201, 409}
    created = [r.json() for r in responses if r.status_code == 201]
    assert created and all(body == created[0] for body in created)
    assert IdempotencyRecord.objects.get(key="same-key").state == "completed"


def test_purge_deletes_keys_older_than_the_ttl(owner, settings):
    # given keys of 25 hours and of 23 hours ago, and a 24-hour TTL
    settings.IDEMPOTENCY_TTL_HOURS = 24
    business = owner.memberships.get().business
    now = timezone.now()
    for key, age in (("old", 25), ("young", 23)):
        IdempotencyRecord.objects.create(
            business=business,
            user=owner,
            key=key,
            fingerprint="0" * 64,
            created_at=now - timedelta(hours=age),
        )

    assert idempotency_records_purge(now=now) == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["young"]
    assert idempotency_purge() == 0
