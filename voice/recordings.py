"""Services of the voice record: sessions, one utterance row per command, and their audio.

Kept apart from voice.services (the command engine's entry points): these only
write down what a command heard, did and said, and purge it when its time is up.
Audio goes through Django's default storage (local files, or S3/MinIO).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from execora.models import Business
from voice.models import Utterance, VoiceSession
from voice.speech.tts import wav_from_pcm

logger = logging.getLogger(__name__)


def voice_session_open(
    *,
    business: Business,
    user: Any,
    channel: str = VoiceSession.Channel.WEBSOCKET,
    user_agent: str = "",
) -> VoiceSession:
    """A new session row for one connection (or one REST upload)."""
    return VoiceSession.objects.create(
        business=business,
        user=user,
        channel=channel,
        stt_provider=settings.STT_PROVIDER,
        tts_provider=settings.TTS_PROVIDER,
        user_agent=user_agent[:300],
    )


def voice_session_close(*, session_id: uuid.UUID) -> None:
    VoiceSession.objects.filter(pk=session_id, ended_at__isnull=True).update(
        ended_at=timezone.now()
    )


@dataclass
class UtteranceRecord:
    """What one command heard, understood, did and said; the consumer fills it as it goes."""

    source: str
    language: str = ""
    pcm: bytes = b""
    sample_rate: int = 16000
    transcript: str = ""
    intent: dict[str, Any] = field(default_factory=dict)
    status: str = ""
    ok: bool = False
    result: dict[str, Any] = field(default_factory=dict)
    reply_text: str = ""
    reply_lang: str = ""
    reply_audio: bytes = b""
    conversation_id: uuid.UUID | None = None
    timings: dict[str, float] = field(default_factory=dict)
    error: str = ""


def utterance_record(
    *, session_id: uuid.UUID, business: Business, user: Any, record: UtteranceRecord
) -> Utterance:
    """Write the utterance row, its audio (WAV) and the reply audio through default storage.

    Storage is written before the row (no open transaction while S3 answers); a file
    whose row then fails to save is deleted again.
    """
    utterance = Utterance(
        session_id=session_id,
        business=business,
        user=user,
        source=record.source,
        language=record.language[:10],
        transcript=record.transcript,
        intent=str(record.intent.get("intent", ""))[:30],
        entities=record.intent.get("entities") or {},
        confidence=record.intent.get("confidence"),
        status=record.status[:20],
        ok=record.ok,
        result=record.result or {},
        reply_text=record.reply_text,
        reply_lang=record.reply_lang[:10],
        conversation_id=record.conversation_id,
        timings=record.timings,
        error=record.error[:300],
    )
    keep_audio = settings.VOICE_AUDIO_RETENTION_DAYS > 0
    if keep_audio and record.pcm:
        utterance.audio_duration_ms = len(record.pcm) * 1000 // (2 * record.sample_rate)
        wav = wav_from_pcm(record.pcm, sample_rate=record.sample_rate)
        utterance.audio.save("command.wav", ContentFile(wav), save=False)
    if keep_audio and record.reply_audio:
        utterance.reply_audio.save("reply.wav", ContentFile(record.reply_audio), save=False)
    try:
        utterance.save(force_insert=True)
    except Exception:
        for stored in (utterance.audio, utterance.reply_audio):
            if stored:
                stored.delete(save=False)
        raise
    return utterance


def voice_audio_purge(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete audio older than VOICE_AUDIO_RETENTION_DAYS and rows older than
    VOICE_SESSION_RETENTION_DAYS. Returns how many files and sessions went.

    Rows are cleared in the database first, then their files deleted: a crash in
    between leaves an orphan file (harmless, found by the next storage sweep), never
    a row pointing at audio that is gone.
    """
    now = now or timezone.now()
    audio_cutoff = now - dt.timedelta(days=settings.VOICE_AUDIO_RETENTION_DAYS)
    files = 0
    while True:
        with transaction.atomic():
            batch = list(
                Utterance.objects.select_for_update(skip_locked=True)
                .filter(created_at__lt=audio_cutoff)
                .exclude(audio="", reply_audio="")
                .order_by("pk")
                .values_list("pk", "audio", "reply_audio")[:500]
            )
            if not batch:
                break
            Utterance.objects.filter(pk__in=[row[0] for row in batch]).update(
                audio="", reply_audio=""
            )
        storage = Utterance._meta.get_field("audio").storage
        for _pk, *names in batch:
            for name in names:
                if name:
                    try:
                        storage.delete(name)
                        files += 1
                    except Exception:  # the row no longer points at it; log and carry on
                        logger.warning("voice audio delete failed", extra={"file": name})
    sessions_cutoff = now - dt.timedelta(days=settings.VOICE_SESSION_RETENTION_DAYS)
    old_sessions = VoiceSession.objects.filter(started_at__lt=sessions_cutoff)
    # Sessions whose audio has not been purged yet wait for the next run.
    old_sessions = old_sessions.exclude(
        pk__in=Utterance.objects.exclude(audio="", reply_audio="").values("session_id")
    )
    sessions, _ = old_sessions.delete()
    return {"files": files, "rows": sessions}
