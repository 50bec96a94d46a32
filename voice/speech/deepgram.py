"""Deepgram live streaming (STT_PROVIDER=deepgram) through the deepgram-sdk.

One WebSocket per utterance to `{DEEPGRAM_BASE_URL}/v1/listen` (nova model,
16 kHz linear16, interim results, endpointing). Interim results become partial
transcripts; `is_final` segments are kept and joined; `speech_final` (the
endpointer heard a pause) ends the utterance in hands-free mode. `finish`
sends Finalize, waits for the `from_finalize` result, then CloseStream.

Languages: the client's "hi-IN" → `hi`, "en-IN" → `en-IN`, "auto" → `multi`
(code-switching Hindi-English, Nova-3).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from django.conf import settings

from voice.speech.base import SpeechError, Transcript

logger = logging.getLogger(__name__)

LANGUAGES = {"hi-IN": "hi", "en-IN": "en-IN", "auto": "multi"}
# How long `finish` waits for the last result after Finalize, and for the socket to open.
FINALIZE_TIMEOUT_SECONDS = 3.0
CONNECT_TIMEOUT_SECONDS = 5.0


def _http_base(ws_base: str) -> str:
    if ws_base.startswith("wss://"):
        return "https://" + ws_base.removeprefix("wss://")
    if ws_base.startswith("ws://"):
        return "http://" + ws_base.removeprefix("ws://")
    return ws_base


class DeepgramRecognizer:
    """One utterance on one Deepgram live connection, opened with the first audio."""

    def __init__(self, *, language: str, sample_rate: int = 16000) -> None:
        self.sample_rate = sample_rate
        self.language = LANGUAGES.get(language, "multi")
        self._stack: contextlib.AsyncExitStack | None = None
        self._socket: Any = None
        self._reader: asyncio.Task | None = None
        self._changed: list[Transcript] = []
        self._finals: list[str] = []
        self._speech_final = False
        self._finalized = asyncio.Event()
        self._ended = asyncio.Event()
        self._failure: str | None = None
        self._closed = False
        self._heard_lang: str | None = None

    async def _open(self) -> None:
        from deepgram import AsyncDeepgramClient, DeepgramClientEnvironment

        base = settings.DEEPGRAM_BASE_URL.rstrip("/")
        environment = DeepgramClientEnvironment(
            base=_http_base(base), production=base, agent=base, agent_rest=_http_base(base)
        )
        client = AsyncDeepgramClient(api_key=settings.DEEPGRAM_API_KEY, environment=environment)
        stack = contextlib.AsyncExitStack()
        try:
            self._socket = await asyncio.wait_for(
                stack.enter_async_context(
                    client.listen.v1.connect(
                        model=settings.DEEPGRAM_MODEL,
                        language=self.language,
                        encoding="linear16",
                        sample_rate=str(self.sample_rate),
                        channels="1",
                        interim_results="true",
                        endpointing=str(settings.DEEPGRAM_ENDPOINTING_MS),
                        punctuate="false",
                        numerals="true",
                    )
                ),
                CONNECT_TIMEOUT_SECONDS,
            )
        except Exception as error:
            await stack.aclose()
            logger.warning("deepgram connect failed", extra={"error": str(error)[:200]})
            raise SpeechError(
                "The speech service is unreachable; type the command instead.",
                code="stt_unavailable",
            ) from error
        self._stack = stack
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for message in self._socket:
                kind = getattr(message, "type", None)
                if kind == "Results":
                    self._on_results(message)
                elif kind == "UtteranceEnd" and self._finals:
                    self._speech_final = True
                elif kind == "Error":
                    self._failure = str(getattr(message, "description", "") or "error")[:200]
        except Exception as error:  # a dropped socket ends the utterance with what was heard
            self._failure = str(error)[:200]
        finally:
            self._finalized.set()
            self._ended.set()

    def _on_results(self, message: Any) -> None:
        alternatives = message.channel.alternatives
        alternative = alternatives[0] if alternatives else None
        text = " ".join((alternative.transcript if alternative else "").split())
        languages = getattr(alternative, "languages", None) if alternative else None
        if languages:
            self._heard_lang = languages[0]
        if message.is_final:
            if text:
                self._finals.append(text)
                self._changed.append(Transcript(" ".join(self._finals), final=False))
            if message.speech_final and self._finals:
                self._speech_final = True
            if message.from_finalize:
                self._finalized.set()
        elif text:
            self._changed.append(Transcript(" ".join([*self._finals, text]), final=False))

    async def feed(self, pcm: bytes) -> list[Transcript]:
        if self._closed:
            raise SpeechError("This utterance is finished.", code="stt_closed")
        if self._socket is None:
            await self._open()
        if self._ended.is_set() and self._failure:
            raise SpeechError(f"The speech service failed: {self._failure}", code="stt_failed")
        try:
            await self._socket.send_media(pcm)
        except Exception as error:
            raise SpeechError("The speech service dropped the audio.", code="stt_failed") from error
        await asyncio.sleep(0)  # let the reader take what has arrived
        changed, self._changed = self._changed, []
        return changed

    async def finish(self) -> Transcript:
        if self._socket is None:
            return Transcript("", final=True, lang=self.language)
        with contextlib.suppress(Exception):
            await self._socket.send_finalize()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._finalized.wait(), FINALIZE_TIMEOUT_SECONDS)
        with contextlib.suppress(Exception):
            await self._socket.send_close_stream()
        return Transcript(
            " ".join(self._finals), final=True, lang=self._heard_lang or self.language
        )

    def speech_ended(self) -> bool:
        return self._speech_final

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        if self._stack is not None:
            with contextlib.suppress(Exception):
                await self._stack.aclose()
