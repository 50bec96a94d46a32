"""Reads for reminders: lists, one reminder, its message timeline, and what a reminder says."""

from __future__ import annotations

import dataclasses
import datetime
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from customers.models import Customer
from execora.exceptions import ApplicationError, NotFound
from execora.models import Business, Language
from execora.money import money, rupees
from ledger.models import AccountKey, JournalEntry, JournalLine
from reminders.models import Reminder, ReminderPolicy, WhatsAppMessage

# The message lists this many of the customer's latest khata entries.
RECENT_ENTRIES = 3
# Free text is sent only this long after the customer's last message, a little
# under WhatsApp's 24 h so a message queued near the edge does not earn 131047.
FREE_TEXT_WINDOW = datetime.timedelta(hours=24) - datetime.timedelta(minutes=10)


def _not_found(what: str = "Reminder") -> NotFound:
    return NotFound(
        f"{what} not found.",
        message_hi="रिमाइंडर नहीं मिला।" if what == "Reminder" else "मैसेज नहीं मिला।",
        field="reminder_id" if what == "Reminder" else "message_id",
    )


def _statuses(status: str | Iterable[str] | None) -> list[str]:
    if status is None or status == "":
        return []
    values = [status] if isinstance(status, str) else list(status)
    unknown = [value for value in values if value not in Reminder.Status.values]
    if unknown:
        raise ApplicationError(
            f"Unknown reminder status {unknown[0]!r}: use one of "
            f"{', '.join(Reminder.Status.values)}.",
            code="invalid",
            message_hi="रिमाइंडर का यह स्टेटस नहीं होता।",
            field="status",
        )
    return values


def reminder_list(
    *,
    business: Business,
    status: str | Iterable[str] | None = None,
    customer_id: int | None = None,
) -> QuerySet[Reminder]:
    """The shop's reminders, latest scheduled first; optionally by status(es) and customer."""
    reminders = Reminder.objects.filter(business=business).select_related("customer")
    statuses = _statuses(status)
    if statuses:
        reminders = reminders.filter(status__in=statuses)
    if customer_id is not None:
        reminders = reminders.filter(customer_id=customer_id)
    return reminders.order_by("-scheduled_at", "-pk")


def reminder_get(*, business: Business, reminder_id: int | str) -> Reminder:
    """The shop's reminder with this id; NotFound for another shop's id or no such id."""
    try:
        return Reminder.objects.select_related("customer").get(
            business=business, pk=int(reminder_id)
        )
    except (Reminder.DoesNotExist, TypeError, ValueError) as exc:
        raise _not_found() from exc


def message_list(
    *,
    business: Business,
    reminder_id: int | None = None,
    customer_id: int | None = None,
    direction: str | None = None,
) -> QuerySet[WhatsAppMessage]:
    """The shop's WhatsApp messages, newest first."""
    messages = WhatsAppMessage.objects.filter(business=business)
    if reminder_id is not None:
        messages = messages.filter(reminder_id=reminder_id)
    if customer_id is not None:
        messages = messages.filter(customer_id=customer_id)
    if direction:
        messages = messages.filter(direction=direction)
    return messages.order_by("-created_at", "-pk")


def reminder_timeline(*, business: Business, reminder_id: int) -> list[WhatsAppMessage]:
    """Every message sent for one reminder, oldest first, each with its status history."""
    reminder = reminder_get(business=business, reminder_id=reminder_id)
    return list(reminder.messages.order_by("created_at", "pk"))


# --- when a shop's reminders may go -------------------------------------------------------


def _clock(value: str) -> datetime.time:
    if value == "24:00":
        return datetime.time.max  # the window runs to midnight
    hours, minutes = value.split(":")
    return datetime.time(int(hours), int(minutes))


def default_send_window() -> tuple[datetime.time, datetime.time]:
    return _clock(settings.REMINDER_SEND_FROM), _clock(settings.REMINDER_SEND_UNTIL)


def send_windows(business_ids: Iterable[int]) -> dict[int, tuple[datetime.time, datetime.time]]:
    """Each shop's (from, until) in shop time: its own hours, else REMINDER_SEND_WINDOW."""
    ids = set(business_ids)
    windows = dict.fromkeys(ids, default_send_window())
    for policy in ReminderPolicy.objects.filter(business_id__in=ids):
        windows[policy.business_id] = (policy.send_from, policy.send_until)
    return windows


def next_send_time(
    *,
    at: datetime.datetime,
    time_zone: str,
    window: tuple[datetime.time, datetime.time],
) -> datetime.datetime:
    """`at` when it falls inside the shop's hours, else the next opening (quiet hours wait)."""
    tz = zoneinfo.ZoneInfo(time_zone)
    local = at.astimezone(tz)
    start, end = window
    if start <= local.time() < end:
        return at
    day = local.date() if local.time() < start else local.date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(day, start, tzinfo=tz)


