"""Create or refresh the demo shop; safe to run any number of times."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from execora.models import Business, Language, Membership
from execora.services import membership_grant

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
            self._seed_books(business)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo shop '{business.name}' ready. Log in at http://127.0.0.1:8000/ as "
                f"{DEMO_USERNAME} / {settings.EXECORA_DEMO_PASSWORD}"
            )
        )

    def _seed_books(self, business: Business) -> None:
        """Customers, products and history arrive with the books (see seed_books)."""
