"""One /ws/voice/ connection: its state, its limits, and what each frame does.

The consumer only decodes frames and sends what `LiveSession` yields; the
frames and their order are CONTRACTS.md's:

    transcript (partials, then final) · intent · confirm_required? · result ·
    reply · reply audio (binary, WAV) · timing

Push-to-talk: `start`, binary PCM, `stop`. Hands-free (`"mode": "hands_free"`
in `start`): the recogniser's voice activity detection ends each utterance
after a pause and the session keeps listening for the next one until `stop`.
Every bad frame is answered with an `error` frame and the connection stays.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.core.exceptions import PermissionDenied

from execora.exceptions import NotFound
from execora.models import Business
from voice import recordings
from voice.recordings import UtteranceRecord
from voice.services import MAX_TEXT_LENGTH, CommandResult, command_run, conversation_confirm
from voice.speech import LANGUAGES, SAMPLE_RATES, recognizer_open, synthesizer
from voice.speech.base import SpeechError, SpeechRecognizer, Transcript
from voice.speech.wake import split_wake

logger = logging.getLogger(__name__)

Frame = dict[str, Any] | bytes
AUDIO_FORMAT = "pcm_s16le"
MODES = ("push_to_talk", "hands_free")


# ORM and decoder set-up run in worker threads, each with its own database connection,
# so one session's slow step (loading a decoder, a command's transaction) does not queue
# every other session behind it on Channels' single shared sync thread. Tests that run
# the consumer inside their own transaction set this to True (one thread, one connection).
DB_THREAD_SENSITIVE = False


def _db(function):
    return database_sync_to_async(function, thread_sensitive=DB_THREAD_SENSITIVE)


def error_frame(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


# --- limits ------------------------------------------------------------------------------------


class RateLimit:
    """A token bucket: `rate` messages a second, bursts up to one second's worth."""

    def __init__(self, rate: int) -> None:
        self.rate = float(rate)
        self.tokens = float(rate)
        self.at = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


# Open connections per user in this server process. Per process on purpose: a
# multi-process deployment multiplies the cap by its process count (a soft limit
# against runaway tabs, not a licence count).
_open_sessions: Counter[int] = Counter()
_open_lock = threading.Lock()


def session_slot_take(user_id: int) -> bool:
    with _open_lock:
        if _open_sessions[user_id] >= settings.VOICE_MAX_SESSIONS_PER_USER:
            return False
        _open_sessions[user_id] += 1
        return True


def session_slot_give(user_id: int) -> None:
    with _open_lock:
        _open_sessions[user_id] -= 1
        if _open_sessions[user_id] <= 0:
            del _open_sessions[user_id]


# --- one utterance -----------------------------------------------------------------------------


@dataclass
class Listening:
    """What `start` asked for; lives until `stop` (across utterances in hands-free mode)."""

    language: str
    sample_rate: int
    hands_free: bool


@dataclass
class Utterance:
    recognizer: SpeechRecognizer
    started: float = field(default_factory=time.perf_counter)
    pcm: bytearray = field(default_factory=bytearray)
    carry: bytes = b""  # an odd trailing byte, completed by the next frame
    partial: str = ""
    overflowed: bool = False


# --- the session -------------------------------------------------------------------------------


