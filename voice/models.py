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
from django.utils import timezone
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


def _utterance_audio_path(instance: Utterance, filename: str) -> str:
    # Per shop and day, named by the utterance's random id: never guessable, never clashing.
    day = (instance.created_at or timezone.now()).strftime("%Y/%m/%d")
    return f"voice/{instance.business_id}/{day}/{instance.pk}-{filename}"


class VoiceSession(models.Model):
    """One WebSocket connection to /ws/voice/ (or one REST voice command) of one user."""

    class Channel(models.TextChoices):
        WEBSOCKET = "websocket", _("WebSocket")
        REST = "rest", _("REST upload")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="voice_sessions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="voice_sessions"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEBSOCKET)
    stt_provider = models.CharField(max_length=20, blank=True)
    tts_provider = models.CharField(max_length=20, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["business", "-started_at"])]

    def __str__(self) -> str:
        return f"Voice session {self.pk} ({self.user_id} @ {self.business_id})"


class Utterance(models.Model):
    """One command: what was heard (audio and transcript), understood, done and said back."""

    class Source(models.TextChoices):
        AUDIO = "audio", _("Audio")
        TEXT = "text", _("Typed or browser transcript")
        CONFIRM = "confirm", _("Yes/no button")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(VoiceSession, on_delete=models.CASCADE, related_name="utterances")
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="utterances")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="utterances"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    language = models.CharField(max_length=10, blank=True)
    audio = models.FileField(upload_to=_utterance_audio_path, blank=True, max_length=300)
    audio_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    reply_audio = models.FileField(upload_to=_utterance_audio_path, blank=True, max_length=300)
    transcript = models.TextField(blank=True)
    intent = models.CharField(max_length=30, blank=True)
    entities = models.JSONField(default=dict, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=20, blank=True)
    ok = models.BooleanField(default=False)
    result = models.JSONField(default=dict, blank=True)
    reply_text = models.TextField(blank=True)
    reply_lang = models.CharField(max_length=10, blank=True)
    conversation_id = models.UUIDField(null=True, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["business", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.intent or 'utterance'}: {self.transcript[:40]}"
