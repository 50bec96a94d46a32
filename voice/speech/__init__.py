"""Speech-to-text and text-to-speech providers behind the interfaces of base.py.

    recognizer = recognizer_open(business=shop, language="en-IN", sample_rate=16000)
    synthesizer()  # None when TTS_PROVIDER=none

Both choose by setting (STT_PROVIDER, TTS_PROVIDER) and import their provider
lazily, so a server without pocketsphinx or the Deepgram SDK still starts.
`recognizer_open` may read the shop (its names go into the local grammar):
call it from sync code or through database_sync_to_async.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from voice.speech.base import SpeechError, SpeechRecognizer, SpeechSynthesizer, Transcript

__all__ = [
    "LANGUAGES",
    "SAMPLE_RATES",
    "SpeechError",
    "SpeechRecognizer",
    "SpeechSynthesizer",
    "Transcript",
    "recognizer_open",
    "synthesizer",
]

# What a client may ask for in its `start` frame (CONTRACTS.md).
LANGUAGES = ("hi-IN", "en-IN", "auto")
# 16-bit mono PCM at 16 kHz is what every recogniser here takes without resampling.
SAMPLE_RATES = (16000,)


def recognizer_open(*, business: Any, language: str, sample_rate: int) -> SpeechRecognizer:
    """A fresh recogniser for one utterance, by STT_PROVIDER. SpeechError when STT is off."""
    provider = settings.STT_PROVIDER
    if provider == "local":
        from voice.speech.local import LocalRecognizer

        return LocalRecognizer(business=business, language=language, sample_rate=sample_rate)
    if provider == "deepgram":
        from voice.speech.deepgram import DeepgramRecognizer

        return DeepgramRecognizer(language=language, sample_rate=sample_rate)
    raise SpeechError(
        "Speech recognition is switched off on this server; type the command instead.",
        code="stt_disabled",
    )


def synthesizer() -> SpeechSynthesizer | None:
    """The reply voice by TTS_PROVIDER; None when replies are text only."""
    from voice.speech import tts

    provider = settings.TTS_PROVIDER
    if provider == "local":
        return tts.EspeakSynthesizer()
    if provider == "openai":
        return tts.OpenAISynthesizer()
    if provider == "elevenlabs":
        return tts.ElevenLabsSynthesizer()
    return None
