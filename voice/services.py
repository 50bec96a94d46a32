"""The command engine's entry points: voice, the console's text box and the API all call these.

    result = command_run(business=shop, user=user, text="Ramesh ko 500 udhaar likho")
    result.reply             # "Ramesh Kumar ke khate mein 500 rupaye udhaar likh diya. ..."
    result.status            # "done" | "answered" | "confirm" | "question" | "refused" | ...
    command_run(business=shop, user=user, text="haan", conversation_id=result.conversation_id)

One command: parse (voice.engine.providers), then either answer a question
the conversation is waiting on (yes/no, or which Ramesh) or prepare the new
intent (voice.engine.executor), then run it, store it for a yes, or refuse.
Domain errors become a spoken refusal (Hindi for hi/hinglish), never an
exception; only an unknown conversation id (NotFound) and a user who is not
a member of the shop (PermissionDenied) are raised.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
import zoneinfo
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from execora.exceptions import ApplicationError
from execora.models import Business, Membership
from voice.engine import executor
from voice.engine import replies as R
from voice.engine.conversation import (
    conversation_lock,
    conversation_open,
    pending_expiry,
    pending_live,
    pending_put,
    pending_take,
)
from voice.engine.executor import Choose, Confirm, Context, Done, Ready, Step
from voice.engine.phrasing import reply_phrase
from voice.engine.providers import IntentProviderError, LocalProvider, intent_provider
from voice.intents import Intent
from voice.models import Conversation
from voice.selectors import conversations_stale

logger = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 500
# Statuses a CommandResult can have; `ok` is true for the first three.
OK_STATUSES = frozenset({"done", "answered", "cancelled"})
ASKING_STATUSES = frozenset({"confirm", "question"})
_LOCAL = LocalProvider()


@dataclass(frozen=True)
class CommandResult:
    """What one command did, for the WebSocket consumer, the console and the API.

    status: "done" (written), "answered" (a read), "confirm" (a yes/no is asked:
    `prompt`), "question" (a choice is asked: `prompt` and `options`),
    "cancelled" (the user said no), "refused" (nothing written; `reply` says why),
    "unknown" (not understood), "expired" (the question timed out),
    "nothing_pending" (a yes/no with no question open).
    """

    conversation_id: uuid.UUID
    intent: Intent
    status: str
    reply: str
    lang: str
    data: dict[str, Any] = field(default_factory=dict)
    prompt: str | None = None
    options: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES

    @property
    def confirm_required(self) -> bool:
        return self.status in ASKING_STATUSES


def _clean_text(text: str) -> str:
    # Control characters (NUL above all) cannot be stored and are never speech.
    cleaned = "".join(char if char.isprintable() else " " for char in str(text or ""))
    return " ".join(cleaned.split())[:MAX_TEXT_LENGTH]


def _is_owner(business: Business, user: Any) -> bool:
    """Whether the user owns the shop; PermissionDenied unless they are a member at all."""
    role = (
        Membership.objects.filter(business=business, user_id=getattr(user, "pk", None))
        .values_list("role", flat=True)
        .first()
    )
    if role is None:
        raise PermissionDenied("You are not a member of this shop.")
    return role == Membership.Role.OWNER


def _shop_now(business: Business, now: dt.datetime | None) -> dt.datetime:
    now = now or timezone.now()
    if timezone.is_naive(now):
        now = timezone.make_aware(now)
    return now.astimezone(zoneinfo.ZoneInfo(business.timezone))


class _Clock:
    def __init__(self) -> None:
        self.start = self.mark = time.perf_counter()
        self.timings: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round((now - self.mark) * 1000, 2)
        self.mark = now


def command_run(
    *,
    business: Business,
    user: Any,
    text: str,
    conversation_id: uuid.UUID | str | None = None,
    now: dt.datetime | None = None,
) -> CommandResult:
    """Understand and carry out one typed or spoken command for `user` in `business`.

    `conversation_id` continues a conversation (to answer its yes/no or its
    question); None starts a new one, whose id is in the result. `now`
    (default: the current time) resolves "kal", "2 ghante baad" and the
    question timeout. Raises NotFound for a conversation of another shop or
    user, PermissionDenied when the user is not a member of the shop.
    """
    result = _command_run(
        business=business, user=user, text=text, conversation_id=conversation_id, now=now
    )
    return _phrased(result)


def _phrased(result: CommandResult) -> CommandResult:
    # After every transaction of the command: the LLM (when configured) never holds a lock.
    started = time.perf_counter()
    reply = reply_phrase(result.reply, lang=result.lang, data=result.data)
    if reply == result.reply:
        return result
    spent = round((time.perf_counter() - started) * 1000, 2)
    timings = {**result.timings, "phrase_ms": spent}
    timings["total_ms"] = round(timings.get("total_ms", 0) + spent, 2)
    return replace(result, reply=reply, timings=timings)


def _command_run(
    *,
    business: Business,
    user: Any,
    text: str,
    conversation_id: uuid.UUID | str | None = None,
    now: dt.datetime | None = None,
) -> CommandResult:
    clock = _Clock()
    is_owner = _is_owner(business, user)
    now = _shop_now(business, now)
    text = _clean_text(text)
    conversation = None
    if conversation_id not in (None, ""):
        conversation = conversation_open(
            business=business, user=user, conversation_id=conversation_id, lang=business.language
        )
    pending = pending_live(conversation, now) if conversation is not None else None
    # A choice is being answered ("Yadav wale"): the LLM has nothing to add to a name.
    try:
        if pending is not None and pending["kind"] == "choose":
            intent = _LOCAL.parse(text, now=now)
        else:
            intent = intent_provider().parse(text, now=now)
    except IntentProviderError as error:
        logger.warning("intent provider failed", extra={"error": str(error)[:200]})
        intent = Intent("unknown", {}, 0.0, _lang_guess(conversation, business))
        clock.lap("intent_ms")
        if conversation is None:
            conversation = _new_conversation(business, user, intent.lang)
        return _result(
            conversation, intent, Done("refused", R.say("unavailable", intent.lang)), clock
        )
    clock.lap("intent_ms")
    ctx = Context(
        business=business,
        user=user,
        is_owner=is_owner,
        lang=intent.lang,
        now=now,
        confidence=intent.confidence,
    )
    if conversation is None:
        return _first_command(business, user, ctx, intent, clock=clock)
    if intent.intent in ("confirm", "deny"):
        return _answer(conversation, ctx, intent, yes=intent.intent == "confirm", clock=clock)
    if pending is not None and pending["kind"] == "choose":
        picked = executor.choose_answer(pending, text)
        if picked is not None:
            return _choice(conversation, ctx, intent, picked, clock=clock)
    if pending is not None and intent.intent == "unknown":
        # Not an answer and not a new command: ask the open question again.
        reply = f"{R.say('pardon', ctx.lang)} {pending['prompt']}"
        return _result(
            conversation, intent, Done("refused", reply), clock, pending=pending, lang=ctx.lang
        )
    return _new_command(conversation, ctx, intent, clock=clock)


def conversation_confirm(
    *,
    business: Business,
    user: Any,
    conversation_id: uuid.UUID | str,
    answer: bool,
    now: dt.datetime | None = None,
) -> CommandResult:
    """Answer the conversation's open yes/no (the WebSocket's `{"type": "confirm"}` frame).

    The same as saying "haan" or "nahi": a yes runs the pending action once; a
    second yes, a no, or a yes after the timeout writes nothing.
    """
    clock = _Clock()
    is_owner = _is_owner(business, user)
    now = _shop_now(business, now)
    conversation = conversation_open(
        business=business, user=user, conversation_id=conversation_id, lang=business.language
    )
    intent = Intent("confirm" if answer else "deny", {}, 1.0, conversation.lang)
    clock.lap("intent_ms")
    ctx = Context(
        business=business,
        user=user,
        is_owner=is_owner,
        lang=conversation.lang,
        now=now,
        confidence=1.0,
    )
    return _phrased(_answer(conversation, ctx, intent, yes=answer, clock=clock))


def conversations_purge(*, older_than: dt.timedelta = dt.timedelta(days=7)) -> int:
    """Delete conversations nobody has used for `older_than`. Returns how many."""
    deleted, _ = conversations_stale(before=timezone.now() - older_than).delete()
    return deleted


# --- internals -----------------------------------------------------------------------------


def _lang_guess(conversation: Conversation | None, business: Business) -> str:
    return R.lang_of(conversation.lang if conversation is not None else business.language)


def _new_conversation(business: Business, user: Any, lang: str) -> Conversation:
    return conversation_open(business=business, user=user, conversation_id=None, lang=lang)


def _prepare(ctx: Context, intent: Intent, fixed: dict[str, Any] | None = None) -> Step:
    try:
        return executor.prepare(intent, ctx, fixed)
    except ApplicationError as error:
        return _refusal(error, ctx.lang)


def _first_command(business: Business, user: Any, ctx: Context, intent: Intent, *, clock):
    """A command that starts a conversation: nothing to lock, and its row is written once.

    (The hot path: one INSERT instead of insert, lock and update.)
    """
    conversation = Conversation(
        business=business, user=user, lang=intent.lang, last_intent=intent.intent
    )
    if intent.intent in ("confirm", "deny"):
        conversation.save(force_insert=True)
        return _result(
            conversation, intent, Done("nothing_pending", R.say("nothing_pending", ctx.lang)), clock
        )
    step = _prepare(ctx, intent)
    clock.lap("prepare_ms")
    if isinstance(step, Ready):
        done = _execute(step.plan, ctx, conversation)
        clock.lap("execute_ms")
        conversation.save(force_insert=True)
        return _result(conversation, intent, done, clock, lang=ctx.lang)
    pending = None
    if isinstance(step, Confirm | Choose):
        pending = step.pending()
        conversation.pending = pending
        conversation.pending_expires_at = pending_expiry(ctx.now)
    conversation.save(force_insert=True)
    return _result(conversation, intent, step, clock, pending=pending, lang=ctx.lang)


def _new_command(conversation: Conversation, ctx: Context, intent: Intent, *, clock) -> Any:
    """A fresh intent in an open conversation: any open question is dropped (the user moved on)."""
    step = _prepare(ctx, intent)
    with transaction.atomic():
        locked = conversation_lock(conversation)
        locked.lang = intent.lang
        locked.last_intent = intent.intent
        locked.pending = None
        locked.pending_expires_at = None
        locked.save(
            update_fields=["lang", "last_intent", "pending", "pending_expires_at", "updated_at"]
        )
        return _settle(locked, ctx, intent, step, clock=clock)


def _choice(conversation: Conversation, ctx: Context, intent: Intent, picked: int, *, clock):
    """The user picked one of the offered names: carry on with the original command."""
    with transaction.atomic():
        locked = conversation_lock(conversation)
        pending, expired = pending_take(locked, ctx.now)
        if pending is None or pending.get("kind") != "choose":
            status = "expired" if expired else "nothing_pending"
            done = Done(status, R.say(status, ctx.lang))
            return _result(locked, intent, done, clock, lang=ctx.lang)
        original = Intent.from_dict(pending["intent"])
        ctx.lang = original.lang
        ctx.confidence = original.confidence
        fixed = {**pending["fixed"], pending["field"]: picked}
        step = _prepare(ctx, original, fixed)
        return _settle(locked, ctx, intent, step, clock=clock)


def _answer(conversation: Conversation, ctx: Context, intent: Intent, *, yes: bool, clock):
    """A yes or a no to the open question; taken under the row lock, so at most once."""
    with transaction.atomic():
        locked = conversation_lock(conversation)
        pending, expired = pending_take(locked, ctx.now)
        if pending is None:
            status = "expired" if expired else "nothing_pending"
            done = Done(status, R.say(status, ctx.lang))
            return _result(locked, intent, done, clock, lang=ctx.lang)
        if not yes:
            done = Done("cancelled", R.say("denied", ctx.lang))
            return _result(locked, intent, done, clock, lang=ctx.lang)
        if pending["kind"] == "confirm":
            return _settle(locked, ctx, intent, Ready(pending["plan"]), clock=clock)
        # A yes to "did you mean Rakesh?" picks the one option; to a real choice it says nothing.
        if len(pending["options"]) == 1:
            original = Intent.from_dict(pending["intent"])
            ctx.lang, ctx.confidence = original.lang, original.confidence
            fixed = {**pending["fixed"], pending["field"]: pending["options"][0]["id"]}
            step = _prepare(ctx, original, fixed)
            return _settle(locked, ctx, intent, step, clock=clock)
        pending_put(locked, pending, ctx.now)
        names = R.options_text([o["name"] for o in pending["options"]], ctx.lang)
        reply = R.say("not_understood_choice", ctx.lang, options=names)
        done = Done("refused", reply)
        return _result(locked, intent, done, clock, pending=pending, lang=ctx.lang)


def _settle(conversation: Conversation, ctx: Context, intent: Intent, step: Step, *, clock):
    """Run, store or answer a step on a locked conversation (inside the caller's transaction)."""
    clock.lap("prepare_ms")
    if isinstance(step, Ready):
        done = _execute(step.plan, ctx, conversation)
        clock.lap("execute_ms")
        return _result(conversation, intent, done, clock, lang=ctx.lang)
    if isinstance(step, Confirm | Choose):
        pending = step.pending()
        pending_put(conversation, pending, ctx.now)
        return _result(conversation, intent, step, clock, pending=pending, lang=ctx.lang)
    return _result(conversation, intent, step, clock, lang=ctx.lang)


def _execute(plan: dict[str, Any], ctx: Context, conversation: Conversation) -> Done:
    """Run a plan; a domain refusal becomes the spoken reason, with nothing written.

    Its own transaction, or a savepoint inside the caller's (the conversation's, the
    Idempotency-Key's): a refusal rolls back the plan's writes and nothing else.
    """
    try:
        with transaction.atomic():
            done = executor.execute(plan, ctx)
    except ApplicationError as error:
        return _refusal(error, ctx.lang)
    logger.info(
        "command executed",
        extra={
            "business_id": ctx.business.pk,
            "user_id": getattr(ctx.user, "pk", None),
            "op": plan["op"],
            "conversation_id": str(conversation.pk),
        },
    )
    return done


def _refusal(error: ApplicationError, lang: str) -> Done:
    message = error.message if R.lang_of(lang) == "en" else error.message_hi
    return Done("refused", message, {"code": error.code, "field": error.field})


def _result(
    conversation: Conversation,
    intent: Intent,
    step: Step,
    clock: _Clock,
    *,
    pending: dict[str, Any] | None = None,
    lang: str | None = None,
) -> CommandResult:
    """The result of one command; `lang` is the reply's language (default: the intent's)."""
    if isinstance(step, Confirm):
        status, reply = "confirm", step.prompt
        data = {"action": step.plan["op"], "reason": step.reason}
    elif isinstance(step, Choose):
        status, reply, data = "question", step.prompt, {}
    else:
        status, reply, data = step.status, step.reply, step.data
    lang = R.lang_of(lang or intent.lang)
    if isinstance(step, Confirm):
        lang = step.plan.get("lang", lang)
    clock.lap("reply_ms")
    timings = dict(clock.timings)
    timings["total_ms"] = round((time.perf_counter() - clock.start) * 1000, 2)
    options = [] if pending is None else list(pending.get("options", []))
    return CommandResult(
        conversation_id=conversation.pk,
        intent=intent,
        status=status,
        reply=reply,
        lang=lang,
        data=data,
        prompt=pending["prompt"] if pending is not None else None,
        options=options,
        timings=timings,
    )