# --- what a reminder says -------------------------------------------------------------------


@dataclass(frozen=True)
class SendJob:
    """What sending one reminder needs, read in one query (the worker's hot path)."""

    reminder_id: int
    business_id: int
    customer_id: int
    status: str
    attempts: int
    amount: Decimal | None
    note: str
    needs_template: bool
    recurrence: str
    customer_name: str
    phone: str
    balance: Decimal
    language: str
    last_inbound_message_at: datetime.datetime | None
    shop_name: str
    upi_id: str

    @property
    def due(self) -> Decimal:
        """What the message asks for: the customer's due, capped by the reminder's amount."""
        return self.balance if self.amount is None else min(self.amount, self.balance)


def _job_sql() -> str:
    # Plain SQL on purpose: this runs once per message on the worker's hot path, and
    # the ORM's compile of the same three-table values() query costs ten times the query.
    table = {m: connection.ops.quote_name(m._meta.db_table) for m in (Reminder, Customer, Business)}
    return (
        "SELECT r.id, r.business_id, r.customer_id, r.status, r.attempts, r.amount, r.message, "  # noqa: S608
        "r.needs_template, r.recurrence, c.name, c.phone, c.balance, "
        "COALESCE(NULLIF(c.preferred_language, ''), b.language), c.last_inbound_message_at, "
        "b.name, b.upi_id "
        f"FROM {table[Reminder]} r "
        f"JOIN {table[Customer]} c ON c.id = r.customer_id "
        f"JOIN {table[Business]} b ON b.id = r.business_id "
        "WHERE r.id = %s"
    )


def send_job(*, reminder_id: int) -> SendJob | None:
    """The reminder, its customer and shop as one SendJob; None when there is no such reminder."""
    with connection.cursor() as cursor:
        cursor.execute(_job_sql(), [reminder_id])
        row = cursor.fetchone()
    if row is None:
        return None
    job = SendJob(*row)
    # SQLite hands back text and numbers where PostgreSQL gives dates and decimals.
    fields = {}
    for name, value in (("amount", job.amount), ("balance", job.balance)):
        if value is not None and not isinstance(value, Decimal):
            fields[name] = money(str(value))
    last = job.last_inbound_message_at
    if isinstance(last, str):
        fields["last_inbound_message_at"] = parse_datetime(last)
    if isinstance(job.needs_template, int) and not isinstance(job.needs_template, bool):
        fields["needs_template"] = bool(job.needs_template)
    if fields:
        job = dataclasses.replace(job, **fields)
    if job.last_inbound_message_at is not None and timezone.is_naive(job.last_inbound_message_at):
        job = dataclasses.replace(
            job,
            last_inbound_message_at=timezone.make_aware(job.last_inbound_message_at, datetime.UTC),
        )
    return job


@dataclass(frozen=True)
class ReminderContent:
    kind: str  # Reminder.Kind: text inside the 24 h window, else the template
    text: str  # the free text, or a readable rendering of the template for the record
    template_name: str = ""
    template_language: str = ""
    template_params: tuple[str, ...] = ()


_ENTRY_LABELS = {
    "en": {
        JournalEntry.SourceType.INVOICE: "Bill",
        JournalEntry.SourceType.INVOICE_CANCEL: "Bill cancelled",
        JournalEntry.SourceType.PAYMENT: "Paid",
        JournalEntry.SourceType.CREDIT: "Udhaar",
        JournalEntry.SourceType.OPENING_BALANCE: "Opening balance",
        JournalEntry.SourceType.REVERSAL: "Correction",
    },
    "hinglish": {
        JournalEntry.SourceType.INVOICE: "Bill",
        JournalEntry.SourceType.INVOICE_CANCEL: "Bill cancel",
        JournalEntry.SourceType.PAYMENT: "Jama",
        JournalEntry.SourceType.CREDIT: "Udhaar",
        JournalEntry.SourceType.OPENING_BALANCE: "Purana baaki",
        JournalEntry.SourceType.REVERSAL: "Sudhaar",
    },
    "hi": {
        JournalEntry.SourceType.INVOICE: "बिल",
        JournalEntry.SourceType.INVOICE_CANCEL: "बिल रद्द",
        JournalEntry.SourceType.PAYMENT: "जमा",
        JournalEntry.SourceType.CREDIT: "उधार",
        JournalEntry.SourceType.OPENING_BALANCE: "पुराना बाकी",
        JournalEntry.SourceType.REVERSAL: "सुधार",
    },
}

