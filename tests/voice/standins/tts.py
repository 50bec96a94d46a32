"""Local stand-ins for the OpenAI `POST /v1/audio/speech` and ElevenLabs
`POST /v1/text-to-speech/{voice_id}/stream` endpoints: they check the key and the
body as the real APIs do and stream raw PCM (a tone as long as the text) in chunked
transfer encoding, pausing between chunks so a client can be seen playing the first
bytes before the last exist."""

from __future__ import annotations

import json
import math
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

OPENAI_KEY = "sk-standin"
ELEVENLABS_KEY = "el-standin"


def tone(seconds: float, rate: int) -> bytes:
    return b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / rate)))
        for n in range(int(seconds * rate))
    )


class TTSStandin:
    def __init__(self, *, chunk_delay: float = 0.05, fail_status: int | None = None) -> None:
        self.chunk_delay = chunk_delay
        self.fail_status = fail_status
        self.requests: list[dict[str, Any]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> TTSStandin:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                url = urlparse(self.path)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                standin.requests.append(
                    {"path": url.path, "query": parse_qs(url.query), "body": body,
                     "headers": dict(self.headers)}
                )  # fmt: skip
                if url.path == "/v1/audio/speech":
                    ok = self.headers.get("Authorization") == f"Bearer {OPENAI_KEY}"
                    valid = body.get("response_format") == "pcm" and body.get("input")
                    rate = 24000
                elif url.path.startswith("/v1/text-to-speech/") and url.path.endswith("/stream"):
                    ok = self.headers.get("xi-api-key") == ELEVENLABS_KEY
                    output = parse_qs(url.query).get("output_format", ["mp3_44100_128"])[0]
                    valid = output == "pcm_16000" and body.get("text")
                    rate = 16000
                else:
                    return self._json(404, {"error": "not found"})
                if not ok:
                    return self._json(401, {"error": {"message": "Incorrect API key"}})
                if not valid or standin.fail_status:
                    return self._json(standin.fail_status or 400, {"error": "bad request"})
                text = body.get("input") or body.get("text")
                pcm = tone(min(3.0, 0.06 * len(text)), rate)
                self.send_response(200)
                self.send_header("Content-Type", "audio/pcm")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                step = rate // 5 * 2  # 200 ms of audio a chunk
                for start in range(0, len(pcm), step):
                    chunk = pcm[start : start + step]
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    self.wfile.flush()
                    time.sleep(standin.chunk_delay)
                self.wfile.write(b"0\r\n\r\n")

            def _json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
