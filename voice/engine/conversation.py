"""The pending action of a conversation: stored with an expiry, taken at most once.

A pending action is one of

    {"kind": "confirm", "plan": {...}, "prompt": "..."}             waiting for yes/no
    {"kind": "choose", "field": "customer" | "items.N", "options": [{"id", "name"}],
     "intent": {...}, "fixed": {...}, "prompt": "..."}               waiting for a choice

`pending_take` reads and clears it under the conversation's row lock, so of
two "haan"s racing for one pending action exactly one gets it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction

from execora.exceptions import NotFound
from execora.models import Business
from voice.models import Conversation


def _not_found() -> NotFound:
    return NotFound(
        "Conversation not found.", message_hi="यह बातचीत नहीं मिली।", field="conversation"
    )


def conversation_open(
    *, business: Business, user: Any, conversation_id: uuid.UUID | str | None, lang: str
) -> Conversation:
    """The user's conversation with this id in this shop, or a new one when no id is given.

    Another shop's or another user's conversation is NotFound, like a malformed id.
    """
    if conversation_id is None or conversation_id == "":
        return Conversation.objects.create(business=business, user=user, lang=lang)
    try:
        key = uuid.UUID(str(conversation_id))
    except (TypeError, ValueError, AttributeError):
        raise _not_found() from None
    conversation = Conversation.objects.filter(pk=key, business=business, user=user).first()
    if conversation is None:
        raise _not_found()
    return conversation


def pending_live(conversation: Conversation, now: dt.datetime) -> dict[str, Any] | None:
    """The pending action if it has not expired (a read; `pending_take` is the claim)."""
    if conversation.pending is None or conversation.pending_expires_at is None:
        return None
    if now >= conversation.pending_expires_at:
        return None
    return conversation.pending


def conversation_lock(conversation: Conversation) -> Conversation:
    """Re-read the conversation under its row lock (inside the caller's transaction)."""
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("conversation_lock needs an atomic block")
    return Conversation.objects.select_for_update().get(pk=conversation.pk)


def pending_take(
    conversation: Conversation, now: dt.datetime
) -> tuple[dict[str, Any] | None, bool]:
    """Take the pending action off a locked conversation: (pending or None, expired?).

    Clears it either way, so it can be taken only once.
    """
    pending, expires_at = conversation.pending, conversation.pending_expires_at
    if pending is None:
        return None, False
    conversation.pending = None
    conversation.pending_expires_at = None
    conversation.save(update_fields=["pending", "pending_expires_at", "updated_at"])
    if expires_at is None or now >= expires_at:
        return None, True
    return pending, False


def pending_expiry(now: dt.datetime) -> dt.datetime:
    """When a question asked at `now` stops being answerable."""
    return now + dt.timedelta(seconds=settings.COMMAND_CONFIRM_TIMEOUT_SECONDS)


def pending_put(conversation: Conversation, pending: dict[str, Any], now: dt.datetime) -> None:
    """Store the question the user must answer, replacing any earlier one."""
    conversation.pending = pending
    conversation.pending_expires_at = pending_expiry(now)
    conversation.save(update_fields=["pending", "pending_expires_at", "updated_at"])


def pending_drop(conversation: Conversation) -> None:
    """Forget a pending question the user moved on from (they said something else)."""
    if conversation.pending is None:
        return
    Conversation.objects.filter(pk=conversation.pk).update(pending=None, pending_expires_at=None)
    conversation.pending = None
    conversation.pending_expires_at = None
