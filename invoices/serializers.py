"""API shapes for invoices. They check the shape of a body; invoices.services prices and posts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from customers.models import Customer
from execora.api.resources import DecimalStringField, TextField
from execora.api.serializers import ShopScopedPrimaryKeyRelatedField
from execora.money import MONEY_DIGITS, QUANTITY_DIGITS, ZERO
from invoices.models import Invoice, InvoiceItem
from invoices.services import (
    MAX_DESCRIPTION_LENGTH,
    MAX_ITEMS,
    MAX_NOTES_LENGTH,
    MAX_REASON_LENGTH,
)
from ledger.models import PaymentMode
from products.models import Product, Unit

# Ids are bigints in the database; a larger number is no id of ours.
MAX_ID = 2**63 - 1


class InvoiceItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceItem
        fields = [
            "line_no",
            "product",
            "description",
            "hsn_code",
            "quantity",
            "unit",
            "unit_price",
            "price_includes_tax",
            "discount",
            "gst_rate",
            "taxable_value",
            "cgst",
            "sgst",
            "igst",
            "line_total",
        ]
        read_only_fields = fields


_SUMMARY_FIELDS = [
    "id",
    "number",
    "invoice_date",
    "status",
    "customer",
    "customer_name",
    "place_of_supply",
    "is_interstate",
    "subtotal",
    "discount_total",
    "taxable_total",
    "cgst_total",
    "sgst_total",
    "igst_total",
    "tax_total",
    "round_off",
    "grand_total",
    "amount_paid",
    "payment_mode",
    "amount_due",
    "notes",
    "journal_entry",
    "cancel_entry",
    "cancelled_at",
    "cancel_reason",
    "created_by",
    "created_at",
]


class InvoiceSummarySerializer(serializers.ModelSerializer):
    """An invoice without its lines (lists)."""

    customer_name = serializers.CharField(
        source="customer.name", read_only=True, allow_null=True, help_text="null: walk-in sale."
    )
    # Declared so the schema says "" may come back (DRF drops allow_blank on read-only fields).
    payment_mode = serializers.ChoiceField(
        choices=PaymentMode.choices,
        allow_blank=True,
        read_only=True,
        help_text="How the counter payment was made; empty when nothing was paid.",
    )

    class Meta:
        model = Invoice
        fields = _SUMMARY_FIELDS
        read_only_fields = fields


class InvoiceSerializer(InvoiceSummarySerializer):
    """An invoice with its lines."""

    items = InvoiceItemSerializer(many=True, read_only=True)

    class Meta(InvoiceSummarySerializer.Meta):
        fields = [*_SUMMARY_FIELDS, "items"]
        read_only_fields = fields


class InvoiceItemInputSerializer(serializers.Serializer):
    """One line: a catalogue `product` (its price, unit and GST are the defaults) or a
    free-text line (`description` and `unit_price`)."""

    product = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="A product of your shop; omit for a free-text line.",
    )
    description = TextField(
        max_length=MAX_DESCRIPTION_LENGTH,
        required=False,
        allow_blank=True,
        help_text="Required for a free-text line; default the product's name.",
    )
    quantity = DecimalStringField(**QUANTITY_DIGITS, min_value=Decimal("0.001"))
    unit = serializers.ChoiceField(
        choices=Unit.choices, required=False, help_text="Must be the product's unit if given."
    )
    unit_price = DecimalStringField(
        **MONEY_DIGITS,
        min_value=ZERO,
        required=False,
        help_text="Default the product's selling price.",
    )
    discount = DecimalStringField(
        **MONEY_DIGITS, min_value=ZERO, required=False, help_text="Rupees off this line."
    )
    gst_rate = DecimalStringField(
        max_digits=4,
        decimal_places=2,
        min_value=ZERO,
        required=False,
        help_text="0, 5, 12, 18 or 28; default the product's (free text: 0).",
    )
    hsn_code = TextField(max_length=8, required=False, allow_blank=True)
    price_includes_tax = serializers.BooleanField(required=False)


class InvoiceCreateSerializer(serializers.Serializer):
    customer = ShopScopedPrimaryKeyRelatedField(
        queryset=Customer.objects.all(),
        required=False,
        allow_null=True,
        help_text="Whose khata the unpaid part goes on; omit for a walk-in sale (paid in full).",
    )
    items = InvoiceItemInputSerializer(many=True, min_length=1, max_length=MAX_ITEMS)
    amount_paid = DecimalStringField(
        **MONEY_DIGITS,
        min_value=ZERO,
        required=False,
        default=ZERO,
        help_text="Paid at the counter (0 to the total); the rest goes on the khata.",
    )
    payment_mode = serializers.ChoiceField(choices=PaymentMode.choices, default=PaymentMode.CASH)
    invoice_date = serializers.DateField(
        required=False, help_text="Default today (shop time); not in the future."
    )
    notes = TextField(max_length=MAX_NOTES_LENGTH, required=False, allow_blank=True, default="")

    def validate_items(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # Every product id checked against the caller's shop in one query (a
        # PrimaryKeyRelatedField per line would be one query per line).
        wanted = {item["product"] for item in items if item.get("product") is not None}
        if wanted:
            business = self.context.get("business")
            found = set(
                Product.objects.filter(business=business, pk__in=wanted).values_list(
                    "pk", flat=True
                )
            )
            if wanted - found:
                raise serializers.ValidationError(
                    [
                        {"product": [f"No product with id {item['product']} in this shop."]}
                        if item.get("product") is not None and item["product"] not in found
                        else {}
                        for item in items
                    ]
                )
        return items


class InvoiceCancelSerializer(serializers.Serializer):
    reason = TextField(
        max_length=MAX_REASON_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why; kept on the invoice.",
    )
