"""Whole-file voice commands (POST /api/v1/voice/commands): decode, transcribe, speak.

Uploads are WAV, OGG/Opus (WhatsApp voice notes, Firefox) or WebM/Opus (Chrome's
MediaRecorder), decoded by Debian's ffmpeg to 16 kHz mono PCM. The container is
recognised from its first bytes and named to ffmpeg explicitly, with only the
pipe protocol allowed: ffmpeg's format guessing would otherwise accept playlists
(HLS, concat) whose entries read local files or fetch URLs.
"""

from __future__ import annotations

import subprocess
from typing import Any

from asgiref.sync import async_to_sync

from voice.speech import recognizer_open, synthesizer
from voice.speech.base import SpeechError, Transcript
from voice.speech.tts import wav_with_sizes

SAMPLE_RATE = 16000
_CHUNK = SAMPLE_RATE * 2 // 10  # 100 ms
FFMPEG_TIMEOUT_SECONDS = 20


class AudioError(Exception):
    """The upload is not audio we can use; `code` names why."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


def _container(head: bytes) -> str | None:
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "matroska"  # WebM is Matroska to ffmpeg's demuxer
    return None


def audio_decode(data: bytes, *, max_seconds: int) -> bytes:
    """16 kHz mono s16le PCM of an uploaded WAV/OGG/WebM; AudioError when it is not
    one, cannot be decoded, or lasts longer than `max_seconds`."""
    container = _container(data[:16])
    if container is None:
        raise AudioError("Send WAV, OGG/Opus or WebM/Opus audio.", code="unsupported_audio")
    command = [
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin",
        "-protocol_whitelist", "pipe", "-f", container, "-i", "pipe:0",
        # Decode a little past the limit only: a three-hour file costs no more than this.
        "-t", str(max_seconds + 1),
        "-f", "s16le", "-acodec", "pcm_s16le", "-ac", "1", "-ar", str(SAMPLE_RATE), "pipe:1",
    ]  # fmt: skip
    try:
        process = subprocess.run(  # noqa: S603 (fixed argv, no shell)
            command, input=data, capture_output=True, timeout=FFMPEG_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise AudioError("The audio took too long to decode.", code="bad_audio") from error
    if process.returncode != 0 or not process.stdout:
        raise AudioError("The audio could not be decoded.", code="bad_audio")
    pcm = process.stdout
    if len(pcm) > max_seconds * SAMPLE_RATE * 2:
        raise AudioError(f"The audio is longer than {max_seconds} s.", code="audio_too_long")
    return pcm


async def _recognise(recognizer: Any, pcm: bytes) -> Transcript:
    try:
        for start in range(0, len(pcm), _CHUNK):
            await recognizer.feed(pcm[start : start + _CHUNK])
        return await recognizer.finish()
    finally:
        await recognizer.close()


def audio_transcribe(*, business: Any, language: str, pcm: bytes) -> Transcript:
    """The final transcript of a whole recording (sync; SpeechError from the provider)."""
    recognizer = recognizer_open(business=business, language=language, sample_rate=SAMPLE_RATE)
    return async_to_sync(_recognise)(recognizer, pcm)


async def _speak(text: str, lang: str) -> bytes:
    voice = synthesizer()
    if voice is None or not text:
        return b""
    audio = bytearray()
    async for chunk in voice.synthesize(text, lang=lang):
        audio += chunk
    return wav_with_sizes(bytes(audio))


def audio_speak(*, text: str, lang: str) -> bytes:
    """The whole reply as one WAV file (b"" when TTS is off); SpeechError when it fails."""
    return async_to_sync(_speak)(text, lang)


__all__ = ["AudioError", "SpeechError", "audio_decode", "audio_speak", "audio_transcribe"]
