"""Text-to-speech providers: espeak-ng on this machine, OpenAI and ElevenLabs against
local stand-ins of their HTTP APIs (streamed: first bytes before the reply is done)."""

from __future__ import annotations

import io
import time
import wave

import pytest
from asgiref.sync import async_to_sync

from tests.voice.standins.tts import ELEVENLABS_KEY, OPENAI_KEY, TTSStandin
from voice.speech import synthesizer
from voice.speech.base import SpeechError
from voice.speech.tts import EspeakSynthesizer, wav_with_sizes

REPLY = "Ramesh Kumar se 500 rupaye mil gaye. Baaki 250 rupaye."


def _collect(voice, text: str, lang: str) -> tuple[list[bytes], list[float]]:
    async def run():
        chunks, times = [], []
        start = time.perf_counter()
        async for chunk in voice.synthesize(text, lang=lang):
            chunks.append(chunk)
            times.append(time.perf_counter() - start)
        return chunks, times

    return async_to_sync(run)()


def _wav(data: bytes) -> wave.Wave_read:
    return wave.open(io.BytesIO(wav_with_sizes(data)))


@pytest.mark.parametrize(("lang", "text"), [("hi", "राकेश को पाँच सौ"), ("en", "Five hundred")])
def test_espeak_speaks_hindi_and_english_as_one_complete_wav(settings, lang, text):
    settings.TTS_PROVIDER = "local"
    voice = synthesizer()
    assert isinstance(voice, EspeakSynthesizer)
    chunks, _ = _collect(voice, text, lang)
    assert len(chunks) == 1
    with wave.open(io.BytesIO(chunks[0])) as wav:  # exact sizes in its own header
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
        assert wav.getnframes() * 2 + 44 == len(chunks[0])
        assert wav.getnframes() / wav.getframerate() > 0.4


def test_espeak_reads_a_reply_starting_with_a_dash_as_text():
    chunks, _ = _collect(EspeakSynthesizer(), "--version", "en")
    assert chunks and chunks[0][:4] == b"RIFF"


def test_openai_streams_pcm_wrapped_in_wav(settings):
    with TTSStandin() as standin:
        settings.TTS_PROVIDER = "openai"
        settings.OPENAI_API_KEY = OPENAI_KEY
        settings.OPENAI_BASE_URL = f"{standin.url}/v1"
        chunks, times = _collect(synthesizer(), REPLY, "hinglish")
    request = standin.requests[0]
    assert request["body"]["input"] == REPLY and request["body"]["response_format"] == "pcm"
    assert request["body"]["model"] == settings.OPENAI_TTS_MODEL
    assert len(chunks) > 3 and times[0] < times[-1] - 0.1  # the first bytes came early
    with _wav(b"".join(chunks)) as wav:
        assert wav.getframerate() == 24000
        assert wav.getnframes() == (len(b"".join(chunks)) - 44) // 2


def test_elevenlabs_streams_pcm_wrapped_in_wav(settings):
    with TTSStandin() as standin:
        settings.TTS_PROVIDER = "elevenlabs"
        settings.ELEVENLABS_API_KEY = ELEVENLABS_KEY
        settings.ELEVENLABS_BASE_URL = standin.url
        settings.ELEVENLABS_VOICE_ID = "voice-1"
        chunks, times = _collect(synthesizer(), REPLY, "hi")
    request = standin.requests[0]
    assert request["path"] == "/v1/text-to-speech/voice-1/stream"
    assert request["query"]["output_format"] == ["pcm_16000"]
    assert request["body"] == {"text": REPLY, "model_id": settings.ELEVENLABS_MODEL,
                               "language_code": "hi"}  # fmt: skip
    assert len(chunks) > 3 and times[0] < times[-1] - 0.1
    with _wav(b"".join(chunks)) as wav:
        assert wav.getframerate() == 16000


@pytest.mark.parametrize("provider", ["openai", "elevenlabs"])
def test_a_refused_key_or_a_server_error_is_a_speech_error(settings, provider):
    with TTSStandin(fail_status=500) as standin:
        settings.TTS_PROVIDER = provider
        settings.OPENAI_API_KEY = "wrong"
        settings.OPENAI_BASE_URL = f"{standin.url}/v1"
        settings.ELEVENLABS_API_KEY = "wrong"
        settings.ELEVENLABS_BASE_URL = standin.url
        with pytest.raises(SpeechError) as refused:
            _collect(synthesizer(), REPLY, "en")
    assert refused.value.code == "tts_failed"


def test_none_means_no_voice(settings):
    settings.TTS_PROVIDER = "none"
    assert synthesizer() is None
