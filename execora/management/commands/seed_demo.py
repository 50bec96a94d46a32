"""Create or refresh the demo shop; safe to run any number of times."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from customers.services import customer_create
from execora.demo_data import CUSTOMERS, PRODUCTS
from execora.models import Business, Language, Membership
from execora.services import membership_grant
from invoices.services import InvoiceItemInput, invoice_cancel, invoice_create
from ledger.services import credit_add, opening_balance_set, payment_record
from products.services import product_create

DEMO_SHOP = "Sharma Kirana Store"
DEMO_USERNAME = "demo"


class Command(BaseCommand):
    help = "Creates/refreshes the demo shop, its owner login, customers and products."

    def handle(self, *args: object, **options: object) -> None:
        with transaction.atomic():
            business, _ = Business.objects.update_or_create(
                name=DEMO_SHOP,
                defaults={
                    "address": "12, Main Bazaar, Pune 411002",
                    "phone": "9822012345",
                    "gstin": "27AAPFU0939F1ZV",
                    "state_code": "27",
                    "upi_id": "sharmakirana@okaxis",
                    "invoice_prefix": "INV",
                    "language": Language.HINGLISH,
                },
            )
            user, _ = get_user_model().objects.get_or_create(
                username=DEMO_USERNAME, defaults={"first_name": "Rajesh", "last_name": "Sharma"}
            )
            user.set_password(settings.EXECORA_DEMO_PASSWORD)
            user.save()
            membership_grant(user=user, business=business, role=Membership.Role.OWNER)
            self._seed_books(business, user)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo shop '{business.name}' ready. Log in at http://127.0.0.1:8000/ as "
                f"{DEMO_USERNAME} / {settings.EXECORA_DEMO_PASSWORD}"
            )
        )

    def _seed_books(self, business: Business, user) -> None:
        """Regulars, the shelf, and a few days of history — each written once, through services."""
        existing_customers = set(business.customers.values_list("name", flat=True))
        for name, phone, aliases, limit, language, opening in CUSTOMERS:
            if name in existing_customers:
                continue
            customer = customer_create(
                business=business,
                name=name,
                phone=phone,
                aliases=aliases,
                credit_limit=limit,
                preferred_language=language,
                user=user,
            )
            if opening:
                opening_balance_set(
                    business=business, customer_id=customer.pk, amount=opening, user=user
                )
        existing_products = set(business.products.values_list("name", flat=True))
        for name, aliases, unit, price, rate, hsn, stock, low in PRODUCTS:
            if name in existing_products:
                continue
            product_create(
                business=business,
                name=name,
                aliases=aliases,
                unit=unit,
                selling_price=price,
                gst_rate=rate,
                hsn_code=hsn,
                opening_stock=stock,
                low_stock_level=low,
                user=user,
            )
        if not business.invoices.exists():
            self._seed_history(business, user)

    def _seed_history(self, business: Business, user) -> None:
        customers = {c.name: c.pk for c in business.customers.all()}
        products = {p.name: p.pk for p in business.products.all()}
        today = timezone.localdate()

        def item(name: str, qty: str) -> InvoiceItemInput:
            return InvoiceItemInput(product_id=products[name], quantity=D(qty))

        yesterday = today - datetime.timedelta(days=1)
        invoice_create(
            business=business,
            customer_id=customers["Ramesh Kumar"],
            items=[item("Sugar", "2"), item("Sunflower Oil", "1"), item("Parle-G", "4")],
            invoice_date=yesterday,
            user=user,
        )
        invoice_create(
            business=business,
            customer_id=customers["Sunita Deshmukh"],
            items=[item("Wheat Atta", "5"), item("Toor Dal", "1"), item("Amul Taaza Milk", "2")],
            amount_paid=D("200"),
            payment_mode="upi",
            invoice_date=yesterday,
            user=user,
        )
        # A counter sale with no khata: MRP prices, so 3 Maggi come to exactly ₹42.
        invoice_create(
            business=business,
            items=[item("Maggi Noodles", "3")],
            amount_paid=D("42"),
            payment_mode="cash",
            invoice_date=today,
            notes="Walk-in counter sale",
            user=user,
        )
        payment_record(
            business=business,
            customer_id=customers["Rakesh Gupta"],
            amount=D("1000"),
            mode="upi",
            reference="PhonePe",
            user=user,
        )
        credit_add(
            business=business,
            customer_id=customers["Bablu Yadav"],
            amount=D("150"),
            note="Diwali ka saman",
            user=user,
        )
        mistaken = invoice_create(
            business=business,
            customer_id=customers["Farhan Shaikh"],
            items=[item("Basmati Rice", "1")],
            invoice_date=today,
            user=user,
        )
        invoice_cancel(
            business=business, invoice_id=mistaken.pk, reason="Billed to the wrong khata", user=user
        )