class LiveSession:
    """State of one authenticated connection: its shop, its conversation, its utterance."""

    def __init__(self, *, user: Any, business: Business, session_id: uuid.UUID) -> None:
        self.user = user
        self.business = business
        self.session_id = session_id
        self.conversation_id: uuid.UUID | None = None
        self.listening: Listening | None = None
        self.utterance: Utterance | None = None
        self.control_rate = RateLimit(settings.VOICE_MESSAGES_PER_SECOND)
        self.audio_rate = RateLimit(settings.VOICE_AUDIO_FRAMES_PER_SECOND)
        self.max_frame = settings.VOICE_MAX_FRAME_BYTES
        self.max_seconds = settings.VOICE_MAX_UTTERANCE_SECONDS
        self.synthesizer = synthesizer()
        # Hands-free acts on speech addressed to it: opened by the wake phrase, or an
        # answer while this moment lasts (after "Suno Execora", or a question it asked).
        self.attentive_until = 0.0

    @classmethod
    async def open(cls, *, user: Any, business: Business, user_agent: str = "") -> LiveSession:
        row = await _db(recordings.voice_session_open)(
            business=business, user=user, user_agent=user_agent
        )
        return cls(user=user, business=business, session_id=row.pk)

    def ready_frame(self) -> dict[str, Any]:
        return {"type": "ready", "session_id": str(self.session_id)}

    async def close(self) -> None:
        await self._drop_utterance()
        self.listening = None
        await _db(recordings.voice_session_close)(session_id=self.session_id)

    # --- text frames ---------------------------------------------------------------------------

    async def on_text(self, raw: str) -> AsyncIterator[Frame]:
        if not self.control_rate.take():
            yield error_frame(
                "rate_limited",
                f"More than {settings.VOICE_MESSAGES_PER_SECOND} messages a second; "
                "this one was dropped.",
            )
            return
        try:
            message = json.loads(raw)
        except (ValueError, RecursionError):
            yield error_frame("bad_json", "A text frame must be one JSON object.")
            return
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            yield error_frame("bad_frame", 'A text frame is a JSON object with a "type".')
            return
        handler = {
            "start": self._start,
            "stop": self._stop,
            "text": self._text,
            "confirm": self._confirm,
            "ping": self._ping,
        }.get(message["type"])
        if handler is None:
            yield error_frame(
                "unknown_type",
                f"Unknown type {message['type'][:40]!r}: use start, stop, text or confirm.",
            )
            return
        async for frame in handler(message):
            yield frame

    async def _ping(self, message: dict[str, Any]) -> AsyncIterator[Frame]:
        yield {"type": "pong"}

    async def _start(self, message: dict[str, Any]) -> AsyncIterator[Frame]:
        if self.listening is not None:
            yield error_frame("already_started", "Already listening; send stop first.")
            return
        audio_format = message.get("format", AUDIO_FORMAT)
        sample_rate = message.get("sample_rate")
        language = message.get("language", "auto")
        mode = message.get("mode", "push_to_talk")
        if audio_format != AUDIO_FORMAT:
            yield error_frame("bad_format", f"Audio must be {AUDIO_FORMAT} (16-bit mono PCM).")
            return
        if isinstance(sample_rate, bool) or sample_rate not in SAMPLE_RATES:
            rates = ", ".join(str(rate) for rate in SAMPLE_RATES)
            yield error_frame("bad_sample_rate", f"sample_rate must be {rates}.")
            return
        if language not in LANGUAGES:
            yield error_frame("bad_language", f"language must be one of {', '.join(LANGUAGES)}.")
            return
        if mode not in MODES:
            yield error_frame("bad_mode", f"mode must be one of {', '.join(MODES)}.")
            return
        listening = Listening(
            language=language, sample_rate=sample_rate, hands_free=mode != MODES[0]
        )
        try:
            self.utterance = await self._new_utterance(listening)
        except SpeechError as error:
            yield error_frame(error.code, str(error))
            return
        self.listening = listening

    async def _new_utterance(self, listening: Listening) -> Utterance:
        recognizer = await _db(recognizer_open)(
            business=self.business, language=listening.language, sample_rate=listening.sample_rate
        )
        return Utterance(recognizer=recognizer)

    async def _drop_utterance(self) -> None:
        utterance, self.utterance = self.utterance, None
        if utterance is not None:
            try:
                await utterance.recognizer.close()
            except Exception:
                logger.exception("recogniser close failed", extra={"session": str(self.session_id)})

    async def _stop(self, message: dict[str, Any]) -> AsyncIterator[Frame]:
        listening = self.listening
        if listening is None:
            yield error_frame("not_started", "Nothing to stop: send start first.")
            return
        self.listening = None
        async for frame in self._end_utterance(listening, time.perf_counter()):
            yield frame

    async def _text(self, message: dict[str, Any]) -> AsyncIterator[Frame]:
        text = message.get("text")
        if not isinstance(text, str) or not text.strip():
            yield error_frame("bad_text", 'A text frame needs a non-empty "text".')
            return
        if len(text) > MAX_TEXT_LENGTH:
            yield error_frame(
                "text_too_long", f"A command is at most {MAX_TEXT_LENGTH} characters."
            )
            return
        record = UtteranceRecord(source="text", transcript=text)
        async for frame in self._command(record, time.perf_counter(), text=text):
            yield frame

    async def _confirm(self, message: dict[str, Any]) -> AsyncIterator[Frame]:
        answer = message.get("answer")
        if not isinstance(answer, bool):
            yield error_frame("bad_frame", '"answer" must be true or false.')
            return
        if self.conversation_id is None:
            yield error_frame("nothing_to_confirm", "No question is waiting for an answer.")
            return
        record = UtteranceRecord(source="confirm", transcript="yes" if answer else "no")
        async for frame in self._command(record, time.perf_counter(), answer=answer):
            yield frame

    # --- binary frames -------------------------------------------------------------------------

    async def on_bytes(self, data: bytes) -> AsyncIterator[Frame]:
        if len(data) > self.max_frame:
            yield error_frame(
                "frame_too_large", f"Audio frames are at most {self.max_frame} bytes; dropped."
            )
            return
        if not self.audio_rate.take():
            yield error_frame("rate_limited", "Too many audio frames a second; dropped.")
            return
        listening = self.listening
        if listening is None:
            yield error_frame("not_started", "Send start before audio.")
            return
        if self.utterance is None:  # hands-free: the next utterance starts with its audio
            try:
                self.utterance = await self._new_utterance(listening)
            except SpeechError as error:
                self.listening = None
                yield error_frame(error.code, str(error))
                return
        utterance = self.utterance
        if utterance.overflowed:
            return  # told once already; the rest of this utterance is ignored
        pcm = utterance.carry + data
        cut = len(pcm) - len(pcm) % 2
        pcm, utterance.carry = pcm[:cut], pcm[cut:]
        if len(utterance.pcm) + len(pcm) > self.max_seconds * listening.sample_rate * 2:
            utterance.overflowed = True
            await utterance.recognizer.close()
            yield error_frame(
                "utterance_too_long",
                f"An utterance is at most {self.max_seconds} s; this one was dropped.",
            )
            if listening.hands_free:
                self.utterance = None
            return
        utterance.pcm += pcm
        try:
            changed = await utterance.recognizer.feed(pcm)
        except SpeechError as error:
            await self._drop_utterance()
            self.listening = None
            yield error_frame(error.code, str(error))
            return
        for transcript in changed:
            if transcript.text != utterance.partial:
                utterance.partial = transcript.text
                yield {"type": "transcript", "text": transcript.text, "final": False}
        if listening.hands_free and not utterance.partial:
            idle_bytes = settings.VOICE_HANDS_FREE_IDLE_SECONDS * listening.sample_rate * 2
            if len(utterance.pcm) >= idle_bytes:
                # A quiet shop is not an utterance: listen afresh, keeping the last half
                # second in case speech is just beginning.
                async for frame in self._listen_afresh(listening):
                    yield frame
                return
        if listening.hands_free and utterance.recognizer.speech_ended():
            async for frame in self._end_utterance(listening, time.perf_counter()):
                yield frame

    async def _listen_afresh(self, listening: Listening) -> AsyncIterator[Frame]:
        old = self.utterance
        preroll = bytes(old.pcm[-listening.sample_rate :]) if old is not None else b""  # 0.5 s
        await self._drop_utterance()
        try:
            self.utterance = await self._new_utterance(listening)
            self.utterance.pcm += preroll
            await self.utterance.recognizer.feed(preroll)
        except SpeechError as error:
            await self._drop_utterance()
            self.listening = None
            yield error_frame(error.code, str(error))

    def _addressed(self, recognizer: SpeechRecognizer, text: str) -> tuple[bool, str | None]:
        """(woke, command): the command to run, or None when the speech was not for us.

        The local recogniser takes the wake phrase off itself (`woke`); other providers'
        transcripts carry it as words.
        """
        wake = split_wake(text)
        woke = bool(getattr(recognizer, "woke", False)) or wake.woke
        now = time.monotonic()
        if woke:
            self.attentive_until = now + settings.VOICE_WAKE_WINDOW_SECONDS
            return True, wake.command or None  # the wake phrase alone: the command comes next
        if now <= self.attentive_until or not settings.VOICE_WAKE_PHRASE_REQUIRED:
            return False, wake.command
        return False, None

    async def _end_utterance(self, listening: Listening, speech_end: float) -> AsyncIterator[Frame]:
        """Finish the recogniser and run what it heard. `speech_end` starts the clock."""
        utterance, self.utterance = self.utterance, None
        if utterance is None or utterance.overflowed:
            return
        try:
            final: Transcript = await utterance.recognizer.finish()
        except SpeechError as error:
            yield error_frame(error.code, str(error))
            return
        finally:
            await utterance.recognizer.close()
        stt_ms = _ms(time.perf_counter() - speech_end)
        text = " ".join(final.text.split())
        if not text and listening.hands_free:
            return  # hands-free `stop` while only silence was coming in: nothing was said
        if listening.hands_free:
            woke, command = self._addressed(utterance.recognizer, text)
            if woke:
                yield {"type": "wake"}
            if command is None:
                return  # talk in the shop, not a command to us
            text = command
        else:
            text = split_wake(text).command  # "Hey Execora, ..." said out of habit
        yield {"type": "transcript", "text": text, "final": True}
        record = UtteranceRecord(
            source="audio",
            language=final.lang or listening.language,
            pcm=bytes(utterance.pcm),
            sample_rate=listening.sample_rate,
            transcript=text,
            timings={"stt_ms": stt_ms},
        )
        if not text:
            record.error = "no_speech"
            yield error_frame("no_speech", "Nothing was heard; please say it again.")
            await self._save(record)
            return
        async for frame in self._command(record, speech_end, text=text):
            yield frame

    # --- one command ---------------------------------------------------------------------------

    async def _command(
        self,
        record: UtteranceRecord,
        speech_end: float,
        *,
        text: str | None = None,
        answer: bool | None = None,
    ) -> AsyncIterator[Frame]:
        """Run the engine, then send intent, confirm_required, result, reply, audio, timing."""
        engine_start = time.perf_counter()
        try:
            result = await _db(self._run_engine)(text, answer)
        except PermissionDenied:
            yield error_frame("forbidden", "You are no longer a member of this shop.")
            return
        engine_ms = _ms(time.perf_counter() - engine_start)
        self.conversation_id = result.conversation_id
        # A question asked is a question the user may answer without the wake phrase.
        self.attentive_until = (
            time.monotonic() + settings.COMMAND_CONFIRM_TIMEOUT_SECONDS
            if result.confirm_required
            else 0.0
        )
        intent = result.intent.to_dict()
        yield {"type": "intent", **intent}
        if result.confirm_required:
            yield {
                "type": "confirm_required",
                "prompt": result.prompt,
                "options": result.options,
                "kind": result.status,
            }
        yield {
            "type": "result",
            "ok": result.ok,
            "status": result.status,
            "intent": result.intent.intent,
            "data": result.data,
            "conversation_id": str(result.conversation_id),
        }
        reply_start = time.perf_counter()
        yield {"type": "reply", "text": result.reply, "lang": result.lang}
        first_audio: float | None = None
        audio = bytearray()
        tts_error = ""
        if self.synthesizer is not None and result.reply:
            try:
                async for chunk in self.synthesizer.synthesize(result.reply, lang=result.lang):
                    if first_audio is None:
                        first_audio = time.perf_counter()
                    audio += chunk
                    yield chunk
            except SpeechError as error:
                tts_error = error.code
                yield error_frame(error.code, "The spoken reply failed; the text above stands.")
        done = time.perf_counter()
        stages = {
            "stt_ms": record.timings.get("stt_ms", 0.0),
            "intent_ms": result.timings.get("intent_ms", 0.0),
            "execute_ms": round(
                result.timings.get("prepare_ms", 0.0) + result.timings.get("execute_ms", 0.0), 2
            ),
            "reply_ms": result.timings.get("reply_ms", 0.0),
            "engine_ms": engine_ms,
            "tts_ms": _ms(done - reply_start),
            "first_audio_ms": _ms(first_audio - speech_end) if first_audio else None,
            "total_ms": _ms(done - speech_end),
        }
        self._fill(record, result, stages)
        record.error = record.error or tts_error
        # Recorded before the timing frame: a client that has it can read the row back.
        await self._save(record)
        yield {"type": "timing", "stages": stages}

    def _run_engine(self, text: str | None, answer: bool | None) -> CommandResult:
        if answer is not None:
            try:
                return conversation_confirm(
                    business=self.business,
                    user=self.user,
                    conversation_id=self.conversation_id,
                    answer=answer,
                )
            except NotFound:
                pass  # the conversation was purged: answer as a bare yes/no, in a new one
            text = "haan" if answer else "nahi"
        try:
            return command_run(
                business=self.business,
                user=self.user,
                text=text or "",
                conversation_id=self.conversation_id,
            )
        except NotFound:
            return command_run(business=self.business, user=self.user, text=text or "")

    @staticmethod
    def _fill(record: UtteranceRecord, result: CommandResult, stages: dict[str, Any]) -> None:
        record.intent = result.intent.to_dict()
        record.status = result.status
        record.ok = result.ok
        record.result = result.data or {}
        record.reply_text = result.reply
        record.reply_lang = result.lang
        record.conversation_id = result.conversation_id
        record.timings = stages
        record.language = record.language or result.intent.lang

    async def _save(self, record: UtteranceRecord) -> None:
        # A lost record must not cost the user their answer: log it and carry on.
        try:
            await _db(recordings.utterance_record)(
                session_id=self.session_id, business=self.business, user=self.user, record=record
            )
        except Exception:
            logger.exception("utterance not recorded", extra={"session": str(self.session_id)})
