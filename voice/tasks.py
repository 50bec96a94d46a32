"""Periodic upkeep of the command engine's conversations."""

from __future__ import annotations

from celery import shared_task

from voice.recordings import voice_audio_purge
from voice.services import conversations_purge


@shared_task(name="voice.conversations_purge")
def purge_conversations() -> int:
    """Delete conversations unused for a week (their questions expired long before)."""
    return conversations_purge()


@shared_task(name="voice.audio_purge")
def purge_voice_audio() -> dict[str, int]:
    """Delete recorded command audio past VOICE_AUDIO_RETENTION_DAYS (and voice sessions
    past VOICE_SESSION_RETENTION_DAYS). Safe to run twice: the second finds nothing."""
    return voice_audio_purge()
