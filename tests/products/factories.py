"""Products built through the service, so stock always equals its movements."""

from __future__ import annotations

from decimal import Decimal

from execora.models import Business
from products.models import Product
from products.services import product_create


def make_product(
    business: Business,
    name: str = "Sugar",
    *,
    unit: str = "kg",
    selling_price: str = "45.00",
    gst_rate: str = "5",
    opening_stock: str | Decimal = "0",
    **extra,
) -> Product:
    return product_create(
        business=business,
        name=name,
        unit=unit,
        selling_price=selling_price,
        gst_rate=gst_rate,
        opening_stock=opening_stock,
        **extra,
    )
