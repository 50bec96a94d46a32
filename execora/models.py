"""The shop (Business) and who may act for it (Membership). Every other row hangs off Business."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from execora.validators import (
    validate_gstin,
    validate_indian_mobile,
    validate_state_code,
    validate_timezone,
    validate_upi_id,
)


class Language(models.TextChoices):
    HINDI = "hi", "हिन्दी"
    ENGLISH = "en", "English"
    HINGLISH = "hinglish", "Hinglish"


class Business(models.Model):
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=15, blank=True, validators=[validate_indian_mobile])
    gstin = models.CharField(
        "GSTIN",
        max_length=15,
        blank=True,
        validators=[validate_gstin],
        help_text=_("Leave empty for a shop that is not GST-registered (bill of supply)."),
    )
    state_code = models.CharField(
        max_length=2,
        default="27",
        validators=[validate_state_code],
        help_text=_("GST state code; decides CGST+SGST versus IGST."),
    )
    upi_id = models.CharField("UPI id", max_length=100, blank=True, validators=[validate_upi_id])
    # Invoice numbers are at most 16 characters (GST rule 46): PREFIX/26-27/0001.
    invoice_prefix = models.CharField(
        max_length=5,
        default="INV",
        validators=[RegexValidator(r"^[A-Z0-9]{1,5}$", _("1–5 capital letters or digits."))],
    )
    timezone = models.CharField(
        max_length=64, default="Asia/Kolkata", validators=[validate_timezone]
    )
    language = models.CharField(max_length=10, choices=Language.choices, default=Language.HINGLISH)
    # Spoken commands that move more money than this ask "haan ya nahi?" first
    # (voice.engine.policy): speech gets amounts wrong, a read-back catches it.
    confirm_above_amount = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("2000.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Voice and typed commands moving more money than this ask for a yes first."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(gstin="") | Q(gstin__startswith=models.F("state_code")),
                name="business_gstin_matches_state",
                violation_error_message=_("The GSTIN's first two digits must be the state code."),
            ),
            models.CheckConstraint(
                condition=Q(confirm_above_amount__gte=0),
                name="business_confirm_above_amount_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        STAFF = "staff", _("Staff")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STAFF)
    # The console's interface language for this member; blank follows the browser.
    interface_language = models.CharField(
        max_length=5,
        blank=True,
        choices=[("hi", "हिन्दी"), ("en", "English")],
        help_text="Language of the voice console for this member; blank follows the browser.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["business", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "business"], name="membership_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.business} ({self.role})"

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER


class IdempotencyRecord(models.Model):
    """One Idempotency-Key a client sent with a POST, and the response it got.

    The unique (business, user, key) constraint decides which of two racing
    requests runs the action; `claim` names the request running it, so a
    request that takes over a dead one's key can be told from the original.
    """

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    business = models.ForeignKey(
        Business, on_delete=models.CASCADE, related_name="idempotency_records"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of method, path and the canonical JSON body.
    fingerprint = models.CharField(max_length=64)
    claim = models.UUIDField(default=uuid.uuid4)
    state = models.CharField(max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["business", "user", "key"], name="idempotency_unique_key"
            ),
            models.CheckConstraint(
                condition=Q(state="in_progress") | Q(response_status__isnull=False),
                name="idempotency_completed_has_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.state})"
