"""The Cloud API client: request shapes, and failures sorted by the Graph error code."""

from __future__ import annotations

import pytest

from reminders import whatsapp
from reminders.whatsapp import Outcome, WhatsAppError, classify_error


def graph(code: int) -> dict:
    return {"error": {"message": f"(#{code}) something", "code": code, "type": "OAuthException"}}


@pytest.mark.parametrize(
    ("http_status", "body", "outcome"),
    [
        (429, graph(130429), Outcome.RETRY),
        (400, graph(130429), Outcome.RETRY),  # the code decides, not the status
        (400, graph(131056), Outcome.RETRY),
        (400, graph(131047), Outcome.NEEDS_TEMPLATE),
        (400, graph(131026), Outcome.PERMANENT),
        (400, graph(132001), Outcome.PERMANENT),
        (400, graph(132000), Outcome.PERMANENT),
        (401, graph(190), Outcome.PERMANENT),
        (500, graph(131000), Outcome.UNKNOWN),
        (503, graph(2), Outcome.UNKNOWN),  # answered after it arrived: it may have been acted on
        (400, graph(131016), Outcome.RETRY),
        (502, None, Outcome.UNKNOWN),
        (429, None, Outcome.RETRY),
        (404, "not json", Outcome.PERMANENT),
    ],
)
def test_errors_are_sorted_by_graph_code(http_status, body, outcome):
    error = classify_error(http_status, body)
    assert error.outcome == outcome
    assert error.http_status == http_status


def test_the_error_keeps_code_title_and_details():
    body = {
        "error": {
            "message": "(#131026) Message undeliverable",
            "code": 131026,
            "error_data": {"details": "Receiver is incapable of receiving this message"},
        }
    }
    error = classify_error(400, body)
    assert (error.code, error.title) == ("131026", "(#131026) Message undeliverable")
    assert error.details == "Receiver is incapable of receiving this message"


def test_payload_shapes_match_the_cloud_api():
    assert whatsapp.text_payload(to="919876543210", body="Namaste", callback_data="42") == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "919876543210",
        "type": "text",
        "text": {"preview_url": False, "body": "Namaste"},
        "biz_opaque_callback_data": "42",
    }
    template = whatsapp.template_payload(
        to="919876543210",
        name="payment_reminder",
        language="hi",
        body_params=["Ramesh", "Sharma Kirana"],
        callback_data="42",
    )
    assert template["type"] == "template"
    assert template["template"] == {
        "name": "payment_reminder",
        "language": {"code": "hi"},
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "Ramesh"},
                    {"type": "text", "text": "Sharma Kirana"},
                ],
            }
        ],
    }
    document = whatsapp.document_payload(
        to="919876543210",
        link="https://example.com/INV-0001.pdf",
        filename="INV-0001.pdf",
        caption="Your bill",
        callback_data="",
    )
    assert document["document"] == {
        "link": "https://example.com/INV-0001.pdf",
        "filename": "INV-0001.pdf",
        "caption": "Your bill",
    }


def test_phone_numbers_become_whatsapp_ids_and_back():
    assert whatsapp.wa_id_for("9876543210") == "919876543210"
    assert whatsapp.phone_for("919876543210") == "9876543210"
    assert whatsapp.phone_for("14155550100") == ""
    assert whatsapp.masked("919876543210") == "…3210"


def test_cloud_client_sends_text_template_and_document_to_the_standin(cloud):
    first = whatsapp.send_text(to="919876543210", body="Namaste", callback_data="1")
    second = whatsapp.send_template(
        to="919876543210",
        name="payment_reminder",
        language="en",
        body_params=["Ramesh", "Shop", "₹10.00", "-"],
    )
    # a document goes by upload (POST /media, multipart) and then by the media id
    third = whatsapp.send_document(to="919876543210", data=b"%PDF-1.4 bill", filename="a.pdf")
    assert first.wamid != second.wamid != third.wamid
    assert [a.type for a in cloud.accepted] == ["text", "template", "document"]
    (media,) = cloud.media.values()
    assert (media.data, media.filename, media.mime_type) == (
        b"%PDF-1.4 bill",
        "a.pdf",
        "application/pdf",
    )
    assert cloud.accepted[2].payload["document"] == {"id": media.media_id, "filename": "a.pdf"}


def test_a_document_link_the_standin_cannot_download_is_refused_like_whatsapp(cloud):
    # WhatsApp downloads a linked document itself; an unreachable link is 131053
    with pytest.raises(WhatsAppError) as failed:
        whatsapp.send_document(to="919876543210", link="http://127.0.0.1:9/a.pdf", filename="a")
    assert (failed.value.outcome, failed.value.code) == (Outcome.PERMANENT, "131053")


def test_a_wrong_token_is_a_permanent_error(cloud, settings):
    settings.WHATSAPP_ACCESS_TOKEN = "expired"
    with pytest.raises(WhatsAppError) as failed:
        whatsapp.send_text(to="919876543210", body="Namaste")
    assert (failed.value.outcome, failed.value.code, failed.value.http_status) == (
        Outcome.PERMANENT,
        "190",
        401,
    )


def test_a_template_with_the_wrong_number_of_parameters_is_refused(cloud):
    with pytest.raises(WhatsAppError) as failed:
        whatsapp.send_template(
            to="919876543210", name="payment_reminder", language="en", body_params=["only one"]
        )
    assert (failed.value.outcome, failed.value.code) == (Outcome.PERMANENT, "132000")


def test_nothing_listening_is_a_retry_not_an_unknown(cloud, settings):
    settings.WHATSAPP_API_BASE_URL = "http://127.0.0.1:9"  # discard port: refused
    with pytest.raises(WhatsAppError) as failed:
        whatsapp.send_text(to="919876543210", body="Namaste")
    assert (failed.value.outcome, failed.value.code) == (Outcome.RETRY, "connect_error")


def test_the_console_backend_answers_like_whatsapp(settings, caplog):
    settings.WHATSAPP_BACKEND = "console"
    with caplog.at_level("INFO", logger="reminders.whatsapp"):
        result = whatsapp.send_text(to="919876543210", body="Namaste")
    assert result.wamid.startswith("console.")
    record = next(r for r in caplog.records if r.message == "whatsapp console send")
    assert record.to == "…3210"  # never the whole number in logs
