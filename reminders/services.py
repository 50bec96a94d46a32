"""Writes for reminders: schedule, reschedule, cancel; dispatch and send; apply WhatsApp's webhooks.

The database, not the broker, decides what is sent (docs/reminders.md):

* `reminder_schedule` only writes a row, inside the caller's transaction (an
  outbox): a rollback leaves no reminder and nothing to send.
* `reminders_dispatch` (beat, every few seconds) claims due rows with
  `SELECT ... FOR UPDATE SKIP LOCKED` and a lease, takes back rows whose lease
  ran out, and enqueues one send per claimed row after its commit, with no ETA.
* `reminder_deliver` (the worker) moves the row `claimed → sending` with a
  conditional UPDATE (zero rows: someone else has it), sends with
  `biz_opaque_callback_data` = the reminder id, and records the wamid, or
  what the Graph error code says to do next.
* `webhook_process` applies status webhooks idempotently and never backwards.
"""

from __future__ import annotations

import datetime
import logging
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from psycopg.pq import TransactionStatus

from customers.models import Customer
from execora.exceptions import ApplicationError, Conflict, NotFound
from execora.models import Business
from execora.money import rupees
from ledger.services import amount_parse
from reminders import whatsapp
from reminders.models import Reminder, SendPacing, WhatsAppMessage
from reminders.selectors import (
    ReminderContent,
    SendJob,
    next_send_time,
    reminder_content,
    send_job,
    send_windows,
)
from reminders.whatsapp import Outcome, WhatsAppError

logger = logging.getLogger(__name__)

Status = Reminder.Status
MessageStatus = WhatsAppMessage.Status

# A reminder scheduled a little in the past (a slow form, clock skew) goes now.
PAST_GRACE = datetime.timedelta(minutes=5)
MAX_AHEAD = datetime.timedelta(days=366)
MAX_NOTE = 500
IN_FLIGHT = (Status.CLAIMED, Status.SENDING)
# Statuses WhatsApp reports for our messages, in the only order they may be applied.
# `failed` is last: once a message failed, a late `delivered` changes nothing.
PROGRESS = {"sent": 1, "delivered": 2, "read": 3, "failed": 4}
_UNSETTLED = (Status.CLAIMED, Status.SENDING, Status.UNKNOWN)
_RECURRENCE_STEP = {
    Reminder.Recurrence.DAILY: datetime.timedelta(days=1),
    Reminder.Recurrence.WEEKLY: datetime.timedelta(days=7),
}


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now if now is not None else timezone.now()


# --- scheduling (what the shop asks for) -------------------------------------------------


def _invalid(message: str, *, message_hi: str, field: str, code: str = "invalid") -> None:
    raise ApplicationError(message, code=code, message_hi=message_hi, field=field)


def _clean_when(when: Any, now: datetime.datetime) -> datetime.datetime:
    if when is None:
        return now
    if not isinstance(when, datetime.datetime) or timezone.is_naive(when):
        _invalid(
            "The reminder time must be a date and time with a time zone.",
            message_hi="रिमाइंडर का समय सही नहीं है।",
            field="when",
        )
    if when < now - PAST_GRACE:
        _invalid(
            "That time has already passed; choose a time from now on.",
            message_hi="यह समय निकल चुका है, आगे का समय बताइए।",
            field="when",
            code="in_the_past",
        )
    if when > now + MAX_AHEAD:
        _invalid(
            "A reminder can be set at most a year ahead.",
            message_hi="रिमाइंडर ज़्यादा से ज़्यादा एक साल आगे का लग सकता है।",
            field="when",
        )
    return max(when, now)


def _clean_note(message: Any) -> str:
    if not isinstance(message, str):
        _invalid("The message must be text.", message_hi="मैसेज सही लिखिए।", field="message")
    note = message.strip()
    if len(note) > MAX_NOTE or "\x00" in note:
        _invalid(
            f"The message can be at most {MAX_NOTE} characters.",
            message_hi=f"मैसेज {MAX_NOTE} अक्षरों से लंबा नहीं हो सकता।",
            field="message",
        )
    return note


def _customer(business: Business, customer_id: Any) -> Customer:
    try:
        customer = Customer.objects.get(business=business, pk=int(customer_id))
    except (Customer.DoesNotExist, TypeError, ValueError):
        raise NotFound(
            "Customer not found.", message_hi="ग्राहक नहीं मिला।", field="customer_id"
        ) from None
    if not customer.phone:
        raise ApplicationError(
            f"{customer.name} has no phone number, so no WhatsApp reminder can go.",
            code="no_phone",
            message_hi=f"{customer.name} का फ़ोन नंबर नहीं है, WhatsApp रिमाइंडर नहीं जा सकता।",
            field="customer_id",
        )
    return customer


def _first_attempt_time(business: Business, at: datetime.datetime) -> datetime.datetime:
    window = send_windows([business.pk])[business.pk]
    return next_send_time(at=at, time_zone=business.timezone, window=window)