_TEXTS = {
    "en": {
        "greeting": "Hello {name},",
        "due": "A reminder from {shop}: you owe {amount}.",
        "recent": "Recent entries:",
        "upi": "Pay by UPI to {upi}: {link}",
    },
    "hinglish": {
        "greeting": "Namaste {name} ji,",
        "due": "{shop} se yaad dilana: aapka baaki {amount} hai.",
        "recent": "Pichhli entries:",
        "upi": "UPI se bhejein {upi} par: {link}",
    },
    "hi": {
        "greeting": "नमस्ते {name} जी,",
        "due": "{shop} की ओर से याद दिलाना: आपका बकाया {amount} है।",
        "recent": "पिछली एंट्री:",
        "upi": "UPI से भुगतान करें {upi} पर: {link}",
    },
}


@dataclass(frozen=True)
class EntryLine:
    date: datetime.date
    source_type: str
    reference: str
    amount: Decimal  # + what was added to the khata, − what was paid off


def recent_entries(
    *, business_id: int, customer_id: int, limit: int = RECENT_ENTRIES
) -> list[EntryLine]:
    """The customer's latest khata lines, newest first."""
    rows = (
        JournalLine.objects.filter(
            business_id=business_id,
            customer_id=customer_id,
            account__key=AccountKey.RECEIVABLES,
        )
        .order_by("-entry__date", "-entry_id", "-pk")
        .values_list("entry__date", "entry__source_type", "entry__reference", "debit", "credit")[
            :limit
        ]
    )
    return [
        EntryLine(date=date, source_type=source, reference=reference, amount=debit or -credit)
        for date, source, reference, debit, credit in rows
    ]


def upi_link(*, upi_id: str, payee: str, amount: Decimal, note: str = "") -> str:
    """A upi://pay link that opens any UPI app with the payee and amount filled in.

    `note` (tn: "Bill INV/26-27/0042") shows in the payer's app and the shop's statement.
    """
    params = {"pa": upi_id, "pn": payee, "am": f"{amount:.2f}", "cu": "INR"}
    if note:
        params["tn"] = note
    return f"upi://pay?{urlencode(params, quote_via=quote)}"


def _template_param(value: str) -> str:
    # WhatsApp refuses template parameters with newlines, tabs or 4+ spaces in a row (132018).
    return re.sub(r"\s+", " ", value).strip() or "-"


def free_text_window_open(
    *, last_inbound_message_at: datetime.datetime | None, now: datetime.datetime
) -> bool:
    """Whether the customer wrote to us recently enough for free text (WhatsApp's 24 h rule)."""
    last = last_inbound_message_at
    return last is not None and now - last < FREE_TEXT_WINDOW


def reminder_content(*, job: SendJob, amount: Decimal, now: datetime.datetime) -> ReminderContent:
    """The one message for this customer: total due, the last few entries, the shop's UPI id.

    Free text inside the 24 h window (unless WhatsApp already said 131047 for
    this reminder); otherwise the configured approved template, whose body
    parameters are name, shop, amount due and UPI id (the entries are only in
    the free text, so they are read only for it).
    """
    free_text = not job.needs_template and free_text_window_open(
        last_inbound_message_at=job.last_inbound_message_at, now=now
    )
    if not free_text:
        name = settings.WHATSAPP_TEMPLATE_NAME
        params = tuple(
            _template_param(value)
            for value in (job.customer_name, job.shop_name, rupees(amount), job.upi_id or "-")
        )
        return ReminderContent(
            kind=Reminder.Kind.TEMPLATE,
            text=f"{name}: " + " | ".join(params),
            template_name=name,
            template_language=settings.WHATSAPP_TEMPLATE_LANGUAGE,
            template_params=params,
        )
    language = job.language if job.language in _TEXTS else Language.HINGLISH
    words = _TEXTS[language]
    lines = [
        words["greeting"].format(name=job.customer_name),
        words["due"].format(shop=job.shop_name, amount=rupees(amount)),
    ]
    entries = recent_entries(business_id=job.business_id, customer_id=job.customer_id)
    if entries:
        lines.append(words["recent"])
        labels = _ENTRY_LABELS[language]
        for entry in entries:
            label = labels.get(entry.source_type, entry.source_type)
            if entry.reference:
                label = f"{label} {entry.reference}"
            lines.append(f"• {entry.date:%d %b}: {label} {rupees(entry.amount)}")
    if job.upi_id:
        link = upi_link(upi_id=job.upi_id, payee=job.shop_name, amount=amount)
        lines.append(words["upi"].format(upi=job.upi_id, link=link))
    if job.note:
        lines.append(job.note)
    return ReminderContent(kind=Reminder.Kind.TEXT, text="\n".join(lines))
