"""A shop's books built through the services, and reads of what the API changed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from customers.models import Customer
from execora.models import Business
from invoices.models import Invoice, InvoiceItem
from invoices.services import InvoiceItemInput, invoice_create
from ledger.models import JournalEntry, JournalLine, Payment
from ledger.services import credit_add, payment_record
from products.models import Product, StockMovement
from tests.customers.factories import make_customer
from tests.invoices.factories import SALE_DAY
from tests.products.factories import make_product


@dataclass
class Books:
    """One shop's objects of every kind, so each endpoint has something to act on."""

    business: Business
    customer: Customer
    sugar: Product
    maggi: Product
    invoice: Invoice
    payment: Payment
    credit: JournalEntry


def books_of(business: Business, *, name: str = "Ramesh Kumar", phone: str = "") -> Books:
    """A customer who owes, two stocked products, an invoice, a payment and an udhaar."""
    customer = make_customer(business, name, phone=phone)
    sugar = make_product(
        business, "Sugar", selling_price="46.00", gst_rate="5", opening_stock="100"
    )
    maggi = make_product(
        business, "Maggi", unit="pcs", selling_price="14.00", gst_rate="18", opening_stock="50"
    )
    invoice = invoice_create(
        business=business,
        customer_id=customer.pk,
        items=[InvoiceItemInput(product_id=sugar.pk, quantity="2")],
        amount_paid="0",
        invoice_date=SALE_DAY,
    )
    credit = credit_add(business=business, customer_id=customer.pk, amount="300.00", note="Oil")
    payment = payment_record(business=business, customer_id=customer.pk, amount="100.00")
    customer.refresh_from_db()
    return Books(business, customer, sugar, maggi, invoice, payment, credit)


def balance(customer: Customer) -> Decimal:
    return Customer.objects.get(pk=customer.pk).balance


def stock(product: Product) -> Decimal:
    return Product.objects.get(pk=product.pk).stock_quantity


def rows() -> dict[str, int]:
    """How many rows each table of the books holds: compare before and after a refusal."""
    models = {
        "customers": Customer,
        "products": Product,
        "invoices": Invoice,
        "invoice_items": InvoiceItem,
        "payments": Payment,
        "entries": JournalEntry,
        "lines": JournalLine,
        "movements": StockMovement,
    }
    return {name: model.objects.count() for name, model in models.items()}