@transaction.atomic
def reminder_schedule(
    *,
    business: Business,
    customer_id: int,
    when: datetime.datetime | None,
    amount: Decimal | int | str | None = None,
    message: str = "",
    recurrence: str = Reminder.Recurrence.NONE,
    source: str = Reminder.Source.API,
    user: Any = None,
    now: datetime.datetime | None = None,
) -> Reminder:
    """Schedule a WhatsApp payment reminder to a customer (None for `when` means now).

    Only writes the row, in the caller's transaction: if that rolls back there
    is no reminder and nothing is ever sent. `amount` caps what the message
    asks for; by default it is the customer's whole due at send time. A
    reminder due in the shop's quiet hours waits for the morning
    (`next_attempt_at` says when it will go). `recurrence` "daily"/"weekly"
    repeats it until nothing is due.
    """
    now = _now(now)
    customer = _customer(business, customer_id)
    when = _clean_when(when, now)
    if amount is not None:
        amount = amount_parse(amount)
    note = _clean_note(message)
    if recurrence not in Reminder.Recurrence.values:
        _invalid(
            f"Unknown recurrence {recurrence!r}: use none, daily or weekly.",
            message_hi="दोहराना: none, daily या weekly।",
            field="recurrence",
        )
    if source not in (Reminder.Source.VOICE, Reminder.Source.API, Reminder.Source.ADMIN):
        _invalid(
            f"Unknown source {source!r}: use voice, api or admin.",
            message_hi="स्रोत: voice, api या admin।",
            field="source",
        )
    reminder = Reminder.objects.create(
        business=business,
        customer=customer,
        amount=amount,
        message=note,
        scheduled_at=when,
        next_attempt_at=_first_attempt_time(business, when),
        recurrence=recurrence,
        source=source,
        created_by=user if getattr(user, "pk", None) else None,
        status_changed_at=now,
    )
    logger.info(
        "reminder scheduled",
        extra={"reminder_id": reminder.pk, "business_id": business.pk, "source": source},
    )
    return reminder


def _locked(business: Business, reminder_id: Any) -> Reminder:
    try:
        return Reminder.objects.select_for_update().get(business=business, pk=int(reminder_id))
    except (Reminder.DoesNotExist, TypeError, ValueError):
        raise NotFound(
            "Reminder not found.", message_hi="रिमाइंडर नहीं मिला।", field="reminder_id"
        ) from None


def _refuse_status(reminder: Reminder, doing: str, doing_hi: str) -> None:
    reasons = {
        Status.CLAIMED: ("it is being sent right now", "यह अभी भेजा जा रहा है"),
        Status.SENDING: ("it is being sent right now", "यह अभी भेजा जा रहा है"),
        Status.UNKNOWN: (
            "WhatsApp has not yet confirmed whether it went",
            "WhatsApp ने अभी पुष्टि नहीं की कि यह गया या नहीं",
        ),
        Status.CANCELLED: ("it was cancelled", "यह रद्द हो चुका है"),
    }
    reason, reason_hi = reasons.get(
        reminder.status, ("it has already been sent", "यह पहले ही भेजा जा चुका है")
    )
    raise Conflict(
        f"Reminder #{reminder.pk} cannot be {doing}: {reason}.",
        code="reminder_not_pending",
        message_hi=f"रिमाइंडर #{reminder.pk} {doing_hi} नहीं हो सकता: {reason_hi}।",
        extra={"status": reminder.status},
    )


def _rearm(reminder: Reminder, *, at: datetime.datetime, now: datetime.datetime) -> None:
    """A scheduled, failed or skipped reminder goes (again) at `at`, with fresh attempts."""
    if reminder.status != Status.SCHEDULED:
        reminder.attempts = 0
        reminder.last_error_code = ""
        reminder.last_error = ""
    reminder.status = Status.SCHEDULED
    reminder.next_attempt_at = _first_attempt_time(reminder.business, at)
    reminder.lease_expires_at = None
    reminder.status_changed_at = now
    reminder.save(
        update_fields=[
            "status",
            "scheduled_at",
            "next_attempt_at",
            "attempts",
            "lease_expires_at",
            "last_error_code",
            "last_error",
            "status_changed_at",
            "updated_at",
        ]
    )


_REARMABLE = (Status.SCHEDULED, Status.FAILED, Status.SKIPPED)


@transaction.atomic
def reminder_reschedule(
    *,
    business: Business,
    reminder_id: int,
    when: datetime.datetime | None,
    user: Any = None,
    now: datetime.datetime | None = None,
) -> Reminder:
    """Move a reminder that has not gone to a new time (a failed or skipped one is tried again).

    Refused with 409 while it is being sent or after it went.
    """
    now = _now(now)
    reminder = _locked(business, reminder_id)
    when = _clean_when(when, now)
    if reminder.status not in _REARMABLE:
        _refuse_status(reminder, "rescheduled", "आगे-पीछे")
    reminder.scheduled_at = when
    _rearm(reminder, at=when, now=now)
    logger.info("reminder rescheduled", extra={"reminder_id": reminder.pk})
    return reminder


@transaction.atomic
def reminder_send_now(
    *, business: Business, reminder_id: int, user: Any = None, now: datetime.datetime | None = None
) -> Reminder:
    """Send a scheduled, failed or skipped reminder at the next dispatch (quiet hours allowing)."""
    now = _now(now)
    reminder = _locked(business, reminder_id)
    if reminder.status not in _REARMABLE:
        _refuse_status(reminder, "sent now", "अभी भेजा")
    _rearm(reminder, at=now, now=now)
    return reminder


