"""The interfaces every speech provider implements, so the consumer and the REST
voice endpoint never know which recogniser or synthesiser is behind them.

Speech-to-text is streaming: audio is fed while the user speaks, partial
transcripts come back as they change, and `finish` gives the final one.
Text-to-speech yields WAV bytes in chunks so the first audio can leave before
the whole reply is synthesised, where the provider streams.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol


class SpeechError(Exception):
    """A provider failed (unreachable, refused, bad audio); `code` goes into the error frame."""

    def __init__(self, message: str, *, code: str = "speech_failed") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Transcript:
    text: str
    final: bool
    confidence: float | None = None
    # BCP-47 language the recogniser heard ("hi", "en-IN"), where it says.
    lang: str | None = None


class SpeechRecognizer(Protocol):
    """One utterance's recogniser: fed 16-bit little-endian mono PCM at `sample_rate`."""

    sample_rate: int

    async def feed(self, pcm: bytes) -> list[Transcript]:
        """Take the next chunk of audio; return the transcripts that changed (often none)."""
        ...

    async def finish(self) -> Transcript:
        """The user stopped: flush and return the final transcript ("" when nothing was heard)."""
        ...

    def speech_ended(self) -> bool:
        """Hands-free mode: whether speech was heard and then a pause long enough to end it."""
        ...

    async def close(self) -> None:
        """Release the recogniser (sockets, decoder); safe to call twice."""
        ...


class SpeechSynthesizer(Protocol):
    """Turns a reply into audio."""

    media_type: str  # "audio/wav"

    def synthesize(self, text: str, *, lang: str) -> AsyncIterator[bytes]:
        """Yield the reply audio in chunks, in order; their concatenation is one playable file."""
        ...
