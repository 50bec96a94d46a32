"""Periodic upkeep of the command engine's conversations."""

from __future__ import annotations

from celery import shared_task

from voice.services import conversations_purge


@shared_task(name="voice.conversations_purge")
def purge_conversations() -> int:
    """Delete conversations unused for a week (their questions expired long before)."""
    return conversations_purge()