@transaction.atomic
def reminder_cancel(
    *, business: Business, reminder_id: int, user: Any = None, now: datetime.datetime | None = None
) -> Reminder:
    """Stop a reminder (and its daily/weekly repeats) before it goes. Cancelling twice is a no-op.

    A claimed reminder is stopped too: its sender's `claimed → sending` then
    updates no row. One already sending or sent cannot be called back (409).
    """
    now = _now(now)
    reminder = _locked(business, reminder_id)
    if reminder.status == Status.CANCELLED:
        return reminder
    if reminder.status not in (Status.SCHEDULED, Status.CLAIMED, Status.UNKNOWN, Status.FAILED):
        _refuse_status(reminder, "cancelled", "रद्द")
    reminder.status = Status.CANCELLED
    reminder.lease_expires_at = None
    reminder.status_changed_at = now
    reminder.save(update_fields=["status", "lease_expires_at", "status_changed_at", "updated_at"])
    logger.info("reminder cancelled", extra={"reminder_id": reminder.pk})
    return reminder


# --- dispatching (beat) ---------------------------------------------------------------------


@dataclass
class DispatchResult:
    claimed: list[int] = field(default_factory=list)
    # Claimed rows whose task never ran in time: enqueued again under a new lease.
    reclaimed: list[int] = field(default_factory=list)
    # Sending rows whose worker died: the request may have left, so they wait as `unknown`.
    orphaned: list[int] = field(default_factory=list)
    deferred: int = 0  # due in quiet hours: moved to the morning
    gave_up: list[int] = field(default_factory=list)

    @property
    def enqueued(self) -> list[int]:
        return self.reclaimed + self.claimed


