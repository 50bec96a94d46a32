"""Books for admin tests, built through the services so every page shows real history."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from customers.models import Customer
from execora.models import Business
from invoices.models import Invoice
from invoices.services import InvoiceItemInput, invoice_create
from ledger.models import Payment
from ledger.services import payment_record
from products.models import Product
from tests.customers.factories import make_customer
from tests.products.factories import make_product

# A fixed past day (financial year 2025-26), so numbers and dates never depend on the clock.
SALE_DAY = datetime.date(2025, 5, 10)


@dataclass
class Books:
    shop: Business
    customer: Customer
    product: Product
    invoice: Invoice
    payment: Payment


def books_for(shop: Business, *, customer_name: str, phone: str, product_name: str) -> Books:
    customer = make_customer(shop, customer_name, phone=phone)
    product = make_product(shop, product_name, selling_price="50.00", opening_stock="20")
    invoice = invoice_create(
        business=shop,
        customer_id=customer.pk,
        items=[InvoiceItemInput(product_id=product.pk, quantity="2")],
        invoice_date=SALE_DAY,
    )
    payment = payment_record(business=shop, customer_id=customer.pk, amount=Decimal("30.00"))
    customer.refresh_from_db()
    product.refresh_from_db()
    return Books(shop=shop, customer=customer, product=product, invoice=invoice, payment=payment)
