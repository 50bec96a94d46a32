"""API shapes for the books: journal entries, payments, udhaar, a customer's statement.

They check the shape of a body; ledger.services decides and posts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from customers.models import Customer
from execora.api.resources import DecimalStringField, TextField
from execora.api.serializers import ShopScopedPrimaryKeyRelatedField
from execora.money import MONEY_DIGITS
from ledger.models import JournalEntry, JournalLine, Payment, PaymentMode

PAISA = Decimal("0.01")
MEMO_MAX = JournalEntry._meta.get_field("memo").max_length
REFERENCE_MAX = Payment._meta.get_field("reference").max_length
NOTE_MAX = Payment._meta.get_field("note").max_length


class JournalLineSerializer(serializers.ModelSerializer):
    account = serializers.CharField(source="account.key", read_only=True, help_text="Account key.")
    account_name = serializers.CharField(source="account.name", read_only=True)

    class Meta:
        model = JournalLine
        fields = ["id", "account", "account_name", "customer", "debit", "credit", "memo"]
        read_only_fields = fields


class JournalEntrySerializer(serializers.ModelSerializer):
    lines = JournalLineSerializer(many=True, read_only=True)
    reversed_by = serializers.SerializerMethodField(
        help_text="The entry that reversed this one, if any."
    )

    class Meta:
        model = JournalEntry
        fields = [
            "id",
            "date",
            "source_type",
            "source_id",
            "reference",
            "memo",
            "reverses",
            "reversed_by",
            "created_by",
            "created_at",
            "lines",
        ]
        read_only_fields = fields

    def get_reversed_by(self, entry: JournalEntry) -> int | None:
        try:
            return entry.reversed_by.pk
        except JournalEntry.DoesNotExist:
            return None


class EntryReverseSerializer(serializers.Serializer):
    reason = TextField(
        max_length=MEMO_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why; becomes the reversing entry's memo.",
    )


class KhataPostingSerializer(serializers.Serializer):
    """What a khata posting answers: the entry and the customer's balance after it."""

    entry = JournalEntrySerializer()
    balance = serializers.DecimalField(**MONEY_DIGITS, help_text="What the customer owes now.")


class PaymentSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    reversed = serializers.SerializerMethodField(
        help_text="Its journal entry has been reversed (the payment no longer counts)."
    )

    class Meta:
        model = Payment
        fields = [
            "id",
            "customer",
            "customer_name",
            "amount",
            "mode",
            "reference",
            "received_at",
            "note",
            "journal_entry",
            "reversed",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_reversed(self, payment: Payment) -> bool:
        try:
            payment.journal_entry.reversed_by  # noqa: B018 - the reverse one-to-one or DoesNotExist
        except JournalEntry.DoesNotExist:
            return False
        return True


class PaymentCreateSerializer(serializers.Serializer):
    customer = ShopScopedPrimaryKeyRelatedField(queryset=Customer.objects.all())
    amount = DecimalStringField(**MONEY_DIGITS, min_value=PAISA, help_text="Rupees received.")
    mode = serializers.ChoiceField(choices=PaymentMode.choices, default=PaymentMode.CASH)
    reference = TextField(
        max_length=REFERENCE_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="UPI reference, cheque number.",
    )
    received_at = serializers.DateTimeField(
        required=False, help_text="When it was paid (ISO 8601); default now."
    )
    note = TextField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


class CreditSerializer(serializers.Serializer):
    amount = DecimalStringField(
        **MONEY_DIGITS, min_value=PAISA, help_text="Rupees given on credit (udhaar)."
    )
    note = TextField(
        max_length=MEMO_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text='What it was for ("2 kg sugar, 1 l oil").',
    )


class OpeningBalanceSerializer(serializers.Serializer):
    amount = DecimalStringField(
        **MONEY_DIGITS,
        help_text="What the customer owed before Execora; negative for an advance they "
        "had paid. Not zero.",
    )


class StatementQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField(
        required=False, help_text="First day (inclusive); the opening balance is before it."
    )
    date_to = serializers.DateField(required=False, help_text="Last day (inclusive).")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError({"date_to": ["Must not be before date_from."]})
        return attrs


class StatementRowSerializer(serializers.Serializer):
    date = serializers.DateField()
    entry_id = serializers.IntegerField(help_text="The journal entry (ledger-entries/{id}/).")
    source_type = serializers.ChoiceField(choices=JournalEntry.SourceType.choices)
    reference = serializers.CharField(help_text="Invoice number, UPI reference…")
    memo = serializers.CharField()
    debit = serializers.DecimalField(**MONEY_DIGITS, help_text="Added to what they owe.")
    credit = serializers.DecimalField(**MONEY_DIGITS, help_text="Taken off what they owe.")
    balance = serializers.DecimalField(**MONEY_DIGITS, help_text="What they owe after this row.")


class StatementCustomerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class StatementSerializer(serializers.Serializer):
    customer = StatementCustomerSerializer()
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)
    opening_balance = serializers.DecimalField(
        **MONEY_DIGITS, help_text="What they owed before date_from."
    )
    rows = StatementRowSerializer(many=True)
    closing_balance = serializers.DecimalField(
        **MONEY_DIGITS, help_text="What they owed at the end of date_to."
    )
