"""Reminders in the back office: status filters, each reminder's message timeline, send now, cancel.

Rows change only through reminders.services: the add form calls
`reminder_schedule` (source "admin"), editing the time calls
`reminder_reschedule`, and the two operations call `reminder_send_now` and
`reminder_cancel`. WhatsApp messages are history and are shown read-only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html_join

from execora.admin_forms import BooksAdmin, Operation, OperationsAdminMixin, ServiceFormAdminMixin
from execora.admin_scoping import ReadOnlyAdminMixin, ShopScopedInline
from reminders.models import Reminder, ReminderPolicy, WhatsAppMessage
from reminders.services import (
    reminder_cancel,
    reminder_reschedule,
    reminder_schedule,
    reminder_send_now,
)

_PENDING = (Reminder.Status.SCHEDULED, Reminder.Status.FAILED, Reminder.Status.SKIPPED)


def _history(message: WhatsAppMessage) -> str:
    rows = [
        (
            entry.get("status", ""),
            entry.get("at", "")[:19].replace("T", " "),
            entry.get("error_code", "") and f" ({entry['error_code']})",
        )
        for entry in message.status_history
        if isinstance(entry, dict)
    ]
    return format_html_join(" → ", "{} <small>{}{}</small>", rows) or "—"


class MessageTimelineInline(ReadOnlyAdminMixin, ShopScopedInline):
    """Every message sent for the reminder, oldest first, with what WhatsApp said about it."""

    model = WhatsAppMessage
    fk_name = "reminder"
    extra = 0
    ordering = ["created_at", "pk"]
    verbose_name = "message"
    verbose_name_plural = "message timeline"
    fields = ["created_at", "attempt", "kind", "wamid", "status", "error", "history"]
    readonly_fields = fields

    @admin.display(description="error")
    def error(self, message: WhatsAppMessage) -> str:
        if not message.error_code:
            return "—"
        return f"{message.error_code}: {message.error_title}"

    @admin.display(description="status history")
    def history(self, message: WhatsAppMessage) -> str:
        return _history(message)


class ReminderForm(forms.ModelForm):
    class Meta:
        model = Reminder
        fields = ["customer", "scheduled_at", "amount", "message", "recurrence"]
        help_texts = {
            "amount": "Leave empty to ask for the whole due at send time.",
            "scheduled_at": "Shop time. Inside quiet hours it waits for the morning.",
        }


def _is_pending(reminder: Reminder) -> bool:
    return reminder.status in _PENDING


def _can_cancel(reminder: Reminder) -> bool:
    return reminder.status in (
        Reminder.Status.SCHEDULED,
        Reminder.Status.CLAIMED,
        Reminder.Status.UNKNOWN,
        Reminder.Status.FAILED,
    )


@admin.register(Reminder)
class ReminderAdmin(ServiceFormAdminMixin, OperationsAdminMixin, BooksAdmin):
    form = ReminderForm
    list_display = [
        "id",
        "customer",
        "status",
        "scheduled_at",
        "next_attempt_at",
        "attempts",
        "error_display",
        "recurrence",
        "source",
    ]
    list_filter = ["status", "recurrence", "source", "kind", "scheduled_at"]
    search_fields = ["customer__name", "customer__phone", "wamid"]
    list_select_related = ["customer"]
    ordering = ["-scheduled_at", "-pk"]
    date_hierarchy = "scheduled_at"
    inlines = [MessageTimelineInline]
    operations = (
        Operation(
            name="send_now",
            label="Send selected reminders now",
            button_label="Send now",
            applies_to=_is_pending,
            intro="They go at the next dispatch (within seconds), unless it is the shop's "
            "quiet hours, when they wait for the morning. A failed or skipped reminder "
            "is tried again from its first attempt.",
            submit_label="Send now",
        ),
        Operation(
            name="cancel",
            label="Cancel selected reminders",
            button_label="Cancel reminder",
            applies_to=_can_cancel,
            intro="A cancelled reminder is not sent, and a daily or weekly one stops.",
            submit_label="Cancel reminders",
        ),
    )
    _READ_ONLY = [
        "business",
        "customer",
        "amount",
        "message",
        "recurrence",
        "status",
        "next_attempt_at",
        "attempts",
        "lease_expires_at",
        "last_error_code",
        "last_error",
        "needs_template",
        "kind",
        "amount_sent",
        "wamid",
        "sent_at",
        "status_changed_at",
        "previous",
        "source",
        "created_by",
        "created_at",
        "updated_at",
    ]

    @admin.display(description="last error", ordering="last_error_code")
    def error_display(self, reminder: Reminder) -> str:
        return reminder.last_error_code or "—"

    def get_inlines(self, request: HttpRequest, obj: Reminder | None = None) -> list:
        return [] if obj is None else self.inlines  # a new reminder has no messages yet

    def get_fields(self, request: HttpRequest, obj: Reminder | None = None) -> list[str]:
        if obj is None:
            return list(ReminderForm.Meta.fields)
        return ["scheduled_at", *self._READ_ONLY]

    def get_readonly_fields(self, request: HttpRequest, obj: Reminder | None = None) -> list[str]:
        if obj is None:
            return []
        if obj.status in _PENDING:
            return self._READ_ONLY  # only the time may change: a reschedule
        return ["scheduled_at", *self._READ_ONLY]

    def has_delete_permission(self, request: HttpRequest, obj: Reminder | None = None) -> bool:
        return False  # cancel instead: the row is the record of what was asked

    def service_save(
        self, *, request: HttpRequest, obj: Reminder, form: forms.ModelForm, change: bool
    ) -> models.Model:
        data: dict[str, Any] = form.cleaned_data
        if change:
            return reminder_reschedule(
                business=obj.business,
                reminder_id=obj.pk,
                when=data["scheduled_at"],
                user=request.user,
            )
        customer = data["customer"]
        return reminder_schedule(
            business=customer.business,
            customer_id=customer.pk,
            when=data["scheduled_at"],
            amount=data.get("amount"),
            message=data.get("message") or "",
            recurrence=data["recurrence"],
            source=Reminder.Source.ADMIN,
            user=request.user,
        )

    def perform_send_now(self, request: HttpRequest, reminder: Reminder, data: dict) -> str:
        reminder = reminder_send_now(
            business=reminder.business, reminder_id=reminder.pk, user=request.user
        )
        if reminder.next_attempt_at > timezone.now():
            when = timezone.localtime(reminder.next_attempt_at).strftime("%d %b %H:%M")
            return f"{reminder}: quiet hours now, it goes at {when}."
        return f"{reminder}: goes at the next dispatch."

    def perform_cancel(self, request: HttpRequest, reminder: Reminder, data: dict) -> str:
        reminder = reminder_cancel(
            business=reminder.business, reminder_id=reminder.pk, user=request.user
        )
        return f"Reminder #{reminder.pk} to {reminder.customer} cancelled."


@admin.register(WhatsAppMessage)
class WhatsAppMessageAdmin(ReadOnlyAdminMixin, BooksAdmin):
    list_display = [
        "created_at",
        "direction",
        "kind",
        "customer",
        "reminder",
        "status",
        "error_code",
        "wamid",
    ]
    list_filter = ["direction", "status", "kind", "created_at"]
    search_fields = ["wamid", "customer__name", "wa_id", "body"]
    list_select_related = ["customer"]
    ordering = ["-created_at", "-pk"]
    date_hierarchy = "created_at"
    readonly_fields = ["history"]

    @admin.display(description="status history")
    def history(self, message: WhatsAppMessage) -> str:
        return _history(message)

    def get_fields(self, request: HttpRequest, obj: WhatsAppMessage | None = None) -> list[str]:
        return [
            "business",
            "direction",
            "kind",
            "customer",
            "reminder",
            "wa_id",
            "body",
            "template_name",
            "template_language",
            "wamid",
            "status",
            "attempt",
            "error_code",
            "error_title",
            "error_details",
            "history",
            "created_at",
        ]


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(BooksAdmin):
    """A shop's own hours for reminders (REMINDER_SEND_WINDOW applies without one)."""

    list_display = ["business", "send_from", "send_until"]
