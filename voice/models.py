"""A conversation with the command engine: who is talking, and what waits for their yes or no.

The pending action is JSON the engine wrote (voice.engine.conversation): a
resolved plan waiting for "haan"/"nahi", or a question waiting for a choice
("Ramesh Kumar ya Ramesh Yadav?"). It expires at `pending_expires_at`; taking
it is a row-locked read-and-clear, so a second "haan" finds nothing to do.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from execora.models import Business, Language


class Conversation(models.Model):
    # A random id: clients send it back with their "yes", so it must not be guessable.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="conversations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations"
    )
    # The language of the last thing the user said; replies to a bare yes/no use it.
    lang = models.CharField(max_length=10, choices=Language.choices, default=Language.HINGLISH)
    pending = models.JSONField(null=True, blank=True, editable=False)
    pending_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_intent = models.CharField(max_length=30, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["business", "user", "-updated_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(pending__isnull=True) | Q(pending_expires_at__isnull=False),
                name="conversation_pending_expires",
                violation_error_message=_("A pending action needs an expiry time."),
            ),
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk} ({self.user_id} @ {self.business_id})"
