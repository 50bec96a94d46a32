"""Bills by command: made, cancelled, sent; unknown items and short stock write nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invoices.models import Invoice
from products.models import StockMovement
from reminders.models import Reminder, WhatsAppMessage
from tests.voice.engine.conftest import books

pytestmark = pytest.mark.django_db


def test_a_bill_for_a_customer_goes_on_the_khata(say, shop, owner, ramesh, sugar, oil):
    # when a bill of 2 kg sugar and 1 l oil is asked for Ramesh
    result = say("Ramesh ka bill banao 2 kilo cheeni aur 1 litre tel")
    # then one invoice with both lines, at catalogue prices, on his khata
    assert result.status == "done", result.reply
    invoice = Invoice.objects.get(business=shop)
    assert invoice.customer_id == ramesh.pk
    assert invoice.created_by == owner
    lines = [(i.product_id, i.quantity, i.unit_price) for i in invoice.items.order_by("line_no")]
    assert lines == [
        (sugar.pk, Decimal("2.000"), Decimal("45.00")),
        (oil.pk, Decimal("1.000"), Decimal("180.00")),
    ]
    assert invoice.grand_total == Decimal("270.00")
    assert invoice.amount_paid == Decimal("0.00")
    # and the stock went out
    sugar.refresh_from_db()
    oil.refresh_from_db()
    assert (sugar.stock_quantity, oil.stock_quantity) == (Decimal("18.000"), Decimal("49.000"))
    ramesh.refresh_from_db()
    assert ramesh.balance == Decimal("1020.00")
    assert result.reply == (
        f"Ramesh Kumar ka bill number {invoice.sequence_number} ban gaya, kul 270 rupaye. "
        "Ab kul baaki 1,020 rupaye."
    )
    assert result.data["invoice"]["number"] == invoice.number


def test_a_bill_without_a_customer_is_a_cash_sale(say, shop, sugar):
    result = say("2 kilo cheeni ka bill banao")
    invoice = Invoice.objects.get(business=shop)
    assert invoice.customer_id is None
    assert invoice.amount_paid == invoice.grand_total == Decimal("90.00")
    assert invoice.payment_mode == "cash"
    assert result.reply == f"Bill number {invoice.sequence_number} ban gaya, kul 90 rupaye nakad."


def test_grams_of_a_kilo_product_are_billed_in_kilos(say, shop, ramesh, sugar):
    say("Ramesh ka bill banao 500 gram cheeni")
    item = Invoice.objects.get(business=shop).items.get()
    assert item.quantity == Decimal("0.500")
    assert item.line_total == Decimal("22.50")


def test_an_item_in_a_unit_it_is_not_sold_in_is_refused(say, shop, ramesh, sugar):
    before = books(shop)
    result = say("Ramesh ka bill banao 2 packet cheeni")
    assert result.status == "refused"
    assert result.reply == "Sugar kilo mein bikta hai; kilo mein boliye."
    assert books(shop) == before


def test_an_unknown_item_without_a_price_writes_nothing(say, shop, ramesh, sugar):
    before = books(shop)
    result = say("Ramesh ka bill banao 2 kilo kaju")
    assert result.status == "refused"
    assert result.reply == "Kaju naam ka koi saaman nahi hai."
    assert books(shop) == before


def test_an_unknown_item_with_its_price_said_is_billed_as_free_text(say, shop, ramesh):
    result = say("Ramesh ka bill banao 2 packet biscuit 10 rupaye")
    assert result.status == "done"
    item = Invoice.objects.get(business=shop).items.get()
    assert (item.product_id, item.description, item.unit, item.unit_price) == (
        None,
        "Biscuit",
        "packet",
        Decimal("10.00"),
    )


def test_a_large_bill_is_read_back_first(say, shop, ramesh, oil):
    asked = say("Ramesh ka bill banao 12 litre tel")
    assert asked.status == "confirm"
    assert asked.reply == "Ramesh Kumar ka 2,160 rupaye ka bill bana doon: 12 litre Mustard Oil?"
    assert not Invoice.objects.filter(business=shop).exists()
    assert say("haan", conversation=asked.conversation_id).status == "done"
    assert Invoice.objects.filter(business=shop).count() == 1


def test_too_little_stock_is_refused_in_hindi_and_writes_nothing(say, shop, ramesh, sugar):
    before = books(shop)
    result = say("Ramesh ka bill banao 25 kilo cheeni")
    assert result.status == "refused"
    assert result.data["code"] == "insufficient_stock"
    assert result.reply.startswith("Sugar का स्टॉक सिर्फ़ 20.000 kg है")
    assert books(shop) == before


def test_cancelling_the_last_bill_asks_then_restores_stock_and_khata(say, shop, ramesh, sugar):
    say("Ramesh ka bill banao 2 kilo cheeni")
    invoice = Invoice.objects.get(business=shop)
    # when the last bill is to be cancelled
    asked = say("last bill cancel karo")
    # then it is read back first
    assert asked.status == "confirm"
    assert asked.reply == (
        f"Bill number {invoice.sequence_number} (Ramesh Kumar), 90 rupaye, cancel kar doon?"
    )
    invoice.refresh_from_db()
    assert invoice.status == "issued"
    # and a yes cancels it: stock back, khata back
    done = say("haan", conversation=asked.conversation_id)
    invoice.refresh_from_db()
    sugar.refresh_from_db()
    ramesh.refresh_from_db()
    assert invoice.status == "cancelled"
    assert sugar.stock_quantity == Decimal("20.000")
    assert ramesh.balance == Decimal("750.00")
    assert done.reply == (
        f"Bill number {invoice.sequence_number} (Ramesh Kumar) cancel ho gaya. "
        "Ab kul baaki 750 rupaye."
    )


def test_a_bill_is_cancelled_by_its_number(say, shop, ramesh, sugar):
    say("Ramesh ka bill banao 1 kilo cheeni")
    say("Ramesh ka bill banao 2 kilo cheeni")
    first = Invoice.objects.filter(business=shop).order_by("pk").first()
    asked = say(f"cancel invoice {first.sequence_number}")
    assert asked.reply == f"Cancel bill number {first.sequence_number} of Ramesh Kumar, 45 rupees?"
    say("yes", conversation=asked.conversation_id)
    invoices = Invoice.objects.filter(business=shop).order_by("pk")
    statuses = list(invoices.values_list("status", flat=True))
    assert statuses == ["cancelled", "issued"]


def test_a_cancelled_bill_is_not_cancelled_again(say, shop, ramesh, sugar):
    say("Ramesh ka bill banao 1 kilo cheeni")
    asked = say("cancel invoice 1")
    say("yes", conversation=asked.conversation_id)
    result = say("cancel invoice 1")
    assert result.status == "refused"
    assert result.reply == "Bill number 1 is already cancelled."


def test_no_bill_to_cancel_is_said(say, shop):
    result = say("last bill cancel karo")
    assert result.status == "refused"
    assert result.reply == "Woh bill nahi mila."


def test_sending_a_bill_queues_its_pdf_as_a_recorded_whatsapp_document(
    say, shop, owner, ramesh, sugar
):
    # given Ramesh's bill
    say("Ramesh ka bill banao 2 kilo cheeni")
    invoice = Invoice.objects.get(business=shop)
    # when it is sent by voice
    result = say("Ramesh ko bill WhatsApp kar do")
    # then a document message is recorded for Ramesh, waiting for the commit; no reminder
    assert result.status == "done"
    message = WhatsAppMessage.objects.get(business=shop)
    assert (message.customer_id, message.kind, message.status) == (ramesh.pk, "document", "pending")
    assert message.payload["document"] == {"kind": "invoice", "invoice_id": invoice.pk}
    assert message.payload["requested_by"] == owner.pk
    assert result.data["message_id"] == message.pk
    assert not Reminder.objects.filter(business=shop).exists()
    assert result.reply == (
        f"Ramesh Kumar ko bill number {invoice.sequence_number} WhatsApp par bhej rahe hain."
    )


def test_a_sent_bill_goes_as_a_pdf_document_after_the_commit(
    say, shop, suresh, sugar, caplog, django_capture_on_commit_callbacks, celery_eager
):
    # given a bill Suresh owes nothing on (he paid ahead)
    say("Suresh ne 500 diye")
    say("Suresh ka bill banao 2 kilo cheeni")
    invoice = Invoice.objects.get(business=shop)
    # when it is sent
    with (
        caplog.at_level("INFO", logger="reminders.whatsapp"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        result = say("Suresh ko bill WhatsApp kar do")
    # then once committed the PDF is uploaded and sent as a document (console backend here)
    assert result.status == "done"
    assert len(callbacks) == 1
    (sent,) = [r for r in caplog.records if r.getMessage() == "whatsapp console send"]
    assert sent.type == "document"
    (upload,) = [r for r in caplog.records if r.getMessage() == "whatsapp console media upload"]
    assert upload.upload_filename == invoice.number.replace("/", "-") + ".pdf"
    message = WhatsAppMessage.objects.get(business=shop)
    assert message.status == "accepted" and message.wamid.startswith("console.")
    assert not Reminder.objects.filter(business=shop).exists()


def test_a_customer_without_a_phone_gets_nothing_on_whatsapp(say, shop, sugar):
    from tests.customers.factories import make_customer

    make_customer(shop, "Mohan Lal")
    say("Mohan ka bill banao 1 kilo cheeni")
    result = say("Mohan ko bill WhatsApp kar do")
    assert result.status == "refused"
    assert result.reply == "Mohan Lal ka phone number nahi hai, WhatsApp nahi ja sakta."
    assert not Reminder.objects.filter(business=shop).exists()
    assert StockMovement.objects.filter(business=shop, kind="sale").count() == 1
