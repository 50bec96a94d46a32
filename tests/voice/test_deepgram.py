"""Deepgram live streaming (voice.speech.deepgram) against a local stand-in of its protocol."""

from __future__ import annotations

import asyncio

import pytest

from tests.voice.standins.deepgram import API_KEY, DeepgramStandin
from tests.voice.wsutil import espeak_pcm, in_test_thread
from voice.speech import recognizer_open
from voice.speech.base import SpeechError
from voice.speech.deepgram import DeepgramRecognizer

CHUNK = 640  # 20 ms of 16 kHz 16-bit mono


@pytest.fixture
def standin(settings):
    with DeepgramStandin(script="Ramesh ko paanch sau udhaar likho") as server:
        settings.STT_PROVIDER = "deepgram"
        settings.DEEPGRAM_API_KEY = API_KEY
        settings.DEEPGRAM_BASE_URL = server.url
        yield server


async def _stream(recognizer, pcm: bytes) -> list[str]:
    partials = []
    for start in range(0, len(pcm), CHUNK):
        for transcript in await recognizer.feed(pcm[start : start + CHUNK]):
            partials.append(transcript.text)
        await asyncio.sleep(0)
    return partials


@in_test_thread
async def test_partials_come_while_audio_streams_and_finish_gives_the_text(standin):
    # Given a recogniser made by the factory for Hinglish ("auto")
    recognizer = recognizer_open(business=None, language="auto", sample_rate=16000)
    assert isinstance(recognizer, DeepgramRecognizer)
    pcm = espeak_pcm("Ramesh ko paanch sau udhaar likho", voice="hi")

    # When the audio streams in 20 ms frames and the user stops
    partials = await _stream(recognizer, pcm[: len(pcm) * 3 // 4])
    final = await recognizer.finish()
    await recognizer.close()
    await recognizer.close()  # safe twice

    # Then partials grew word by word, and the final text is the whole command
    assert len(partials) >= 2 and partials[0] != partials[-1]
    assert final.final and final.text == "Ramesh ko paanch sau udhaar likho"
    # And the connection asked for what the provider needs
    params = standin.streams[0].params
    assert params["model"] == "nova-3" and params["language"] == "multi"
    assert params["encoding"] == "linear16" and params["sample_rate"] == "16000"
    assert params["interim_results"] == "true" and params["endpointing"] == "300"
    assert [m for m in standin.streams[0].messages if "Finalize" in m]
    assert standin.streams[0].audio_bytes == len(pcm[: len(pcm) * 3 // 4])


@in_test_thread
async def test_the_endpointer_ends_speech_after_a_pause(standin):
    recognizer = recognizer_open(business=None, language="hi-IN", sample_rate=16000)
    pcm = espeak_pcm("Ramesh ko paanch sau udhaar likho", voice="hi") + bytes(16000)  # +0.5 s
    await _stream(recognizer, pcm)
    await asyncio.sleep(0.05)
    assert recognizer.speech_ended()
    final = await recognizer.finish()
    await recognizer.close()
    assert final.text == "Ramesh ko paanch sau udhaar likho"
    assert standin.streams[0].params["language"] == "hi"


@in_test_thread
async def test_a_refused_key_is_a_speech_error(standin, settings):
    settings.DEEPGRAM_API_KEY = "wrong"
    recognizer = DeepgramRecognizer(language="en-IN")
    with pytest.raises(SpeechError) as raised:
        await recognizer.feed(bytes(CHUNK))
    assert raised.value.code == "stt_unavailable"
    assert standin.rejected == 1
    await recognizer.close()


@in_test_thread
async def test_silence_only_gives_an_empty_final(standin):
    recognizer = DeepgramRecognizer(language="en-IN")
    await _stream(recognizer, bytes(CHUNK * 10))
    final = await recognizer.finish()
    await recognizer.close()
    assert final.text == "" and not recognizer.speech_ended()
