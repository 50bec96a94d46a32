"""The back office: the invoice PDF, "Send PDF on WhatsApp" and the GSTR-1 export."""

from __future__ import annotations

import csv
import io

import pytest

from invoices.models import Invoice
from reminders.models import WhatsAppMessage
from tests.admin.helpers import apply_action, start_action
from tests.documents.conftest import bill, pdf_text
from tests.factories import BusinessFactory, member


@pytest.fixture
def sharma_client(client, gst_shop):
    client.force_login(member(gst_shop, "staff", username="sharma-counter"))
    return client


def test_the_pdf_opens_from_the_admin_and_not_for_another_shops_staff(
    sharma_client, client, gst_shop, local_buyer
):
    invoice = bill(gst_shop, local_buyer)
    page = sharma_client.get("/admin/invoices/invoice/")
    assert f"/admin/invoices/invoice/{invoice.pk}/pdf/" in page.content.decode()
    answer = sharma_client.get(f"/admin/invoices/invoice/{invoice.pk}/pdf/")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert "INV/25-26/0001" in pdf_text(answer.content)
    client.force_login(member(BusinessFactory(name="Elsewhere"), "owner", username="else"))
    assert client.get(f"/admin/invoices/invoice/{invoice.pk}/pdf/").status_code == 404


def test_send_pdf_on_whatsapp_queues_a_document_message(
    sharma_client, gst_shop, local_buyer, django_capture_on_commit_callbacks
):
    invoice = bill(gst_shop, local_buyer)
    assert start_action(sharma_client, Invoice, "send_pdf", [invoice]).status_code == 200
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        apply_action(sharma_client, Invoice, "send_pdf", [invoice])
    message = WhatsAppMessage.objects.get(business=gst_shop)
    assert (message.kind, message.status, message.customer) == ("document", "pending", local_buyer)
    assert message.payload["document"] == {"kind": "invoice", "invoice_id": invoice.pk}
    assert len(callbacks) == 1


def test_the_gstr1_export_covers_the_selected_invoices_dates(sharma_client, gst_shop, local_buyer):
    first = bill(gst_shop, local_buyer)
    second = bill(gst_shop, items=None, paid="1330")
    answer = start_action(sharma_client, Invoice, "export_gstr1_csv", [first, second])
    assert answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    assert [row[0] for row in rows[1:]] == ["B2B", "B2B", "B2CS", "B2CS"]
    assert rows[1][3] == first.number


def test_rendered_documents_are_listed_read_only_for_their_shop_only(
    sharma_client, client, gst_shop, local_buyer
):
    from invoices.models import Document

    # given a bill whose PDF was opened once (rendered and kept)
    invoice = bill(gst_shop, local_buyer)
    assert sharma_client.get(f"/admin/invoices/invoice/{invoice.pk}/pdf/").status_code == 200
    document = Document.objects.get(business=gst_shop, invoice=invoice)
    # then the back office lists it and shows it, with no way to change or delete it
    listing = sharma_client.get("/admin/invoices/document/").content.decode()
    assert document.filename in listing
    page = sharma_client.get(f"/admin/invoices/document/{document.pk}/change/")
    assert page.status_code == 200 and document.filename in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert sharma_client.get(f"/admin/invoices/document/{document.pk}/delete/").status_code == 403
    # and another shop's staff cannot see it
    client.force_login(member(BusinessFactory(name="Elsewhere"), "owner", username="else2"))
    assert client.get(f"/admin/invoices/document/{document.pk}/change/").status_code in (302, 404)
