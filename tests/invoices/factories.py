"""Helpers for invoice tests: customers straight from the factory (balance 0), products and
invoices through their services so stock and the books always match their history."""

from __future__ import annotations

import datetime
from decimal import Decimal

from execora.models import Business
from invoices.services import InvoiceItemInput, invoice_create
from tests.ledger.factories import CustomerFactory
from tests.products.factories import make_product

__all__ = ["SALE_DAY", "CustomerFactory", "free_item", "make_product", "walk_in_sale"]

# A fixed day in the past (financial year 2025-26), so tests never depend on the clock.
SALE_DAY = datetime.date(2025, 5, 10)


def free_item(description: str = "Packing", unit_price: str = "10.00", **extra) -> InvoiceItemInput:
    return InvoiceItemInput(
        description=description, quantity=extra.pop("quantity", "1"), unit_price=unit_price, **extra
    )


def walk_in_sale(business: Business, *, unit_price: str = "10.00", **extra):
    """A paid cash sale of one free-text line (0% GST, so the total is the price)."""
    return invoice_create(
        business=business,
        items=[free_item(unit_price=unit_price)],
        amount_paid=Decimal(unit_price),
        invoice_date=extra.pop("invoice_date", SALE_DAY),
        **extra,
    )
