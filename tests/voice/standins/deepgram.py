"""A local stand-in for Deepgram's live streaming API (`wss://api.deepgram.com/v1/listen`).

It speaks the protocol the SDK speaks: token auth in the handshake, the query
parameters (model, language, encoding, sample_rate, interim_results,
endpointing), binary linear16 audio in, JSON `Results` out (interim, then
`is_final` with `speech_final` when the endpointer hears a pause),
`Finalize` answered with a `from_finalize` result, `CloseStream` answered with
`Metadata` and a close. It cannot recognise speech: it reveals a scripted
transcript one word per `seconds_per_word` of voiced audio (energy above a
threshold), so timing, partials and endpointing follow the real audio.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import json
import math
import threading
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlparse

from websockets.asyncio.server import serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Response

API_KEY = "dg-standin-key"
SPEECH_RMS = 300  # int16 RMS above which a chunk counts as speech


@dataclass
class Stream:
    params: dict[str, str]
    audio_bytes: int = 0
    messages: list[str] = field(default_factory=list)


class DeepgramStandin:
    def __init__(self, *, script: str = "", seconds_per_word: float = 0.25) -> None:
        self.script = script
        self.seconds_per_word = seconds_per_word
        self.streams: list[Stream] = []
        self.rejected = 0
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def __enter__(self) -> DeepgramStandin:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self._ready.wait(5)
        return self

    def __exit__(self, *exc: Any) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(5)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with serve(
            self._handle, "127.0.0.1", 0, process_request=self._check, max_size=2**20
        ) as server:
            self.port = server.sockets[0].getsockname()[1]
            self._ready.set()
            await self._stop.wait()

    def _check(self, connection, request) -> Response | None:
        path = urlparse(request.path)
        if path.path != "/v1/listen":
            return _refuse(HTTPStatus.NOT_FOUND)
        if request.headers.get("Authorization") != f"Token {API_KEY}":
            self.rejected += 1
            return _refuse(HTTPStatus.UNAUTHORIZED)
        params = {key: values[-1] for key, values in parse_qs(path.query).items()}
        if params.get("encoding") != "linear16" or "sample_rate" not in params:
            return _refuse(HTTPStatus.BAD_REQUEST)
        return None

    async def _handle(self, websocket) -> None:
        query = urlparse(websocket.request.path).query
        stream = Stream(params={key: values[-1] for key, values in parse_qs(query).items()})
        self.streams.append(stream)
        with contextlib.suppress(ConnectionClosed):  # clients may not wait for Metadata
            await _Session(self, websocket, stream).run()


class _Session:
    """One live connection: reveal the script with the voiced audio, endpoint on silence."""

    def __init__(self, standin: DeepgramStandin, websocket, stream: Stream) -> None:
        self.standin = standin
        self.websocket = websocket
        self.stream = stream
        self.rate = int(stream.params["sample_rate"])
        self.endpointing = int(stream.params.get("endpointing", "10")) / 1000
        self.interim = stream.params.get("interim_results") == "true"
        self.words: list[str] = []  # the script as it stands when speech starts
        self.voiced = 0.0  # seconds of speech in the current segment
        self.silence = 0.0
        self.shown = 0  # words revealed by interim results
        self.final_words = 0  # words already sent as is_final
        self.clock = 0.0
        self.request_id = str(uuid.uuid4())

    async def run(self) -> None:
        async for message in self.websocket:
            if isinstance(message, bytes):
                await self.audio(message)
                continue
            self.stream.messages.append(message)
            kind = json.loads(message).get("type")
            if kind == "Finalize":
                pending = self.voiced > 0
                text = " ".join(self.words[self.final_words :]) if pending else ""
                if pending:
                    self.final_words, self.voiced = len(self.words), 0.0
                await self.results(text, final=True, speech_final=False, from_finalize=True)
            elif kind == "CloseStream":
                await self.websocket.send(
                    json.dumps(
                        {
                            "type": "Metadata",
                            "transaction_key": "deprecated",
                            "request_id": self.request_id,
                            "sha256": "0" * 64,
                            "created": "2026-11-24T00:00:00.000Z",
                            "duration": round(self.clock, 3),
                            "channels": 1,
                        }
                    )
                )
                await self.websocket.close()
                return

    async def audio(self, message: bytes) -> None:
        self.stream.audio_bytes += len(message)
        seconds = len(message) / (2 * self.rate)
        self.clock += seconds
        if _rms(message) >= SPEECH_RMS:
            if not self.words:
                self.words = self.standin.script.split()
            self.voiced += seconds
            self.silence = 0.0
            per_word = self.standin.seconds_per_word
            reveal = min(len(self.words), self.final_words + int(self.voiced / per_word) + 1)
            if self.interim and reveal > self.shown:
                self.shown = reveal
                text = " ".join(self.words[self.final_words : self.shown])
                await self.results(text, final=False, speech_final=False, from_finalize=False)
        elif self.voiced > 0:
            self.silence += seconds
            if self.silence >= self.endpointing:
                # The endpointer: what was said so far is final, and the speech ended.
                text = " ".join(self.words[self.final_words :])
                self.final_words = self.shown = len(self.words)
                self.voiced = 0.0
                await self.results(text, final=True, speech_final=True, from_finalize=False)

    async def results(self, text: str, *, final: bool, speech_final: bool, from_finalize: bool):
        await self.websocket.send(
            json.dumps(
                {
                    "type": "Results",
                    "channel_index": [0, 1],
                    "duration": round(self.clock, 3),
                    "start": 0.0,
                    "is_final": final,
                    "speech_final": speech_final,
                    "from_finalize": from_finalize,
                    "channel": {
                        "alternatives": [{"transcript": text, "confidence": 0.97, "words": []}]
                    },
                    "metadata": {
                        "request_id": self.request_id,
                        "model_info": {"name": "standin", "version": "1", "arch": "nova"},
                        "model_uuid": str(uuid.uuid4()),
                    },
                }
            )
        )


def _refuse(status: HTTPStatus) -> Response:
    return Response(status.value, status.phrase, Headers(), status.phrase.encode())


def _rms(pcm: bytes) -> float:
    samples = array.array("h", pcm[: len(pcm) - len(pcm) % 2])
    if not samples:
        return 0.0
    return math.sqrt(sum(sample * sample for sample in samples) / len(samples))
