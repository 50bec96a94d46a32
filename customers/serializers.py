"""API shapes for customers. They check the shape of a body; customers.services decides."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from customers.models import Customer
from execora.api.resources import DecimalStringField, TextField
from execora.models import Language
from execora.money import MONEY_DIGITS

NAME_MAX = Customer._meta.get_field("name").max_length
MAX_ALIASES = 20
# Room for "+91 98765-43210"; customers.services normalises and validates it.
PHONE_MAX = 20
ADDRESS_MAX = 500

BALANCE_READ_ONLY = (
    "The balance changes only through khata entries (invoices, payments, udhaar). "
    "Set what a new customer already owed with POST /api/v1/customers/{id}/opening-balance/."
)


class CustomerSerializer(serializers.ModelSerializer):
    aliases = serializers.ListField(child=serializers.CharField(), read_only=True)
    # Declared so the schema says "" may come back (DRF drops allow_blank on read-only fields).
    preferred_language = serializers.ChoiceField(
        choices=Language.choices, allow_blank=True, read_only=True
    )
    balance = serializers.DecimalField(
        **MONEY_DIGITS,
        read_only=True,
        help_text="What the customer owes the shop (negative: paid in advance). "
        "The sum of their khata; read-only.",
    )

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "phone",
            "aliases",
            "address",
            "gstin",
            "state_code",
            "credit_limit",
            "preferred_language",
            "balance",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class _CustomerWriteSerializer(serializers.Serializer):
    """The editable fields; customers.services strips, normalises and validates their values."""

    name = TextField(max_length=NAME_MAX)
    phone = TextField(
        max_length=PHONE_MAX,
        required=False,
        allow_blank=True,
        help_text='10-digit Indian mobile; "+91 98765-43210" is normalised to "9876543210".',
    )
    aliases = serializers.ListField(
        child=TextField(max_length=NAME_MAX),
        max_length=MAX_ALIASES,
        required=False,
        help_text='Other ways the shopkeeper says the name ("Ramesh bhaiya", "रमेश").',
    )
    address = TextField(max_length=ADDRESS_MAX, required=False, allow_blank=True)
    gstin = TextField(
        max_length=20, required=False, allow_blank=True, help_text="15-character GSTIN."
    )
    state_code = TextField(
        max_length=2,
        required=False,
        allow_blank=True,
        help_text="GST state code of a registered buyer; taken from the GSTIN when empty.",
    )
    credit_limit = DecimalStringField(
        **MONEY_DIGITS,
        min_value=Decimal("0"),
        required=False,
        allow_null=True,
        help_text="Most this customer may owe; null means no limit.",
    )
    preferred_language = serializers.ChoiceField(
        choices=Language.choices, required=False, allow_blank=True
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A read-only field DRF would silently drop: say so, or the client thinks it worked.
        if "balance" in self.initial_data:
            raise serializers.ValidationError({"balance": [BALANCE_READ_ONLY]})
        return attrs


class CustomerCreateSerializer(_CustomerWriteSerializer):
    pass


class CustomerUpdateSerializer(_CustomerWriteSerializer):
    """PATCH: any subset of the fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)
