"""Customers of a shop: who buys, who owes (the khata's parties)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from execora.models import Business, Language
from execora.money import MONEY_DIGITS
from execora.validators import validate_gstin, validate_indian_mobile


class Customer(models.Model):
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="customers")
    name = models.CharField(max_length=120)
    phone = models.CharField(
        max_length=10,
        blank=True,
        validators=[validate_indian_mobile],
        help_text=_("10-digit Indian mobile, used for WhatsApp."),
    )
    # Other ways the shopkeeper says the name ("Ramesh bhaiya", "रमेश", "Pappu").
    aliases = models.JSONField(default=list, blank=True)
    address = models.TextField(blank=True)
    gstin = models.CharField("GSTIN", max_length=15, blank=True, validators=[validate_gstin])
    state_code = models.CharField(
        max_length=2,
        blank=True,
        help_text=_("Place of supply for a registered buyer; empty means the shop's state."),
    )
    credit_limit = models.DecimalField(
        **MONEY_DIGITS,
        null=True,
        blank=True,
        help_text=_("Most this customer may owe; empty means no limit."),
    )
    preferred_language = models.CharField(max_length=10, choices=Language.choices, blank=True)
    # What the customer owes the shop: the sum of their Receivables journal lines.
    # Changed only by the ledger's posting service, in the posting transaction.
    balance = models.DecimalField(**MONEY_DIGITS, default=0, editable=False)
    # Phonetic keys of the name and each alias, one a line, after a version line
    # (see customers.search). Written by customers.services so a search never
    # transliterates a shop's whole customer list.
    search_key = models.TextField(blank=True, default="", editable=False)
    # Last time the customer messaged us on WhatsApp (opens the 24 h free-text window).
    last_inbound_message_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["business", "name"])]
        constraints = [
            models.UniqueConstraint(
                fields=["business", "phone"],
                condition=~Q(phone=""),
                name="customer_unique_phone_per_shop",
                violation_error_message=_("Another customer of this shop has this phone."),
            ),
            models.CheckConstraint(
                condition=Q(credit_limit__isnull=True) | Q(credit_limit__gte=0),
                name="customer_credit_limit_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name