def _lease(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(seconds=settings.REMINDER_LEASE_SECONDS)


def _expire_leases(now: datetime.datetime, result: DispatchResult) -> None:
    stale = list(
        Reminder.objects.select_for_update(skip_locked=True)
        .filter(status__in=IN_FLIGHT, lease_expires_at__lt=now)
        .order_by("lease_expires_at")
        .values_list("pk", "status")[: settings.REMINDER_MAX_IN_FLIGHT]
    )
    result.reclaimed = [pk for pk, status in stale if status == Status.CLAIMED]
    result.orphaned = [pk for pk, status in stale if status == Status.SENDING]
    if result.reclaimed:
        Reminder.objects.filter(pk__in=result.reclaimed, status=Status.CLAIMED).update(
            lease_expires_at=_lease(now)
        )
    if result.orphaned:
        resend_at = now + datetime.timedelta(seconds=settings.REMINDER_UNKNOWN_RESEND_SECONDS)
        Reminder.objects.filter(pk__in=result.orphaned, status=Status.SENDING).update(
            status=Status.UNKNOWN,
            lease_expires_at=None,
            next_attempt_at=resend_at,
            last_error_code="worker_lost",
            last_error="The worker stopped while sending; waiting for WhatsApp's status "
            "before sending again.",
            status_changed_at=now,
        )
        logger.warning("reminders orphaned while sending", extra={"ids": result.orphaned})


def reminders_dispatch(
    *,
    enqueue: Callable[[list[int]], None],
    now: datetime.datetime | None = None,
) -> DispatchResult:
    """Claim the reminders that are due and hand each to `enqueue` once the claim has committed.

    Two dispatchers at once (two beats by mistake) each lock different rows
    (SKIP LOCKED), so a reminder is claimed once. At most
    REMINDER_MAX_IN_FLIGHT are claimed or sending at a time, which bounds the
    queue a dispatch waits behind. Rows in quiet hours move to the morning;
    rows out of attempts fail.
    """
    now = _now(now)
    result = DispatchResult()
    with transaction.atomic():
        _expire_leases(now, result)
        room = (
            settings.REMINDER_MAX_IN_FLIGHT - Reminder.objects.filter(status__in=IN_FLIGHT).count()
        )
        due = []
        if room > 0:
            due = list(
                Reminder.objects.select_for_update(skip_locked=True)
                .filter(status__in=(Status.SCHEDULED, Status.UNKNOWN), next_attempt_at__lte=now)
                .order_by("next_attempt_at", "pk")
                .values_list("pk", "business_id", "status", "attempts")[:room]
            )
        business_ids = {row[1] for row in due}
        windows = send_windows(business_ids)
        zones = dict(Business.objects.filter(pk__in=business_ids).values_list("pk", "timezone"))
        deferred: dict[datetime.datetime, list[int]] = {}
        unconfirmed = []
        for pk, business_id, status, attempts in due:
            if attempts >= settings.REMINDER_MAX_ATTEMPTS:
                result.gave_up.append(pk)
                if status == Status.UNKNOWN:
                    unconfirmed.append(pk)
                continue
            opens = next_send_time(
                at=now, time_zone=zones[business_id], window=windows[business_id]
            )
            if opens > now:
                deferred.setdefault(opens, []).append(pk)
                continue
            result.claimed.append(pk)
        if result.claimed:
            Reminder.objects.filter(pk__in=result.claimed).update(
                status=Status.CLAIMED, lease_expires_at=_lease(now), status_changed_at=now
            )
        for opens, ids in deferred.items():
            Reminder.objects.filter(pk__in=ids).update(next_attempt_at=opens)
            result.deferred += len(ids)
        if result.gave_up:
            Reminder.objects.filter(pk__in=result.gave_up).update(
                status=Status.FAILED, lease_expires_at=None, status_changed_at=now
            )
            Reminder.objects.filter(pk__in=unconfirmed).update(
                last_error_code="unconfirmed",
                last_error=f"No confirmation from WhatsApp after {settings.REMINDER_MAX_ATTEMPTS} "
                "attempts; it may or may not have been delivered.",
            )
        ids = result.enqueued
        if ids:
            transaction.on_commit(lambda: enqueue(ids))
    if ids or result.orphaned or result.deferred or result.gave_up:
        logger.info(
            "reminders dispatched",
            extra={
                "claimed": len(result.claimed),
                "reclaimed": len(result.reclaimed),
                "orphaned": len(result.orphaned),
                "deferred": result.deferred,
                "gave_up": len(result.gave_up),
            },
        )
    return result


# --- pacing ---------------------------------------------------------------------------------


def _now_us() -> int:
    return time.time_ns() // 1000


def _pacing_sql(sql: str) -> str:
    quote = connection.ops.quote_name
    return sql.format(t=quote(SendPacing._meta.db_table), key=quote("key"))


def recipient_slot_reserve(*, wa_id: str, holder: int, now_us: int | None = None) -> int | None:
    """Reserve the next message to this person for `holder`; None when it may go now.

    Otherwise the epoch microseconds when it may go. One upsert decides, so two
    workers cannot both send to the same person within the interval (131056).
    """
    now_us = _now_us() if now_us is None else now_us
    gap_us = settings.WHATSAPP_RECIPIENT_INTERVAL_SECONDS * 1_000_000
    key = f"to:{wa_id}"
    with connection.cursor() as cursor:
        cursor.execute(
            _pacing_sql(
                "INSERT INTO {t} ({key}, next_us, holder) VALUES (%s, %s, %s) "
                "ON CONFLICT ({key}) DO UPDATE SET next_us = excluded.next_us, "
                "holder = excluded.holder WHERE {t}.next_us <= %s OR {t}.holder = excluded.holder "
                "RETURNING next_us"
            ),
            [key, now_us + gap_us, holder, now_us],
        )
        if cursor.fetchone() is not None:
            return None
        cursor.execute(_pacing_sql("SELECT next_us FROM {t} WHERE {key} = %s"), [key])
        row = cursor.fetchone()
    return row[0] if row else now_us


def number_slot_reserve(*, now_us: int | None = None) -> int:
    """The next send slot of our phone number (epoch µs), spacing all sends by 1/rate.

    A shared cursor every worker advances with one upsert (GCRA): the slot is
    the later of now and the previous slot plus the interval. Every send
    updates this one row, so its transaction commits without waiting for the
    disk (losing a pacing cursor in a crash costs nothing): the row lock is
    held for a fraction of a millisecond, not for an fsync.
    """
    now_us = _now_us() if now_us is None else now_us
    step = 1_000_000 // settings.WHATSAPP_MESSAGES_PER_SECOND
    upsert = _pacing_sql(
        "INSERT INTO {t} ({key}, next_us, holder) VALUES (%s, %s, 0) "
        "ON CONFLICT ({key}) DO UPDATE SET next_us = "
        "(CASE WHEN {t}.next_us > %s THEN {t}.next_us ELSE %s END) + %s "
        "RETURNING next_us"
    )
    params = [f"number:{settings.WHATSAPP_PHONE_NUMBER_ID}", now_us + step, now_us, now_us, step]
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Every send passes here: the transaction, its no-fsync commit and the upsert go
        # in one round trip (Django's client-side binding sends them as one query).
        with connection.cursor() as cursor:
            try:
                cursor.execute(
                    f"BEGIN; SET LOCAL synchronous_commit TO OFF; {upsert}; COMMIT", params
                )
                (next_us,) = _last_result(cursor)[0]
            except BaseException:
                if connection.connection.info.transaction_status != TransactionStatus.IDLE:
                    connection.connection.execute("ROLLBACK")
                raise
        return next_us - step
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(upsert, params)
        (next_us,) = cursor.fetchone()
    return next_us - step


def _last_result(cursor: Any) -> list[tuple]:
    """The rows of the last statement of a multi-statement query that returned rows."""
    rows: list[tuple] = []
    while True:
        if cursor.description is not None:
            rows = cursor.fetchall()
        if not cursor.nextset():
            return rows


# --- sending (worker) ------------------------------------------------------------------------


def _backoff(attempt: int) -> datetime.timedelta:
    """Exponential backoff with "equal jitter": half the step fixed, half random."""
    step = min(
        settings.REMINDER_RETRY_MAX_SECONDS,
        settings.REMINDER_RETRY_BASE_SECONDS * 2 ** max(0, attempt - 1),
    )
    return datetime.timedelta(seconds=step / 2 + random.uniform(0, step / 2))  # noqa: S311


def _from_us(epoch_us: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(epoch_us / 1e6, tz=datetime.UTC)


def _finish_claimed(job: SendJob, *, status: str, code: str, error: str) -> bool:
    """End a claimed reminder without sending (skipped, failed); False if it was not ours."""
    return bool(
        Reminder.objects.filter(pk=job.reminder_id, status=Status.CLAIMED).update(
            status=status,
            lease_expires_at=None,
            last_error_code=code,
            last_error=error,
            status_changed_at=timezone.now(),
        )
    )


def _payload(content: ReminderContent, *, to: str, callback_data: str) -> dict[str, Any]:
    if content.kind == Reminder.Kind.TEXT:
        return whatsapp.text_payload(to=to, body=content.text, callback_data=callback_data)
    return whatsapp.template_payload(
        to=to,
        name=content.template_name,
        language=content.template_language,
        body_params=list(content.template_params),
        callback_data=callback_data,
    )


def _refusal_before_sending(job: SendJob, content: ReminderContent) -> tuple[str, str] | None:
    if not job.phone:
        return "no_phone", "The customer has no phone number."
    if job.attempts >= settings.REMINDER_MAX_ATTEMPTS:
        return "gave_up", f"Gave up after {job.attempts} attempts."
    if content.kind == Reminder.Kind.TEMPLATE and not content.template_name:
        return (
            "needs_template",
            "The customer has not written in 24 hours, so WhatsApp needs an approved "
            "template, and WHATSAPP_TEMPLATE_NAME is empty.",
        )
    return None


def reminder_deliver(*, reminder_id: int, sleep: Callable[[float], None] = time.sleep) -> str:
    """Send one claimed reminder (the worker's task); returns what happened, for logs and tests.

    Safe to run any number of times: only the run whose `claimed → sending`
    UPDATE changes a row sends anything. No transaction or row lock is held
    during the pacing wait or the HTTP request. One message is three short
    transactions: claim (with the person's pacing slot), the number's pacing
    slot, and the outcome.
    """
    job = send_job(reminder_id=reminder_id)
    if job is None or job.status != Status.CLAIMED:
        return "not_claimed"
    if job.due <= 0:
        ends = (
            " The repeating reminders stop here."
            if job.recurrence != Reminder.Recurrence.NONE
            else ""
        )
        error = (
            f"Nothing was due at send time (balance {rupees(job.balance)}), so no message "
            f"was sent.{ends}"
        )
        skipped = _finish_claimed(job, status=Status.SKIPPED, code="nothing_due", error=error)
        return "skipped" if skipped else "not_claimed"
    content = reminder_content(job=job, amount=job.due, now=timezone.now())
    refusal = _refusal_before_sending(job, content)
    if refusal is not None:
        failed = _finish_claimed(job, status=Status.FAILED, code=refusal[0], error=refusal[1])
        return "failed" if failed else "not_claimed"
    wa_id = whatsapp.wa_id_for(job.phone)
    attempt = job.attempts + 1

    with transaction.atomic():
        # The person's gap first: while blocked, the reminder goes back, unsent, for later.
        blocked_until_us = recipient_slot_reserve(wa_id=wa_id, holder=job.reminder_id)
        if blocked_until_us is not None:
            released = Reminder.objects.filter(pk=job.reminder_id, status=Status.CLAIMED).update(
                status=Status.SCHEDULED,
                next_attempt_at=_from_us(blocked_until_us),
                lease_expires_at=None,
            )
            return "paced" if released else "not_claimed"
        now = timezone.now()
        claimed = Reminder.objects.filter(
            pk=job.reminder_id, status=Status.CLAIMED, attempts=job.attempts
        ).update(
            status=Status.SENDING,
            attempts=attempt,
            lease_expires_at=_lease(now),
            kind=content.kind,
            amount_sent=job.due,
            status_changed_at=now,
        )
        if claimed != 1:
            # A redelivered task or a cancel got there first; give the person's slot back.
            transaction.set_rollback(True)
            return "not_claimed"

    wait = (number_slot_reserve() - _now_us()) / 1e6
    if wait > settings.REMINDER_LEASE_SECONDS / 2:
        # Far more queued than the number may send within the lease: try later, unsent.
        Reminder.objects.filter(pk=job.reminder_id, status=Status.SENDING, attempts=attempt).update(
            status=Status.SCHEDULED,
            attempts=job.attempts,
            next_attempt_at=timezone.now() + datetime.timedelta(seconds=wait),
            lease_expires_at=None,
        )
        return "paced"
    if wait > 0:
        sleep(wait)

    payload = _payload(content, to=wa_id, callback_data=str(job.reminder_id))
    try:
        result = whatsapp.get_client().send(payload)
    except WhatsAppError as error:
        return _record_failure(job, attempt=attempt, content=content, to=wa_id, error=error)
    _record_sent(job, attempt=attempt, content=content, result=result)
    return "sent"


def _message_fields(job: SendJob, *, attempt: int, content: ReminderContent, to: str) -> dict:
    return {
        "business_id": job.business_id,
        "customer_id": job.customer_id,
        "reminder_id": job.reminder_id,
        "direction": WhatsAppMessage.Direction.OUTGOING,
        "kind": content.kind,
        "wa_id": to,
        "body": content.text,
        "template_name": content.template_name,
        "template_language": content.template_language,
        "attempt": attempt,
    }


def _record_sent(
    job: SendJob, *, attempt: int, content: ReminderContent, result: whatsapp.SendResult
) -> None:
    now = timezone.now()
    fields = _message_fields(job, attempt=attempt, content=content, to=result.wa_id)
    entry = {
        "status": MessageStatus.ACCEPTED,
        "at": now.isoformat(),
        "received_at": now.isoformat(),
    }
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The request has left: if this commit were lost (a database crash within
            # ~200 ms), the row stays `sending`, its lease turns it `unknown` and the status
            # webhook settles it, as when a worker dies here. So no fsync wait per message.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        # One upsert: the status webhook may have beaten us here and made the row; then
        # its content is filled in and its (further) status and history are kept.
        WhatsAppMessage.objects.bulk_create(
            [
                WhatsAppMessage(
                    **fields,
                    wamid=result.wamid,
                    status=MessageStatus.ACCEPTED,
                    status_history=[entry],
                )
            ],
            update_conflicts=True,
            unique_fields=["wamid"],
            update_fields=[*fields, "updated_at"],
        )
        moved = Reminder.objects.filter(
            pk=job.reminder_id, attempts=attempt, status__in=(Status.SENDING, Status.UNKNOWN)
        ).update(
            status=Status.SENT,
            wamid=result.wamid,
            sent_at=now,
            lease_expires_at=None,
            last_error_code="",
            last_error="",
            status_changed_at=now,
        )
        if not moved:
            # A webhook already settled it (or a cancel came late): only keep the id.
            Reminder.objects.filter(pk=job.reminder_id, wamid="").update(wamid=result.wamid)
        elif job.recurrence != Reminder.Recurrence.NONE:
            _schedule_next_occurrence(job.reminder_id, now=now)
    logger.info("reminder sent", extra={"reminder_id": job.reminder_id, "attempt": attempt})


def _record_failure(
    job: SendJob,
    *,
    attempt: int,
    content: ReminderContent,
    to: str,
    error: WhatsAppError,
) -> str:
    now = timezone.now()
    message_status = (
        MessageStatus.UNKNOWN if error.outcome == Outcome.UNKNOWN else MessageStatus.FAILED
    )
    history = {
        "status": message_status,
        "at": now.isoformat(),
        "received_at": now.isoformat(),
        "error_code": error.code,
    }
    with transaction.atomic():
        WhatsAppMessage.objects.create(
            **_message_fields(job, attempt=attempt, content=content, to=to),
            status=message_status,
            error_code=error.code,
            error_title=error.title,
            error_details=error.details,
            status_history=[history],
        )
        mine = Reminder.objects.filter(pk=job.reminder_id, status=Status.SENDING, attempts=attempt)
        outcome = _apply_failure(
            mine,
            outcome=error.outcome,
            attempt=attempt,
            kind=content.kind,
            now=now,
            code=error.code,
            title=error.title,
        )
    log = logger.warning if outcome in ("failed", "unknown") else logger.info
    log(
        "reminder send failed",
        extra={
            "reminder_id": job.reminder_id,
            "attempt": attempt,
            "code": error.code,
            "next": outcome,
        },
    )
    return outcome


def _apply_failure(
    rows: Any,
    *,
    outcome: Outcome,
    attempt: int,
    kind: str,
    now: datetime.datetime,
    code: str,
    title: str,
    wamid: str = "",
) -> str:
    """What a failed send (an answer or a webhook) does to its reminder.

    `rows` selects the reminder only while it is still ours to change. A retry
    forgets the failed message's id, so the next attempt's statuses are followed.
    """
    error = f"{code}: {title}"
    common = {"lease_expires_at": None, "last_error_code": code[:40], "status_changed_at": now}
    if outcome == Outcome.UNKNOWN:
        resend_at = now + datetime.timedelta(seconds=settings.REMINDER_UNKNOWN_RESEND_SECONDS)
        rows.update(
            status=Status.UNKNOWN,
            next_attempt_at=resend_at,
            last_error=f"{error}. The request may have reached WhatsApp: waiting for its "
            "status before sending again.",
            **common,
        )
        return "unknown"
    if (
        outcome == Outcome.NEEDS_TEMPLATE
        and kind == Reminder.Kind.TEXT
        and settings.WHATSAPP_TEMPLATE_NAME
        and attempt < settings.REMINDER_MAX_ATTEMPTS
    ):
        # WhatsApp's 24 h window had closed: the approved template will go instead, now.
        rows.update(
            status=Status.SCHEDULED,
            wamid="",
            needs_template=True,
            next_attempt_at=now,
            last_error=f"{error}. Outside the 24 h window: sending the approved template.",
            **common,
        )
        return "needs_template"
    if outcome == Outcome.RETRY and attempt < settings.REMINDER_MAX_ATTEMPTS:
        rows.update(
            status=Status.SCHEDULED,
            wamid="",
            next_attempt_at=now + _backoff(attempt),
            last_error=f"{error}. Will try again.",
            **common,
        )
        return "retry"
    if (
        outcome in (Outcome.RETRY, Outcome.NEEDS_TEMPLATE)
        and attempt >= settings.REMINDER_MAX_ATTEMPTS
    ):
        error = f"{error}. Gave up after {attempt} attempts."
    rows.update(status=Status.FAILED, wamid=wamid, last_error=error, **common)
    return "failed"


def _schedule_next_occurrence(reminder_id: int, *, now: datetime.datetime) -> Reminder | None:
    """The next daily/weekly occurrence after this one went; at most one (a one-to-one link)."""
    reminder = Reminder.objects.select_related("business").get(pk=reminder_id)
    step = _RECURRENCE_STEP.get(reminder.recurrence)
    if step is None:
        return None
    when = reminder.scheduled_at + step
    while when <= now:
        when += step
    try:
        with transaction.atomic():
            return Reminder.objects.create(
                business=reminder.business,
                customer_id=reminder.customer_id,
                amount=reminder.amount,
                message=reminder.message,
                scheduled_at=when,
                next_attempt_at=_first_attempt_time(reminder.business, when),
                recurrence=reminder.recurrence,
                previous=reminder,
                source=Reminder.Source.SYSTEM,
                created_by=reminder.created_by,
                status_changed_at=now,
            )
    except IntegrityError:
        return None  # made already, by the other path that saw this reminder go


# --- webhooks ---------------------------------------------------------------------------------


@dataclass
class WebhookSummary:
    statuses_applied: int = 0
    statuses_ignored: int = 0
    messages_stored: int = 0


def _timestamp(value: Any, default: datetime.datetime) -> datetime.datetime:
    try:
        return datetime.datetime.fromtimestamp(int(value), tz=datetime.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return default


def _reminder_id(callback_data: Any) -> int | None:
    try:
        return int(str(callback_data))
    except (TypeError, ValueError):
        return None


def _status_message(status: dict[str, Any]) -> WhatsAppMessage | None:
    """Our message row for a status event, locked; adopted or made from the callback data."""
    wamid = str(status.get("id") or "")
    message = WhatsAppMessage.objects.select_for_update().filter(wamid=wamid).first()
    if message is not None:
        return message
    reminder_id = _reminder_id(status.get("biz_opaque_callback_data"))
    reminder = Reminder.objects.filter(pk=reminder_id).first() if reminder_id else None
    if reminder is None:
        return None
    # Our request timed out (or the worker died) after WhatsApp took it: this is that message.
    message = (
        reminder.messages.select_for_update()
        .filter(wamid__isnull=True, status=MessageStatus.UNKNOWN)
        .order_by("-pk")
        .first()
    )
    if message is not None:
        message.wamid = wamid
        message.save(update_fields=["wamid", "updated_at"])
        return message
    try:
        with transaction.atomic():
            return WhatsAppMessage.objects.create(
                business_id=reminder.business_id,
                customer_id=reminder.customer_id,
                reminder=reminder,
                direction=WhatsAppMessage.Direction.OUTGOING,
                kind=reminder.kind or Reminder.Kind.TEXT,
                wa_id=str(status.get("recipient_id") or ""),
                wamid=wamid,
                status=MessageStatus.ACCEPTED,
                attempt=reminder.attempts or None,
            )
    except IntegrityError:
        # The sender recorded the same wamid a moment ago.
        return WhatsAppMessage.objects.select_for_update().get(wamid=wamid)


def _rank(status: str) -> int:
    return PROGRESS.get(status, 0)


def message_status_apply(
    *, status: dict[str, Any], received_at: datetime.datetime | None = None
) -> bool:
    """Apply one status event of WhatsApp's webhook. True when it changed something.

    Idempotent and order-proof: a status is applied only when it is further
    along than the message's (sent < delivered < read < failed), so repeats
    and late arrivals change nothing and each transition is recorded once.
    """
    received_at = _now(received_at)
    name = str(status.get("status") or "")
    if name not in PROGRESS or not status.get("id"):
        return False
    with transaction.atomic():
        message = _status_message(status)
        if message is None:
            logger.info("status for an unknown message ignored", extra={"status": name})
            return False
        if _rank(name) <= _rank(message.status):
            return False
        errors = status.get("errors") or [{}]
        error = errors[0] if isinstance(errors, list) and isinstance(errors[0], dict) else {}
        at = _timestamp(status.get("timestamp"), received_at)
        entry = {"status": name, "at": at.isoformat(), "received_at": received_at.isoformat()}
        message.status = name
        if name == "failed":
            message.error_code = str(error.get("code") or "")[:40]
            message.error_title = str(error.get("title") or error.get("message") or "")[:255]
            details = error.get("error_data")
            message.error_details = str(
                (details.get("details") if isinstance(details, dict) else "") or ""
            )
            entry.update(error_code=message.error_code, error_title=message.error_title)
        message.status_history = [*message.status_history, entry]
        message.save(
            update_fields=[
                "status",
                "status_history",
                "error_code",
                "error_title",
                "error_details",
                "updated_at",
            ]
        )
        if message.reminder_id:
            _reminder_follow(message, name=name, at=at, now=received_at)
    return True


def _reminder_follow(
    message: WhatsAppMessage, *, name: str, at: datetime.datetime, now: datetime.datetime
) -> None:
    """Carry a message's new status to its reminder, when the message is the reminder's."""
    reminder = Reminder.objects.select_for_update().get(pk=message.reminder_id)
    ours = reminder.wamid == message.wamid
    unsettled = reminder.status in _UNSETTLED and reminder.wamid == "" and reminder.attempts > 0
    if not (ours or unsettled):
        return  # an older attempt's message: its status stays on the message only
    if name == "failed":
        earlier = message.attempt is not None and message.attempt < reminder.attempts
        if unsettled and reminder.status == Status.SENDING and earlier:
            return  # an earlier attempt failed; the one in flight decides
        if unsettled or _rank(reminder.status) < _rank("failed"):
            code = message.error_code or "failed"
            outcome = whatsapp.classify_error(
                400, {"error": {"code": message.error_code, "message": message.error_title}}
            ).outcome
            _apply_failure(
                Reminder.objects.filter(pk=reminder.pk),
                outcome=outcome,
                attempt=reminder.attempts,
                kind=message.kind,
                now=now,
                code=code,
                title=message.error_title or "failed",
                wamid=message.wamid or "",
            )
        return
    if not unsettled and _rank(name) <= _rank(reminder.status):
        return
    Reminder.objects.filter(pk=reminder.pk).update(
        status=name,
        wamid=message.wamid,
        sent_at=reminder.sent_at or at,
        lease_expires_at=None,
        last_error_code="" if unsettled else reminder.last_error_code,
        last_error="" if unsettled else reminder.last_error,
        status_changed_at=now,
    )
    if unsettled:
        _schedule_next_occurrence(reminder.pk, now=now)


def inbound_message_record(
    *,
    message: dict[str, Any],
    contacts: Iterable[dict[str, Any]] = (),
    received_at: datetime.datetime | None = None,
) -> WhatsAppMessage | None:
    """Store a customer's message (once per wamid) and open their 24 h free-text window.

    The number is shared by every shop, so each shop's customer with this
    phone gets the window; the message itself is filed with the shop it
    answers (its `context`), else the shop that last wrote to this person.
    """
    received_at = _now(received_at)
    wamid = str(message.get("id") or "")
    phone = whatsapp.phone_for(str(message.get("from") or ""))
    if not wamid or not phone:
        return None
    at = _timestamp(message.get("timestamp"), received_at)
    customers = Customer.objects.filter(phone=phone)
    customers.filter(
        Q(last_inbound_message_at__isnull=True) | Q(last_inbound_message_at__lt=at)
    ).update(last_inbound_message_at=at)
    existing = WhatsAppMessage.objects.filter(wamid=wamid).first()
    if existing is not None:
        return existing
    answered = None
    context = message.get("context")
    if isinstance(context, dict) and context.get("id"):
        answered = WhatsAppMessage.objects.filter(wamid=str(context["id"])).first()
    if answered is None:
        answered = (
            WhatsAppMessage.objects.filter(
                wa_id=whatsapp.wa_id_for(phone), direction=WhatsAppMessage.Direction.OUTGOING
            )
            .order_by("-created_at", "-pk")
            .first()
        )
    if answered is not None and answered.customer_id:
        business_id, customer_id = answered.business_id, answered.customer_id
    else:
        customer = customers.order_by("pk").first()
        if customer is None:
            logger.info("message from a number that is no customer ignored")
            return None
        business_id, customer_id = customer.business_id, customer.pk
    kind = str(message.get("type") or "unknown")[:20]
    content = message.get(kind) if isinstance(message.get(kind), dict) else {}
    body = (
        content.get("body")
        or content.get("text")
        or content.get("caption")
        or content.get("title")
        or ""
    )
    try:
        with transaction.atomic():
            return WhatsAppMessage.objects.create(
                business_id=business_id,
                customer_id=customer_id,
                direction=WhatsAppMessage.Direction.INCOMING,
                kind=kind,
                wa_id=whatsapp.wa_id_for(phone),
                body=str(body),
                wamid=wamid,
                status=MessageStatus.RECEIVED,
                status_history=[
                    {
                        "status": "received",
                        "at": at.isoformat(),
                        "received_at": received_at.isoformat(),
                    }
                ],
                payload=message,
                created_at=at,
            )
    except IntegrityError:
        return WhatsAppMessage.objects.filter(wamid=wamid).first()  # Meta retried the webhook


def webhook_process(
    *, payload: dict[str, Any], received_at: datetime.datetime | None = None
) -> WebhookSummary:
    """Apply a verified webhook body: status events for our messages, and customers' messages."""
    received_at = _now(received_at)
    summary = WebhookSummary()
    entries = payload.get("entry") if isinstance(payload, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        changes = entry.get("changes") if isinstance(entry, dict) else None
        for change in changes if isinstance(changes, list) else []:
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                continue
            for status in value.get("statuses") or []:
                if isinstance(status, dict) and message_status_apply(
                    status=status, received_at=received_at
                ):
                    summary.statuses_applied += 1
                else:
                    summary.statuses_ignored += 1
            contacts = value.get("contacts") or []
            for message in value.get("messages") or []:
                if isinstance(message, dict) and inbound_message_record(
                    message=message, contacts=contacts, received_at=received_at
                ):
                    summary.messages_stored += 1
    return summary
