"""Payment reminders (an outbox the dispatcher works through) and the WhatsApp messages they become.

The database is the source of truth for what must be sent: a Reminder row is
written in the transaction that asked for it, and moves through its statuses
only by conditional UPDATEs (see reminders.services and docs/reminders.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from execora.models import Business
from execora.money import MONEY_DIGITS


class Reminder(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CLAIMED = "claimed", _("Claimed")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        READ = "read", _("Read")
        FAILED = "failed", _("Failed")
        # The request may have reached WhatsApp but we never heard back.
        UNKNOWN = "unknown", _("Unknown")
        CANCELLED = "cancelled", _("Cancelled")
        # Nothing was due at send time: no message, and a recurrence ends.
        SKIPPED = "skipped", _("Skipped")

    class Recurrence(models.TextChoices):
        NONE = "none", _("Once")
        DAILY = "daily", _("Daily until paid")
        WEEKLY = "weekly", _("Weekly until paid")

    class Source(models.TextChoices):
        VOICE = "voice", _("Voice")
        API = "api", _("API")
        ADMIN = "admin", _("Admin")
        SYSTEM = "system", _("Recurrence")

    class Kind(models.TextChoices):
        TEXT = "text", _("Free text (inside 24 h)")
        TEMPLATE = "template", _("Approved template")

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="reminders")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="reminders")
    # Empty: the customer's whole due at send time; else at most this much.
    amount = models.DecimalField(**MONEY_DIGITS, null=True, blank=True)
    message = models.TextField(blank=True, help_text=_("A note added to the message."))
    scheduled_at = models.DateTimeField(help_text=_("When the shop asked for it to go."))
    # When the dispatcher may next pick it up: scheduled_at, moved on by quiet
    # hours, pacing and retry backoff.
    next_attempt_at = models.DateTimeField()
    recurrence = models.CharField(max_length=10, choices=Recurrence.choices, default="none")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    # HTTP requests made for it; capped by REMINDER_MAX_ATTEMPTS in the claiming UPDATE.
    attempts = models.PositiveSmallIntegerField(default=0)
    # A claimed or sending row whose lease has run out was abandoned by its worker.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    last_error_code = models.CharField(max_length=40, blank=True)
    last_error = models.TextField(blank=True)
    # Set after WhatsApp said 131047 (outside the 24 h window): only the template may go.
    needs_template = models.BooleanField(default=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, blank=True)
    amount_sent = models.DecimalField(**MONEY_DIGITS, null=True, blank=True, editable=False)
    wamid = models.CharField("WhatsApp message id", max_length=128, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    # The occurrence this one follows in a daily/weekly chain (one successor each).
    previous = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="next_occurrence"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.API)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-scheduled_at", "-pk"]
        indexes = [
            models.Index(fields=["business", "status"]),
            models.Index(fields=["business", "customer"]),
            # The dispatcher's two queries: due rows, and rows whose lease ran out.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["scheduled", "unknown"]),
                name="reminder_due_idx",
            ),
            models.Index(
                fields=["lease_expires_at"],
                condition=Q(status__in=["claimed", "sending"]),
                name="reminder_lease_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0),
                name="reminder_amount_positive",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["claimed", "sending"]) | Q(lease_expires_at__isnull=False),
                name="reminder_in_flight_has_lease",
            ),
        ]

    def __str__(self) -> str:
        return f"Reminder #{self.pk} to {self.customer} ({self.status})"


class WhatsAppMessage(models.Model):
    """One message to or from a customer, with WhatsApp's id (wamid) and its status history."""

    class Direction(models.TextChoices):
        OUTGOING = "out", _("Outgoing")
        INCOMING = "in", _("Incoming")

    class Status(models.TextChoices):
        # Written with the request to send (a document); a worker sends it after the commit.
        PENDING = "pending", _("Waiting to send")
        ACCEPTED = "accepted", _("Accepted by WhatsApp")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        READ = "read", _("Read")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Unknown")
        RECEIVED = "received", _("Received")

    business = models.ForeignKey(
        Business, on_delete=models.PROTECT, related_name="whatsapp_messages"
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="whatsapp_messages",
    )
    reminder = models.ForeignKey(
        Reminder, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    # text, template, document for ours; whatever type the customer sent for theirs.
    kind = models.CharField(max_length=20)
    # The customer's WhatsApp id (country code + number, e.g. 919876543210).
    wa_id = models.CharField(max_length=20)
    body = models.TextField(blank=True)
    template_name = models.CharField(max_length=100, blank=True)
    template_language = models.CharField(max_length=10, blank=True)
    # Empty when the request failed before WhatsApp gave the message an id.
    wamid = models.CharField(max_length=128, null=True, blank=True, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    attempt = models.PositiveSmallIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_title = models.CharField(max_length=255, blank=True)
    error_details = models.TextField(blank=True)
    # Every status change applied: [{"status", "at" (WhatsApp's time), "received_at", ...}].
    status_history = models.JSONField(default=list, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("WhatsApp message")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["business", "created_at"]),
            models.Index(fields=["reminder", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.kind} {self.wamid or '(no id)'}"


class ReminderPolicy(models.Model):
    """A shop's own hours for reminders; without one the REMINDER_SEND_WINDOW setting applies."""

    business = models.OneToOneField(
        Business, on_delete=models.CASCADE, related_name="reminder_policy"
    )
    send_from = models.TimeField(help_text=_("Earliest shop time a reminder may go, e.g. 09:00."))
    send_until = models.TimeField(help_text=_("Reminders due after this wait for the morning."))

    class Meta:
        verbose_name = _("reminder hours")
        verbose_name_plural = _("reminder hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(send_from__lt=models.F("send_until")),
                name="reminder_policy_window_order",
                violation_error_message=_("The window must start before it ends."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.business}: {self.send_from:%H:%M}–{self.send_until:%H:%M}"


class SendPacing(models.Model):
    """The next free instant for one pacing key, shared by every worker.

    `number:<phone number id>` spaces all sends by 1/WHATSAPP_MESSAGES_PER_SECOND;
    `to:<wa_id>` keeps one message per WHATSAPP_RECIPIENT_INTERVAL_SECONDS to a
    person. Times are epoch microseconds so one upsert does the arithmetic on
    PostgreSQL and SQLite alike; `holder` is the reminder that reserved a
    recipient slot, so a redelivered task for the same reminder is not blocked
    by its own reservation.
    """

    key = models.CharField(max_length=80, primary_key=True)
    next_us = models.BigIntegerField()
    holder = models.BigIntegerField(default=0)

    class Meta:
        verbose_name_plural = _("send pacing")

    def __str__(self) -> str:
        return self.key
