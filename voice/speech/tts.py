"""Text-to-speech: the reply in the shopkeeper's language, as WAV chunks.

- `EspeakSynthesizer` (TTS_PROVIDER=local): espeak-ng on this machine, Hindi
  and English voices. A ten-word reply takes ~15 ms, so it is sent as one
  complete file with exact sizes in its header.
- `OpenAISynthesizer` (openai): `POST {OPENAI_BASE_URL}/audio/speech` through
  the openai SDK, raw 24 kHz PCM streamed and wrapped in a WAV header.
- `ElevenLabsSynthesizer` (elevenlabs): `POST /v1/text-to-speech/{voice}/stream`
  over httpx, raw 16 kHz PCM streamed and wrapped the same way.

The streaming ones yield the header with the first audio bytes, before the
rest of the reply exists; their header carries the "unknown length" sizes
(0xFFFFFFFF) that players accept for streamed WAV.
"""

from __future__ import annotations

import asyncio
import logging
import struct
from collections.abc import AsyncIterator

import httpx
from django.conf import settings

from voice.speech.base import SpeechError

logger = logging.getLogger(__name__)

MEDIA_TYPE = "audio/wav"
_UNKNOWN = 0xFFFFFFFF
# espeak-ng voices by the engine's reply language. Hinglish is Romanised Hindi: the
# Hindi voice reads its Hindi words (and numbers: "500" as "paanch sau") the Hindi way.
ESPEAK_VOICES = {"hi": "hi", "hinglish": "hi", "en": "en-gb"}
ESPEAK_WORDS_PER_MINUTE = 165
MAX_TTS_CHARS = 1000


def wav_header(*, sample_rate: int, data_size: int | None = None, channels: int = 1) -> bytes:
    """A 44-byte PCM s16le WAV header; `data_size` None marks a stream of unknown length."""
    block_align = channels * 2
    riff_size = _UNKNOWN if data_size is None else 36 + data_size
    data = _UNKNOWN if data_size is None else data_size
    return (
        b"RIFF"
        + struct.pack("<I", riff_size)
        + b"WAVEfmt "
        + struct.pack(
            "<IHHIIHH", 16, 1, channels, sample_rate, sample_rate * block_align, block_align, 16
        )
        + b"data"
        + struct.pack("<I", data)
    )


def wav_from_pcm(pcm: bytes, *, sample_rate: int) -> bytes:
    """A complete WAV file around 16-bit mono PCM."""
    return wav_header(sample_rate=sample_rate, data_size=len(pcm)) + pcm


def wav_with_sizes(wav: bytes) -> bytes:
    """Fix the sizes of a canonical 44-byte-header WAV written to a pipe (espeak-ng leaves
    them at 0x7FFFFFFF because it cannot seek back)."""
    if len(wav) < 44 or wav[:4] != b"RIFF" or wav[36:40] != b"data":
        return wav
    return (
        wav[:4]
        + struct.pack("<I", len(wav) - 8)
        + wav[8:40]
        + struct.pack("<I", len(wav) - 44)
        + wav[44:]
    )


def _clip(text: str) -> str:
    text = " ".join(str(text or "").split())
    return text[:MAX_TTS_CHARS]


class EspeakSynthesizer:
    """espeak-ng in a subprocess; the whole file in one chunk (it is that quick)."""

    media_type = MEDIA_TYPE

    def __init__(self, *, binary: str = "espeak-ng") -> None:
        self.binary = binary

    async def synthesize(self, text: str, *, lang: str) -> AsyncIterator[bytes]:
        text = _clip(text)
        if not text:
            return
        voice = ESPEAK_VOICES.get(lang, "hi")
        try:
            # Text on stdin: a reply starting with "-" must never be read as an option.
            process = await asyncio.create_subprocess_exec(
                self.binary,
                "-v",
                voice,
                "-s",
                str(ESPEAK_WORDS_PER_MINUTE),
                "--stdout",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as error:
            raise SpeechError(f"espeak-ng could not start: {error}", code="tts_failed") from error
        out, err = await process.communicate(text.encode("utf-8"))
        if process.returncode != 0 or not out:
            raise SpeechError(
                f"espeak-ng failed ({process.returncode}): {err.decode(errors='replace')[:200]}",
                code="tts_failed",
            )
        yield wav_with_sizes(out)


class OpenAISynthesizer:
    """OpenAI `audio/speech` (or any server speaking it), streamed as it is generated."""

    media_type = MEDIA_TYPE
    sample_rate = 24000  # what response_format="pcm" returns

    async def synthesize(self, text: str, *, lang: str) -> AsyncIterator[bytes]:
        import openai

        text = _clip(text)
        if not text:
            return
        client = openai.AsyncOpenAI(
            api_key=settings.OPENAI_API_KEY,
            base_url=settings.OPENAI_BASE_URL,
            timeout=settings.TTS_TIMEOUT_SECONDS,
            max_retries=0,  # a spoken reply that comes late is worse than none
        )
        header_sent = False
        try:
            async with client.audio.speech.with_streaming_response.create(
                model=settings.OPENAI_TTS_MODEL,
                voice=settings.OPENAI_TTS_VOICE,
                input=text,
                response_format="pcm",
            ) as response:
                async for chunk in response.iter_bytes():
                    if not chunk:
                        continue
                    if not header_sent:
                        header_sent = True
                        chunk = wav_header(sample_rate=self.sample_rate) + chunk
                    yield chunk
        except openai.OpenAIError as error:
            raise SpeechError(f"OpenAI TTS failed: {error}"[:300], code="tts_failed") from error
        finally:
            await client.close()


class ElevenLabsSynthesizer:
    """ElevenLabs streaming text-to-speech over its HTTP API."""

    media_type = MEDIA_TYPE
    sample_rate = 16000
    output_format = "pcm_16000"

    async def synthesize(self, text: str, *, lang: str) -> AsyncIterator[bytes]:
        text = _clip(text)
        if not text:
            return
        url = (
            f"{settings.ELEVENLABS_BASE_URL.rstrip('/')}/v1/text-to-speech/"
            f"{settings.ELEVENLABS_VOICE_ID}/stream"
        )
        body = {"text": text, "model_id": settings.ELEVENLABS_MODEL}
        if lang in ("hi", "en"):
            body["language_code"] = lang
        headers = {"xi-api-key": settings.ELEVENLABS_API_KEY, "accept": "audio/pcm"}
        header_sent = False
        try:
            async with (
                httpx.AsyncClient(timeout=settings.TTS_TIMEOUT_SECONDS) as client,
                client.stream(
                    "POST",
                    url,
                    params={"output_format": self.output_format},
                    json=body,
                    headers=headers,
                ) as response,
            ):
                if response.status_code != 200:
                    detail = (await response.aread())[:200].decode(errors="replace")
                    raise SpeechError(
                        f"ElevenLabs TTS answered {response.status_code}: {detail}",
                        code="tts_failed",
                    )
                async for chunk in response.aiter_bytes():
                    if not chunk:
                        continue
                    if not header_sent:
                        header_sent = True
                        chunk = wav_header(sample_rate=self.sample_rate) + chunk
                    yield chunk
        except httpx.HTTPError as error:
            raise SpeechError(f"ElevenLabs TTS failed: {error}"[:300], code="tts_failed") from error
