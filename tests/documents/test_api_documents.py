"""`GET invoices/{id}/pdf/`, `POST invoices/{id}/send/`, reports: scoped to the caller's shop."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from invoices.models import Document
from reminders.models import WhatsAppMessage
from tests.api.conftest import token_client
from tests.documents.conftest import bill, pdf_text
from tests.factories import BusinessFactory, member


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def owner_api(gst_shop):
    return token_client(member(gst_shop, "owner", username="sharma"))


@pytest.fixture
def staff_api(gst_shop):
    return token_client(member(gst_shop, "staff", username="sharma-staff"))


@pytest.fixture
def other_api(db):
    return token_client(member(BusinessFactory(name="Elsewhere"), "owner", username="elsewhere"))


def test_the_pdf_comes_as_application_pdf_and_is_rendered_once(owner_api, gst_shop, local_buyer):
    invoice = bill(gst_shop, local_buyer)
    first = owner_api.get(f"/api/v1/invoices/{invoice.pk}/pdf/")
    assert first.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert first["Content-Disposition"] == 'inline; filename="INV-25-26-0001.pdf"'
    assert first.content.startswith(b"%PDF-")
    assert "INV/25-26/0001" in pdf_text(first.content)
    again = owner_api.get(f"/api/v1/invoices/{invoice.pk}/pdf/", HTTP_ACCEPT="application/pdf")
    assert again.content == first.content
    assert Document.objects.filter(invoice=invoice).count() == 1


def test_a_link_to_a_local_file_is_the_api_path(owner_api, gst_shop, local_buyer):
    invoice = bill(gst_shop, local_buyer)
    answer = owner_api.get(f"/api/v1/invoices/{invoice.pk}/pdf/?link=true")
    assert answer.status_code == 200
    body = answer.json()
    assert body["url"].endswith(f"/api/v1/invoices/{invoice.pk}/pdf/")
    assert body["expires_in"] is None and body["filename"] == "INV-25-26-0001.pdf"
    assert owner_api.get(f"/api/v1/invoices/{invoice.pk}/pdf/?link=maybe").status_code == 400


def test_documents_need_a_login_and_another_shops_invoice_is_a_404(
    api, other_api, gst_shop, local_buyer
):
    invoice = bill(gst_shop, local_buyer)
    assert api.get(f"/api/v1/invoices/{invoice.pk}/pdf/").status_code == 401
    assert api.post(f"/api/v1/invoices/{invoice.pk}/send/").status_code == 401
    assert other_api.get(f"/api/v1/invoices/{invoice.pk}/pdf/").status_code == 404
    # asked for a PDF, the error is still a JSON body labelled as JSON
    missing = other_api.get(f"/api/v1/invoices/{invoice.pk}/pdf/", HTTP_ACCEPT="application/pdf")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/json"
    assert missing.json()["code"] == "not_found"
    refused = other_api.post(f"/api/v1/invoices/{invoice.pk}/send/", HTTP_IDEMPOTENCY_KEY="k-1")
    assert refused.status_code == 404
    assert refused.json()["code"] == "not_found"
    # nothing was rendered or queued for the other shop's request
    assert not Document.objects.exists() and not WhatsAppMessage.objects.exists()


def test_sending_queues_one_message_even_when_the_request_is_retried(
    staff_api, gst_shop, local_buyer, django_capture_on_commit_callbacks
):
    invoice = bill(gst_shop, local_buyer)
    url = f"/api/v1/invoices/{invoice.pk}/send/"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = staff_api.post(url, HTTP_IDEMPOTENCY_KEY="send-1")
        again = staff_api.post(url, HTTP_IDEMPOTENCY_KEY="send-1")
    assert first.status_code == 202
    assert first.json()["kind"] == "document" and first.json()["status"] == "pending"
    assert again.status_code == 202 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert WhatsAppMessage.objects.filter(business=gst_shop).count() == 1
    assert len(callbacks) == 1


def test_a_cash_sale_cannot_be_sent(owner_api, gst_shop):
    invoice = bill(gst_shop, paid="1330")
    answer = owner_api.post(f"/api/v1/invoices/{invoice.pk}/send/")
    assert answer.status_code == 400
    assert answer.json()["code"] == "no_customer"
    assert not WhatsAppMessage.objects.exists()


def test_the_send_through_the_worker_records_the_document_message(
    owner_api, gst_shop, local_buyer, django_capture_on_commit_callbacks, celery_eager, caplog
):
    invoice = bill(gst_shop, local_buyer)
    with (
        caplog.at_level("INFO", logger="reminders.whatsapp"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        answer = owner_api.post(f"/api/v1/invoices/{invoice.pk}/send/")
    message = WhatsAppMessage.objects.get(pk=answer.json()["id"])
    assert message.status == "accepted" and message.wamid.startswith("console.")
    listed = owner_api.get("/api/v1/messages/").json()
    assert message.pk in [row["id"] for row in listed["results"]]


def test_the_gstr1_export_and_daily_summary_are_the_callers_shops(
    owner_api, other_api, gst_shop, local_buyer
):
    bill(gst_shop, local_buyer)
    day = "2025-05-10"
    mine = owner_api.get(f"/api/v1/reports/gstr1/?from={day}&to={day}")
    assert mine.status_code == 200 and mine["Content-Type"].startswith("text/csv")
    assert "INV/25-26/0001" in mine.content.decode()
    theirs = other_api.get(f"/api/v1/reports/gstr1/?from={day}&to={day}")
    assert "INV/25-26/0001" not in theirs.content.decode()
    assert other_api.get(f"/api/v1/reports/daily-summary/?date={day}").json()["bills"] == 0
    assert owner_api.get(f"/api/v1/reports/daily-summary/?date={day}").json()["bills"] == 1
    assert owner_api.get("/api/v1/reports/gstr1/?from=2025-05-10").status_code == 400
    assert owner_api.get("/api/v1/reports/daily-summary/?date=10-05-2025").status_code == 400
    assert datetime.date.fromisoformat(
        owner_api.get("/api/v1/reports/daily-summary/").json()["date"]
    )
