"""Reads for products and stock."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Round

from execora.exceptions import NotFound
from execora.models import Business
from execora.money import QUANTITY_DIGITS
from products.models import Product, StockMovement


def product_get(*, business: Business, product_id: int) -> Product:
    """The shop's product; NotFound for another shop's (or no) product."""
    try:
        return Product.objects.get(business=business, pk=product_id)
    except (Product.DoesNotExist, ValueError, TypeError):
        raise NotFound(
            f"No product with id {product_id} in this shop.",
            message_hi="यह सामान इस दुकान में नहीं मिला।",
            field="product_id",
        ) from None


def product_list(
    *, business: Business, low_stock: bool = False, include_inactive: bool = False
) -> QuerySet[Product]:
    """The shop's products by name; `low_stock` keeps those at or below their warning level."""
    products = Product.objects.filter(business=business)
    if not include_inactive:
        products = products.filter(is_active=True)
    if low_stock:
        products = products.filter(
            low_stock_level__isnull=False, stock_quantity__lte=F("low_stock_level")
        )
    return products.order_by("name", "pk")


def _movement_sum() -> Coalesce:
    total = (
        StockMovement.objects.filter(product=OuterRef("pk"))
        .order_by()
        .values("product")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return Coalesce(
        Subquery(total, output_field=DecimalField(**QUANTITY_DIGITS)),
        Value(Decimal("0")),
        output_field=DecimalField(**QUANTITY_DIGITS),
    )


def stock_discrepancies(*, business: Business | None = None) -> list[str]:
    """One line per product whose cached stock differs from the sum of its movements.

    Compared rounded to the gram/millilitre, for SQLite's float decimals (see ledger).
    """
    products = Product.objects.select_related("business").annotate(moved=_movement_sum())
    if business is not None:
        products = products.filter(business=business)
    return [
        f"{product.business.name} (shop #{product.business_id}): product {product.name!r} "
        f"(#{product.pk}) stock {product.stock_quantity} but its movements sum to "
        f"{product.moved}"
        for product in products.annotate(cached=Round("stock_quantity", 3))
        .exclude(cached=Round("moved", 3))
        .order_by("business", "pk")
    ]
