"""Invoice and statement PDFs as WhatsApp document messages, through the Graph stand-in."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from invoices.models import Document
from invoices.services import (
    document_message_deliver,
    document_read,
    invoice_document,
    invoice_send,
    statement_send,
)
from ledger.services import credit_add, payment_record
from reminders.models import WhatsAppMessage
from tests.documents.conftest import SALE_DAY, bill, pdf_text
from tests.reminders import graph_standin

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
pytestmark = pytest.mark.slow  # a real HTTP server on 127.0.0.1


def test_an_invoice_goes_as_an_uploaded_document_in_the_cloud_api_shape_and_is_recorded(
    cloud, gst_shop, local_buyer, owner, django_capture_on_commit_callbacks
):
    # given a bill, and local file storage (so the PDF goes by upload, not link)
    invoice = bill(gst_shop, local_buyer, paid="100")
    # when it is sent: a pending message is written and the send waits for the commit
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = invoice_send(business=gst_shop, invoice_id=invoice.pk, user=owner)
    assert len(callbacks) == 1
    assert message.status == WhatsAppMessage.Status.PENDING and not cloud.accepted
    # and the worker delivers it
    assert document_message_deliver(message_id=message.pk) == "sent"
    # then the PDF was uploaded to /media as multipart, byte for byte
    (media,) = cloud.media.values()
    stored = invoice_document(business=gst_shop, invoice_id=invoice.pk)
    assert media.data == document_read(stored)
    assert (media.filename, media.mime_type) == ("INV-25-26-0001.pdf", "application/pdf")
    # and the message is a document by that media id, in the Cloud API's shape
    (accepted,) = cloud.accepted
    assert accepted.payload == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "919876543210",
        "type": "document",
        "document": {
            "id": media.media_id,
            "filename": "INV-25-26-0001.pdf",
            "caption": "Sharma Kirana: bill INV/25-26/0001, total ₹1,330.00, due ₹1,230.00",
        },
        "biz_opaque_callback_data": f"doc:{message.pk}",
    }
    # and it is recorded with WhatsApp's id
    message.refresh_from_db()
    assert message.status == WhatsAppMessage.Status.ACCEPTED
    assert message.wamid == accepted.wamid and message.attempt == 1
    assert message.payload["by"] == "upload" and message.payload["document_id"] == stored.pk
    # a second delivery of the same task sends nothing more
    assert document_message_deliver(message_id=message.pk) == "skipped"
    assert len(cloud.accepted) == 1


def test_a_refused_document_is_recorded_as_failed_with_whatsapps_code(cloud, gst_shop, local_buyer):
    invoice = bill(gst_shop, local_buyer)
    message = invoice_send(business=gst_shop, invoice_id=invoice.pk)
    cloud.script("400:131026")  # message undeliverable
    assert document_message_deliver(message_id=message.pk) == "failed"
    message.refresh_from_db()
    assert (message.status, message.error_code) == ("failed", "131026")
    assert not cloud.accepted


def test_a_rate_limited_document_waits_for_the_next_try(cloud, gst_shop, local_buyer):
    invoice = bill(gst_shop, local_buyer)
    message = invoice_send(business=gst_shop, invoice_id=invoice.pk)
    cloud.script("429")
    assert document_message_deliver(message_id=message.pk) == "retry"
    message.refresh_from_db()
    assert (message.status, message.error_code) == ("pending", "130429")
    assert document_message_deliver(message_id=message.pk) == "sent"
    assert len(cloud.accepted) == 1
    # the PDF was rendered once for both tries
    assert Document.objects.filter(invoice=invoice).count() == 1


def test_the_statement_pdf_goes_with_opening_entries_running_balance_and_closing_due(
    cloud, gst_shop, local_buyer
):
    # given a khata: udhaar before the period, a bill and a payment in it
    credit_add(
        business=gst_shop,
        customer_id=local_buyer.pk,
        amount="300",
        entry_date=SALE_DAY.replace(day=1),
    )
    bill(gst_shop, local_buyer)
    payment_record(
        business=gst_shop,
        customer_id=local_buyer.pk,
        amount="500",
        mode="upi",
        received_at=datetime.datetime(2025, 5, 10, 12, 0, tzinfo=IST),
    )
    # when the statement from the 5th is sent
    message = statement_send(
        business=gst_shop, customer_id=local_buyer.pk, date_from=SALE_DAY.replace(day=5)
    )
    assert document_message_deliver(message_id=message.pk) == "sent"
    # then the document is the statement PDF with its figures
    (media,) = cloud.media.values()
    rows = [" ".join(line.split()) for line in pdf_text(media.data, layout=True).splitlines()]
    assert rows[0].startswith("STATEMENT OF ACCOUNT Issued ")
    assert "05-05-2025 Opening balance 300.00" in rows
    assert "10-05-2025 Invoice INV/25-26/0001 1,330.00 1,630.00" in rows
    assert "10-05-2025 Payment (upi) 500.00 1,130.00" in rows
    assert "Closing due 1,130.00" in rows
    assert "In words: One thousand one hundred thirty rupees only" in rows
    (accepted,) = cloud.accepted
    assert accepted.payload["document"]["filename"].startswith("Statement-Ramesh-Traders")
    assert accepted.type == "document" and accepted.to == "919876543210"


def test_the_stand_in_refuses_a_document_by_an_unknown_media_id(cloud):
    from reminders import whatsapp

    with pytest.raises(whatsapp.WhatsAppError) as refused:
        whatsapp.get_client().send(
            whatsapp.document_payload(
                to="919876543210", media_id="404", filename="x.pdf", caption="", callback_data=""
            )
        )
    assert refused.value.code == "131053"
    assert {"application/pdf"} <= graph_standin.DOCUMENT_TYPES
