"""API shapes for reminders and WhatsApp messages. They parse and present; services decide."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from customers.models import Customer
from execora.api.serializers import ShopScopedPrimaryKeyRelatedField
from execora.money import MONEY_DIGITS
from reminders.models import Reminder, WhatsAppMessage
from reminders.services import MAX_NOTE


class ReminderSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = Reminder
        fields = [
            "id",
            "customer",
            "customer_name",
            "amount",
            "message",
            "scheduled_at",
            "next_attempt_at",
            "recurrence",
            "status",
            "attempts",
            "last_error_code",
            "last_error",
            "kind",
            "amount_sent",
            "wamid",
            "sent_at",
            "status_changed_at",
            "source",
            "created_by",
            "previous",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "amount": {"help_text": "At most this much is asked for; null: the whole due."},
            "next_attempt_at": {
                "help_text": "When it will next be tried: the scheduled time moved on by "
                "quiet hours, pacing or a retry."
            },
            "last_error": {"help_text": "Why it failed, was skipped, or is being retried."},
        }


class ReminderCreateSerializer(serializers.Serializer):
    customer = ShopScopedPrimaryKeyRelatedField(queryset=Customer.objects.all())
    scheduled_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="When to send (ISO 8601 with a time zone); omitted or null: now. "
        "Inside the shop's quiet hours it waits for the morning.",
    )
    amount = serializers.DecimalField(
        **MONEY_DIGITS,
        required=False,
        allow_null=True,
        min_value=Decimal("0.01"),
        help_text='Ask for at most this much, e.g. "500.00"; omitted: the whole due at send time.',
    )
    message = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_NOTE, default=""
    )
    recurrence = serializers.ChoiceField(
        choices=Reminder.Recurrence.choices,
        default=Reminder.Recurrence.NONE,
        help_text="daily or weekly repeat until nothing is due.",
    )


class ReminderRescheduleSerializer(serializers.Serializer):
    scheduled_at = serializers.DateTimeField(
        help_text="The new time (ISO 8601 with a time zone). A failed or skipped reminder "
        "is tried again then."
    )


class WhatsAppMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = WhatsAppMessage
        fields = [
            "id",
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
            "status_history",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
