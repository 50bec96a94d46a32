"""API shapes for products and stock. They check the shape of a body; products.services decides."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from execora.api.resources import DecimalStringField, TextField
from execora.money import MONEY_DIGITS, QUANTITY_DIGITS
from products.models import Product, StockMovement, Unit
from products.services import ADJUST_KINDS

NAME_MAX = Product._meta.get_field("name").max_length
MAX_ALIASES = 20
NOTE_MAX = StockMovement._meta.get_field("note").max_length
GST_RATE_HELP = "GST rate in percent: 0, 5, 12, 18 or 28."
STOCK_READ_ONLY = (
    "Stock changes only through stock movements: POST /api/v1/products/{id}/adjust-stock/ "
    "(or opening_stock when creating the product)."
)


class ProductSerializer(serializers.ModelSerializer):
    aliases = serializers.ListField(child=serializers.CharField(), read_only=True)
    # A DecimalField with choices would become a ChoiceField, rendered as a JSON float.
    gst_rate = serializers.DecimalField(
        max_digits=4, decimal_places=2, read_only=True, help_text=GST_RATE_HELP
    )
    is_low_stock = serializers.SerializerMethodField(
        help_text="Stock is at or below low_stock_level."
    )

    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "aliases",
            "sku",
            "hsn_code",
            "unit",
            "selling_price",
            "price_includes_tax",
            "gst_rate",
            "stock_quantity",
            "low_stock_level",
            "is_low_stock",
            "allow_negative_stock",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_is_low_stock(self, product: Product) -> bool:
        level = product.low_stock_level
        return level is not None and product.stock_quantity <= level


class _ProductWriteSerializer(serializers.Serializer):
    name = TextField(max_length=NAME_MAX)
    aliases = serializers.ListField(
        child=TextField(max_length=NAME_MAX),
        max_length=MAX_ALIASES,
        required=False,
        help_text='Other ways the shopkeeper says it ("cheeni", "चीनी").',
    )
    sku = TextField(
        max_length=Product._meta.get_field("sku").max_length, required=False, allow_blank=True
    )
    hsn_code = TextField(
        max_length=8, required=False, allow_blank=True, help_text="4, 6 or 8 digits."
    )
    unit = serializers.ChoiceField(choices=Unit.choices)
    selling_price = DecimalStringField(
        **MONEY_DIGITS, min_value=Decimal("0"), help_text="Price of one unit."
    )
    price_includes_tax = serializers.BooleanField(
        required=False, help_text="The price is MRP with GST inside (kirana default)."
    )
    gst_rate = DecimalStringField(
        max_digits=4, decimal_places=2, min_value=Decimal("0"), help_text=GST_RATE_HELP
    )
    low_stock_level = DecimalStringField(
        **QUANTITY_DIGITS,
        min_value=Decimal("0"),
        required=False,
        allow_null=True,
        help_text="Warn when stock falls to this level; null means never.",
    )
    allow_negative_stock = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # DRF would silently drop a read-only field; a client must learn it did nothing.
        if "stock_quantity" in self.initial_data:
            raise serializers.ValidationError({"stock_quantity": [STOCK_READ_ONLY]})
        return attrs


class ProductCreateSerializer(_ProductWriteSerializer):
    opening_stock = DecimalStringField(
        **QUANTITY_DIGITS,
        min_value=Decimal("0"),
        required=False,
        help_text="Stock on hand now; posted as an `opening` stock movement.",
    )


class ProductUpdateSerializer(_ProductWriteSerializer):
    """PATCH: any subset of the fields."""

    is_active = serializers.BooleanField(
        required=False, help_text="false hides it from lists and search; history stays."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


class StockAdjustSerializer(serializers.Serializer):
    change = DecimalStringField(
        **QUANTITY_DIGITS,
        help_text="Signed quantity in the product's unit: positive puts stock in, negative "
        "takes it out. A purchase or return must be positive.",
    )
    kind = serializers.ChoiceField(
        choices=[(kind.value, kind.label) for kind in ADJUST_KINDS],
        default=StockMovement.Kind.ADJUSTMENT,
        help_text="purchase (stock bought), return (a customer brought it back) or "
        "adjustment (a count, breakage; either sign).",
    )
    note = TextField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


class StockMovementSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockMovement
        fields = [
            "id",
            "product",
            "kind",
            "quantity",
            "stock_after",
            "reference",
            "note",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields
