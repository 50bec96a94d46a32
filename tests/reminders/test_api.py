"""/api/v1/reminders/ and /api/v1/messages/."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from reminders.models import Reminder, WhatsAppMessage
from reminders.services import reminder_schedule
from tests.api.conftest import token_client
from tests.reminders.factories import owing

pytestmark = pytest.mark.django_db

URL = "/api/v1/reminders/"


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.API_THROTTLE_USER = "10000/min"


@pytest.fixture
def api(owner):
    return token_client(owner)


def soon(hours: int = 1) -> str:
    # Noon tomorrow, IST: inside the shop's hours, so next_attempt_at is the time asked.
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    noon = datetime.datetime.combine(tomorrow, datetime.time(12), tzinfo=datetime.UTC)
    return (noon + datetime.timedelta(hours=hours - 7)).isoformat()


def test_create_schedules_a_reminder_for_the_callers_shop(api, shop, owner):
    customer = owing(shop)
    response = api.post(
        URL,
        {"customer": customer.pk, "scheduled_at": soon(), "amount": "500.00", "message": "Yaad se"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    reminder = Reminder.objects.get(pk=body["id"])
    assert (reminder.business, reminder.customer, reminder.source, reminder.created_by) == (
        shop,
        customer,
        "api",
        owner,
    )
    assert body["amount"] == "500.00"
    assert body["status"] == "scheduled"
    assert body["customer_name"] == "Ramesh Kumar"
    assert body["recurrence"] == "none"


def test_create_honours_an_idempotency_key(api, shop):
    customer = owing(shop)
    payload = {"customer": customer.pk, "scheduled_at": soon()}
    first = api.post(URL, payload, HTTP_IDEMPOTENCY_KEY="rem-1")
    again = api.post(URL, payload, HTTP_IDEMPOTENCY_KEY="rem-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert Reminder.objects.count() == 1


def test_create_refuses_another_shops_customer(api, other_shop):
    theirs = owing(other_shop)
    response = api.post(URL, {"customer": theirs.pk})
    assert response.status_code == 400
    assert "customer" in response.json()["errors"]
    assert not Reminder.objects.exists()


def test_create_refuses_a_time_in_the_past_with_the_field_named(api, shop):
    customer = owing(shop)
    past = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    response = api.post(URL, {"customer": customer.pk, "scheduled_at": past})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "in_the_past"
    assert body["detail_hi"]
    assert "scheduled_at" in body["errors"]


def test_list_filters_by_status(api, shop):
    customer = owing(shop)
    first = reminder_schedule(business=shop, customer_id=customer.pk, when=None)
    second = reminder_schedule(business=shop, customer_id=customer.pk, when=None)
    Reminder.objects.filter(pk=first.pk).update(status="failed", last_error_code="131026")
    # then
    everything = api.get(URL).json()
    failed = api.get(URL, {"status": "failed"}).json()
    both = api.get(f"{URL}?status=failed&status=scheduled").json()
    assert everything["count"] == 2
    assert [r["id"] for r in failed["results"]] == [first.pk]
    assert failed["results"][0]["last_error_code"] == "131026"
    assert {r["id"] for r in both["results"]} == {first.pk, second.pk}
    assert api.get(URL, {"status": "nonsense"}).status_code == 400


def test_patch_reschedules(api, shop):
    reminder = reminder_schedule(business=shop, customer_id=owing(shop).pk, when=None)
    new_time = soon(hours=2)
    response = api.patch(f"{URL}{reminder.pk}/", {"scheduled_at": new_time})
    assert response.status_code == 200
    reminder.refresh_from_db()
    assert reminder.scheduled_at == datetime.datetime.fromisoformat(new_time)
    assert response.json()["next_attempt_at"] == response.json()["scheduled_at"]


def test_put_and_delete_are_not_offered(api, shop):
    reminder = reminder_schedule(business=shop, customer_id=owing(shop).pk, when=None)
    assert api.put(f"{URL}{reminder.pk}/", {"scheduled_at": soon()}).status_code == 405
    assert api.delete(f"{URL}{reminder.pk}/").status_code == 405


def test_cancel_action_and_409_when_already_sent(api, shop, staff):
    customer = owing(shop)
    pending = reminder_schedule(business=shop, customer_id=customer.pk, when=None)
    sent = reminder_schedule(business=shop, customer_id=customer.pk, when=None)
    Reminder.objects.filter(pk=sent.pk).update(status="sent")
    # when staff (not only the owner) cancel
    staff_api = token_client(staff)
    response = staff_api.post(f"{URL}{pending.pk}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    refused = staff_api.post(f"{URL}{sent.pk}/cancel/")
    assert refused.status_code == 409
    assert refused.json()["code"] == "reminder_not_pending"


def test_another_shops_reminder_is_404_everywhere(api, other_shop):
    theirs = reminder_schedule(business=other_shop, customer_id=owing(other_shop).pk, when=None)
    assert api.get(f"{URL}{theirs.pk}/").status_code == 404
    assert api.patch(f"{URL}{theirs.pk}/", {"scheduled_at": soon()}).status_code == 404
    assert api.post(f"{URL}{theirs.pk}/cancel/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "scheduled"


def test_messages_are_read_only_and_scoped(api, shop, other_shop):
    customer = owing(shop)
    reminder = reminder_schedule(business=shop, customer_id=customer.pk, when=None)
    ours = WhatsAppMessage.objects.create(
        business=shop,
        customer=customer,
        reminder=reminder,
        direction="out",
        kind="text",
        wa_id="919876543210",
        wamid="wamid.API1",
        status="failed",
        error_code="131026",
        error_title="Message undeliverable",
        status_history=[{"status": "failed", "at": "2026-03-10T10:00:00+00:00"}],
    )
    WhatsAppMessage.objects.create(
        business=other_shop, direction="out", kind="text", wa_id="1", status="sent", wamid="w2"
    )
    body = api.get("/api/v1/messages/").json()
    assert [m["id"] for m in body["results"]] == [ours.pk]
    detail = api.get(f"/api/v1/messages/{ours.pk}/").json()
    assert (detail["error_code"], detail["error_title"]) == ("131026", "Message undeliverable")
    assert detail["status_history"][0]["status"] == "failed"
    assert api.get("/api/v1/messages/", {"reminder": reminder.pk}).json()["count"] == 1
    assert api.post("/api/v1/messages/", {}).status_code == 405
    assert api.get("/api/v1/messages/", {"direction": "in"}).json()["count"] == 0


def test_the_schema_documents_reminders_and_messages(api):
    schema = api.get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    assert set(paths["/api/v1/reminders/{id}/"]) >= {"get", "patch"}
    assert "put" not in paths["/api/v1/reminders/{id}/"]
    assert "409" in paths["/api/v1/reminders/{id}/cancel/"]["post"]["responses"]
    assert set(paths["/api/v1/messages/"]) == {"get"}
