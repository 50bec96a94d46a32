"""What a shop sells (Product) and every change to how much it holds (StockMovement)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from execora.append_only import AppendOnlyModel
from execora.models import Business
from execora.money import MONEY_DIGITS, QUANTITY_DIGITS

HSN_PATTERN = r"^([0-9]{4}|[0-9]{6}|[0-9]{8})$"
GST_RATES = (Decimal("0"), Decimal("5"), Decimal("12"), Decimal("18"), Decimal("28"))


class Unit(models.TextChoices):
    KG = "kg", _("kg")
    G = "g", _("gram")
    L = "l", _("litre")
    ML = "ml", _("ml")
    PCS = "pcs", _("pieces")
    DOZEN = "dozen", _("dozen")
    PACKET = "packet", _("packet")
    BOX = "box", _("box")
    BAG = "bag", _("bag")


class Product(models.Model):
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=120)
    # Other ways the shopkeeper says it ("cheeni", "चीनी", "shakkar").
    aliases = models.JSONField(default=list, blank=True)
    sku = models.CharField("SKU", max_length=40, blank=True)
    hsn_code = models.CharField(
        "HSN code",
        max_length=8,
        blank=True,
        validators=[RegexValidator(HSN_PATTERN, _("HSN codes have 4, 6 or 8 digits."))],
    )
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.PCS)
    selling_price = models.DecimalField(
        **MONEY_DIGITS, validators=[MinValueValidator(0)], help_text=_("Price of one unit.")
    )
    # Kirana prices are MRP: the GST is inside the printed price.
    price_includes_tax = models.BooleanField(default=True)
    gst_rate = models.DecimalField(
        "GST rate (%)",
        max_digits=4,
        decimal_places=2,
        default=Decimal("0"),
        choices=[(rate, f"{rate}%") for rate in GST_RATES],
    )
    # A cache of the sum of this product's movements, changed only by products.services.
    stock_quantity = models.DecimalField(**QUANTITY_DIGITS, default=0, editable=False)
    low_stock_level = models.DecimalField(
        **QUANTITY_DIGITS,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Warn when stock falls to this level; empty means never."),
    )
    allow_negative_stock = models.BooleanField(
        default=False, help_text=_("Allow selling more than the recorded stock.")
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["business", "name"])]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "business",
                name="product_unique_name_per_shop",
                violation_error_message=_("This shop already has a product with this name."),
            ),
            models.UniqueConstraint(
                fields=["business", "sku"],
                condition=~Q(sku=""),
                name="product_unique_sku_per_shop",
                violation_error_message=_("Another product of this shop has this SKU."),
            ),
            models.CheckConstraint(
                condition=Q(selling_price__gte=0), name="product_price_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(gst_rate__in=GST_RATES),
                name="product_gst_rate_valid",
                violation_error_message=_("GST rate must be 0, 5, 12, 18 or 28%."),
            ),
            models.CheckConstraint(
                condition=Q(hsn_code="") | Q(hsn_code__regex=HSN_PATTERN),
                name="product_hsn_code_shape",
            ),
            models.CheckConstraint(
                condition=Q(low_stock_level__isnull=True) | Q(low_stock_level__gte=0),
                name="product_low_stock_level_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(allow_negative_stock=True) | Q(stock_quantity__gte=0),
                name="product_stock_non_negative",
                violation_error_message=_("Stock cannot go below zero for this product."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StockMovement(AppendOnlyModel):
    """One change to a product's stock. Append-only: the product's history."""

    class Kind(models.TextChoices):
        OPENING = "opening", _("Opening stock")
        SALE = "sale", _("Sale")
        PURCHASE = "purchase", _("Purchase")
        ADJUSTMENT = "adjustment", _("Adjustment")
        RETURN = "return", _("Customer return")
        CANCELLATION = "cancellation", _("Invoice cancelled")

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="stock_movements")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Signed: negative takes stock out, positive puts it in.
    quantity = models.DecimalField(**QUANTITY_DIGITS)
    stock_after = models.DecimalField(**QUANTITY_DIGITS)
    reference = models.CharField(max_length=64, blank=True, help_text=_("e.g. the invoice number"))
    source_type = models.CharField(max_length=30, blank=True)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    note = models.CharField(max_length=255, blank=True)
    # PROTECT: history keeps who wrote it; deactivate a user rather than deleting them.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["product", "created_at"]),
            models.Index(fields=["business", "source_type", "source_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(quantity=0), name="stock_movement_quantity_non_zero"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity} {self.product_id}"
