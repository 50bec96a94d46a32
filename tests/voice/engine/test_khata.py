"""Udhaar, payments and balances by command: the right rows, the right reply, or nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from customers.models import Customer
from ledger.models import JournalEntry, Payment
from tests.customers.factories import make_customer
from tests.voice.engine.conftest import books

pytestmark = pytest.mark.django_db


def test_udhaar_is_written_and_read_back_with_the_new_balance(say, shop, owner, ramesh):
    # when the shopkeeper says Ramesh took 500 on credit
    result = say("Ramesh ko 500 udhaar likh do")
    # then one udhaar entry of 500 is on Ramesh's khata, by this user
    assert result.status == "done"
    entry = JournalEntry.objects.get(business=shop, source_type="credit", memo="Udhaar")
    assert entry.created_by == owner
    line = entry.lines.get(account__key="receivables")
    assert (line.customer_id, line.debit) == (ramesh.pk, Decimal("500.00"))
    ramesh.refresh_from_db()
    assert ramesh.balance == Decimal("1250.00")
    # and the reply says it in Hinglish, with the total in Indian grouping
    assert result.reply == (
        "Ramesh Kumar ke khate mein 500 rupaye udhaar likh diya. Ab kul baaki 1,250 rupaye."
    )
    assert result.lang == "hinglish"
    assert result.data["customer"] == {
        "id": ramesh.pk,
        "name": "Ramesh Kumar",
        "balance": "1250.00",
    }
    assert result.data["entry_id"] == entry.pk


def test_udhaar_in_devanagari_is_answered_in_hindi(say, ramesh):
    result = say("रमेश को 500 उधार दिया")
    assert result.status == "done"
    assert result.reply == ("Ramesh Kumar के खाते में 500 रुपये उधार लिख दिया। अब कुल बाकी 1,250 रुपये।")
    assert result.lang == "hi"


def test_udhaar_in_english_is_answered_in_english(say, ramesh):
    result = say("write 300 udhaar for Ramesh")
    assert result.reply == "Wrote 300 rupees udhaar for Ramesh Kumar. Total due now 1,050 rupees."


def test_payment_is_recorded_with_its_mode(say, shop, ramesh):
    # when Ramesh pays 400 by PhonePe
    result = say("Ramesh ne 400 diye PhonePe se")
    # then a UPI payment of 400 is recorded and his balance falls to 350
    payment = Payment.objects.get(business=shop)
    assert (payment.customer_id, payment.amount, payment.mode) == (
        ramesh.pk,
        Decimal("400.00"),
        "upi",
    )
    assert payment.journal_entry.lines.get(account__key="bank").debit == Decimal("400.00")
    assert result.reply == "Ramesh Kumar se 400 rupaye mil gaye UPI se. Ab kul baaki 350 rupaye."
    assert result.data["payment_id"] == payment.pk


def test_paying_more_than_owed_is_said_as_an_advance(say, ramesh):
    result = say("Ramesh paid 1000 by cash")
    assert result.reply == "Got 1,000 rupees from Ramesh Kumar. 250 rupees now in advance."


def test_balance_question_is_answered_and_writes_nothing(say, shop, ramesh):
    before = books(shop)
    result = say("Ramesh ka kitna baaki hai")
    assert result.status == "answered"
    assert result.reply == "Ramesh Kumar ka kul baaki 750 rupaye hai."
    assert books(shop) == before
    assert say("How much does Ramesh owe").reply == "Ramesh Kumar owes 750 rupees."
    assert say("रमेश का कितना बाकी है").reply == "Ramesh Kumar का कुल बाकी 750 रुपये है।"


def test_an_unknown_sentence_writes_nothing(say, shop, ramesh):
    before = books(shop)
    result = say("aaj mausam bahut accha hai")
    assert result.status == "unknown"
    assert result.intent.intent == "unknown"
    assert result.reply.startswith("Maaf kijiye, samajh nahi aaya.")
    assert books(shop) == before


def test_an_unknown_customer_in_a_question_is_said_not_found(say, shop, ramesh):
    before = books(shop)
    result = say("Pappu ka kitna baaki hai")
    assert result.status == "refused"
    assert result.reply == "Pappu naam ka koi customer nahi hai."
    assert books(shop) == before


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        # more paise than a rupee has
        ("Ramesh ko 10.555 udhaar", "रकम में पैसे के बाद दो से ज़्यादा अंक नहीं हो सकते।"),
        # five crore is a mishearing, not an udhaar
        ("Ramesh ko 5 crore udhaar", "Itni badi rakam sahi nahi lagti. Dobara boliye."),
        # no amount at all
        ("Ramesh ko udhaar likh do", "Rakam samajh nahi aaya. Poori baat dobara boliye."),
    ],
    ids=["three-decimals", "too-large", "missing"],
)
def test_bad_amounts_write_nothing(say, shop, ramesh, text, reply):
    before = books(shop)
    result = say(text)
    assert result.status == "refused"
    assert result.reply == reply
    assert books(shop) == before


def test_an_ambiguous_name_is_asked_about_not_guessed(say, shop, ramesh):
    # given two customers called Ramesh
    yadav = make_customer(shop, "Ramesh Yadav")
    before = books(shop)
    # when the shopkeeper says "Ramesh"
    asked = say("Ramesh ko 500 udhaar likho")
    # then the engine asks which one, and writes nothing
    assert asked.status == "question"
    assert asked.confirm_required
    assert asked.reply == "Kaun se: Ramesh Kumar ya Ramesh Yadav?"
    assert {option["name"] for option in asked.options} == {"Ramesh Kumar", "Ramesh Yadav"}
    assert books(shop) == before
    # when the answer names one
    done = say("Yadav wale", conversation=asked.conversation_id)
    # then the udhaar goes to that one only
    assert done.status == "done"
    yadav.refresh_from_db()
    ramesh.refresh_from_db()
    assert (yadav.balance, ramesh.balance) == (Decimal("500.00"), Decimal("750.00"))
    assert done.reply == (
        "Ramesh Yadav ke khate mein 500 rupaye udhaar likh diya. Ab kul baaki 500 rupaye."
    )


def test_an_ambiguous_name_can_be_answered_by_position(say, shop, ramesh):
    make_customer(shop, "Ramesh Yadav")
    asked = say("Ramesh ko 200 udhaar likho")
    second = asked.options[1]
    done = say("doosra", conversation=asked.conversation_id)
    assert done.status == "done"
    assert Customer.objects.get(pk=second["id"]).balance > 0


def test_a_near_miss_is_asked_about_and_a_yes_picks_it(say, shop, ramesh):
    # given only Ramesh Kumar, and the user says "Rakesh" (one letter off: maybe a mishearing)
    asked = say("Rakesh ko 100 udhaar")
    # then the engine asks, and writes nothing
    assert asked.status == "question"
    assert asked.reply == "Rakesh nahi mile. Kya aap Ramesh Kumar ki baat kar rahe hain?"
    assert not JournalEntry.objects.filter(business=shop, memo="Udhaar").exists()
    # when the user says yes, the udhaar goes to Ramesh Kumar
    done = say("haan", conversation=asked.conversation_id)
    assert done.status == "done"
    ramesh.refresh_from_db()
    assert ramesh.balance == Decimal("850.00")


def test_an_unknown_customer_is_offered_for_creation_never_created_silently(say, shop, ramesh):
    before = books(shop)
    # when the user gives udhaar to someone not in the khata
    asked = say("Pappu ko 300 udhaar likho")
    # then the engine offers to create them, and nothing exists yet
    assert asked.status == "confirm"
    assert asked.reply == (
        "Pappu naam ka koi customer nahi hai, naya bana dunga. "
        "Pappu ke khate mein 300 rupaye udhaar likh doon?"
    )
    assert books(shop) == before
    # when the user agrees, the customer and the udhaar are written together
    done = say("haan", conversation=asked.conversation_id)
    pappu = Customer.objects.get(business=shop, name="Pappu")
    assert pappu.balance == Decimal("300.00")
    assert done.data["created_customer"]["id"] == pappu.pk
    assert done.reply == "Pappu ke khate mein 300 rupaye udhaar likh diya. Ab kul baaki 300 rupaye."


def test_declining_the_new_customer_creates_nothing(say, shop, ramesh):
    before = books(shop)
    asked = say("Pappu ko 300 udhaar likho")
    result = say("nahi", conversation=asked.conversation_id)
    assert result.status == "cancelled"
    assert result.reply == "Theek hai, kuch nahi kiya."
    assert books(shop) == before


def test_a_refusal_of_the_books_is_spoken_in_hindi(say, shop):
    # given a customer at their credit limit
    customer = make_customer(shop, "Mohan Lal", credit_limit="1000")
    say("Mohan ko 900 udhaar")
    before = books(shop)
    # when more udhaar is asked for
    result = say("Mohan ko 500 udhaar")
    # then the ledger's refusal is the reply, in Hindi, and nothing more is written
    assert result.status == "refused"
    assert result.data["code"] == "credit_limit_exceeded"
    assert result.reply.startswith("Mohan Lal")
    assert any("\u0900" <= char <= "\u097f" for char in result.reply)  # Devanagari
    assert books(shop) == before
    customer.refresh_from_db()
    assert customer.balance == Decimal("900.00")


def test_a_refusal_is_spoken_in_english_to_an_english_speaker(say, shop):
    make_customer(shop, "Mohan Lal", credit_limit="100")
    result = say("write 500 udhaar for Mohan")
    assert result.status == "refused"
    assert result.data["code"] == "credit_limit_exceeded"
    assert result.reply == (
        "Mohan Lal's credit limit is ₹100.00; this would make the balance ₹500.00."
    )
