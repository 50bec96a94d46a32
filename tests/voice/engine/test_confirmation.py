"""Yes/no before the risky writes: confirm runs once, no writes nothing, questions time out."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connections
from django.utils import timezone

from execora.exceptions import NotFound
from ledger.models import JournalEntry
from tests.factories import BusinessFactory, member
from tests.voice.engine.conftest import books
from voice.models import Conversation
from voice.services import command_run, conversation_confirm

pytestmark = pytest.mark.django_db


def _credits(shop) -> int:
    return JournalEntry.objects.filter(business=shop, source_type="credit", memo="Udhaar").count()


def test_a_large_amount_is_read_back_and_a_yes_writes_it_once(say, shop, ramesh):
    # given the shop asks above 2,000 (the default)
    assert shop.confirm_above_amount == Decimal("2000.00")
    # when the user says 5,000
    asked = say("Ramesh ko 5000 udhaar likho")
    # then the engine reads it back and waits, with nothing written
    assert asked.status == "confirm"
    assert asked.reply == "Ramesh Kumar ke khate mein 5,000 rupaye udhaar likh doon?"
    assert asked.prompt == asked.reply
    assert asked.data == {"action": "credit_add", "reason": "amount"}
    assert _credits(shop) == 0
    # when the user says yes
    done = say("haan", conversation=asked.conversation_id)
    # then it is written once and said
    assert done.status == "done"
    assert _credits(shop) == 1
    assert done.reply == (
        "Ramesh Kumar ke khate mein 5,000 rupaye udhaar likh diya. Ab kul baaki 5,750 rupaye."
    )
    # and a second yes does nothing
    again = say("haan", conversation=asked.conversation_id)
    assert again.status == "nothing_pending"
    assert again.reply == "Abhi koi sawaal baaki nahi hai."
    assert _credits(shop) == 1


def test_an_amount_at_the_limit_runs_at_once(say, shop, ramesh):
    result = say("Ramesh ko 2000 udhaar likho")
    assert result.status == "done"
    assert _credits(shop) == 1


def test_no_writes_nothing(say, shop, ramesh):
    before = books(shop)
    asked = say("Ramesh ko 5000 udhaar likho")
    result = say("nahi", conversation=asked.conversation_id)
    assert result.status == "cancelled"
    assert result.reply == "Theek hai, kuch nahi kiya."
    assert books(shop) == before
    # and a yes after the no finds nothing to do
    assert say("haan", conversation=asked.conversation_id).status == "nothing_pending"
    assert books(shop) == before


def test_a_question_expires_after_its_timeout(say, shop, ramesh, settings):
    # given a pending udhaar asked at a known moment
    settings.COMMAND_CONFIRM_TIMEOUT_SECONDS = 120
    asked_at = timezone.now()
    asked = say("Ramesh ko 5000 udhaar likho", now=asked_at)
    before = books(shop)
    # when the yes comes after the timeout
    late = say("haan", conversation=asked.conversation_id, now=asked_at + dt.timedelta(seconds=121))
    # then nothing is written and the user is told
    assert late.status == "expired"
    assert late.reply == "Woh sawaal purana ho gaya, kuch nahi kiya. Dobara boliye."
    assert books(shop) == before
    conversation = Conversation.objects.get(pk=asked.conversation_id)
    assert conversation.pending is None


def test_a_yes_inside_the_timeout_still_works(say, shop, ramesh, settings):
    settings.COMMAND_CONFIRM_TIMEOUT_SECONDS = 120
    asked_at = timezone.now()
    asked = say("Ramesh ko 5000 udhaar likho", now=asked_at)
    done = say("yes", conversation=asked.conversation_id, now=asked_at + dt.timedelta(seconds=119))
    assert done.status == "done"
    assert _credits(shop) == 1


def test_the_confirm_frame_answers_like_haan(shop, owner, say, ramesh):
    # given a pending udhaar
    asked = say("Ramesh ko 5000 udhaar likho")
    # when the WebSocket's confirm frame says yes, twice
    first = conversation_confirm(
        business=shop, user=owner, conversation_id=asked.conversation_id, answer=True
    )
    second = conversation_confirm(
        business=shop, user=owner, conversation_id=asked.conversation_id, answer=True
    )
    # then the udhaar is written once, replied in the language it was asked in
    assert first.status == "done"
    assert first.lang == "hinglish"
    assert second.status == "nothing_pending"
    assert _credits(shop) == 1


def test_the_confirm_frame_no_writes_nothing(shop, owner, say, ramesh):
    asked = say("Ramesh ko 5000 udhaar likho")
    result = conversation_confirm(
        business=shop, user=owner, conversation_id=asked.conversation_id, answer=False
    )
    assert result.status == "cancelled"
    assert _credits(shop) == 0


def test_the_amount_that_asks_is_the_shops_own(say, shop, ramesh):
    shop.confirm_above_amount = Decimal("100")
    shop.save()
    assert say("Ramesh ko 500 udhaar likho").status == "confirm"
    assert _credits(shop) == 0


def test_an_unsure_parse_of_a_write_is_read_back(say, shop, ramesh, settings):
    # given a threshold above the parse's confidence (0.92)
    settings.INTENT_CONFIDENCE_THRESHOLD = 0.95
    # when a small udhaar is said
    asked = say("Ramesh ko 500 udhaar likho")
    # then it is read back first
    assert asked.status == "confirm"
    assert asked.data["reason"] == "low_confidence"
    assert _credits(shop) == 0
    # but a question is answered at once
    assert say("Ramesh ka kitna baaki hai").status == "answered"


def test_saying_something_else_drops_the_question(say, shop, ramesh):
    asked = say("Ramesh ko 5000 udhaar likho")
    other = say("Ramesh ka kitna baaki hai", conversation=asked.conversation_id)
    assert other.status == "answered"
    assert say("haan", conversation=asked.conversation_id).status == "nothing_pending"
    assert _credits(shop) == 0


def test_mumbling_keeps_the_question_and_asks_again(say, shop, ramesh):
    asked = say("Ramesh ko 5000 udhaar likho")
    mumble = say("hmm kya", conversation=asked.conversation_id)
    assert mumble.status == "refused"
    assert mumble.reply == (
        "Maaf kijiye, samajh nahi aaya. Ramesh Kumar ke khate mein 5,000 rupaye udhaar likh doon?"
    )
    assert say("haan", conversation=asked.conversation_id).status == "done"
    assert _credits(shop) == 1


def test_a_yes_with_nothing_asked_does_nothing(say, shop, ramesh):
    before = books(shop)
    result = say("haan")
    assert result.status == "nothing_pending"
    assert books(shop) == before


def test_another_users_or_shops_conversation_is_not_found(say, shop, ramesh, cashier):
    asked = say("Ramesh ko 5000 udhaar likho")
    # the cashier of the same shop cannot answer the owner's question
    with pytest.raises(NotFound):
        command_run(business=shop, user=cashier, text="haan", conversation_id=asked.conversation_id)
    # nor can anyone from another shop
    other_shop = BusinessFactory(name="Other")
    stranger = member(other_shop, "owner", username="stranger")
    with pytest.raises(NotFound):
        command_run(
            business=other_shop, user=stranger, text="haan", conversation_id=asked.conversation_id
        )
    assert _credits(shop) == 0


def test_a_staff_member_cannot_cancel_a_bill(say, shop, ramesh, sugar, cashier):
    say("Ramesh ka bill banao 2 kilo cheeni")
    result = say("last bill cancel karo", user=cashier)
    assert result.status == "refused"
    assert result.reply == "Bill sirf dukaan ke maalik cancel kar sakte hain."


@pytest.mark.django_db(transaction=True)
def test_two_yeses_at_once_write_once(shop, owner, ramesh):
    # given a pending udhaar, committed
    asked = command_run(business=shop, user=owner, text="Ramesh ko 5000 udhaar likho")
    results = []
    barrier = threading.Barrier(2)

    def answer() -> None:
        try:
            barrier.wait()
            results.append(
                command_run(
                    business=shop, user=owner, text="haan", conversation_id=asked.conversation_id
                ).status
            )
        finally:
            connections.close_all()

    # when two yeses race
    threads = [threading.Thread(target=answer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    # then exactly one wrote it
    assert sorted(results) == ["done", "nothing_pending"]
    assert _credits(shop) == 1


def test_a_yes_to_a_choice_of_two_asks_again_and_keeps_the_question(say, shop, ramesh):
    from tests.customers.factories import make_customer

    make_customer(shop, "Ramesh Yadav")
    asked = say("Ramesh ko 500 udhaar likho")
    vague = say("haan", conversation=asked.conversation_id)
    assert vague.status == "refused"
    assert vague.reply == "Boliye kaun se: Ramesh Kumar ya Ramesh Yadav?"
    done = say("Ramesh Kumar", conversation=asked.conversation_id)
    assert done.status == "done"
    ramesh.refresh_from_db()
    assert ramesh.balance == Decimal("1250.00")


def test_a_no_to_a_choice_writes_nothing(say, shop, ramesh):
    from tests.customers.factories import make_customer

    make_customer(shop, "Ramesh Yadav")
    before = books(shop)
    asked = say("Ramesh ko 500 udhaar likho")
    assert say("nahi", conversation=asked.conversation_id).status == "cancelled"
    assert books(shop) == before


def test_the_reply_after_a_yes_is_in_the_language_of_the_question(say, shop, ramesh):
    asked = say("रमेश को 5000 उधार दिया")
    assert asked.lang == "hi"
    done = say("yes", conversation=asked.conversation_id)
    assert done.lang == "hi"
    assert done.reply == ("Ramesh Kumar के खाते में 5,000 रुपये उधार लिख दिया। अब कुल बाकी 5,750 रुपये।")


def test_old_conversations_are_purged(say, shop, ramesh):
    from voice.services import conversations_purge

    asked = say("Ramesh ka kitna baaki hai")
    Conversation.objects.filter(pk=asked.conversation_id).update(
        updated_at=timezone.now() - dt.timedelta(days=8)
    )
    fresh = say("Ramesh ka kitna baaki hai")
    assert conversations_purge() == 1
    assert list(Conversation.objects.values_list("pk", flat=True)) == [fresh.conversation_id]


def test_someone_outside_the_shop_cannot_run_its_commands(shop, ramesh):
    from django.core.exceptions import PermissionDenied

    stranger = member(BusinessFactory(name="Other"), "owner", username="outsider")
    with pytest.raises(PermissionDenied):
        command_run(business=shop, user=stranger, text="Ramesh ko 500 udhaar likho")
    assert _credits(shop) == 0
