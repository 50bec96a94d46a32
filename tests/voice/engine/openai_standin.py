"""A local stand-in of the OpenAI chat completions endpoint, for the intent provider's tests.

Listens on 127.0.0.1 (a free port), accepts `POST /v1/chat/completions` with
a bearer token, records every request (path, headers, JSON body), and answers
in the real response shape. What it answers is set per test:

- `answer(dict)`: a completion whose message content is that JSON;
- `content(str)`: a completion with any content (malformed JSON, prose);
- `refuse()`: a structured-output refusal (content null, `refusal` set);
- `fail(status)`: an error body with that HTTP status;
- `hang(seconds)`: answer only after the client has given up.

    with OpenAIStandIn() as llm:
        llm.answer({"intent": "help", ...})
        settings.OPENAI_BASE_URL = llm.base_url
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_KEY = "standin-key"


class OpenAIStandIn:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self._behaviour: tuple[str, Any] = ("content", "{}")
        self._released = threading.Event()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet test output
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                headers = {name.lower(): value for name, value in self.headers.items()}
                standin.requests.append({"path": self.path, "headers": headers, "body": body})
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._send(404, {"error": {"message": "no such route"}})
                if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                    return self._send(
                        401, {"error": {"message": "bad key", "type": "invalid_request_error"}}
                    )
                kind, value = standin._behaviour
                if kind == "hang":
                    standin._released.wait(value)
                    return self._send(200, standin._completion(body, "{}"))
                if kind == "fail":
                    return self._send(
                        value, {"error": {"message": "stand-in failure", "type": "server_error"}}
                    )
                if kind == "refuse":
                    return self._send(200, standin._completion(body, None, refusal="I can't"))
                return self._send(200, standin._completion(body, value))

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(OSError):  # the client timed out and left
                    self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def _completion(
        self, body: Any, content: str | None, *, refusal: str | None = None
    ) -> dict[str, Any]:
        model = body.get("model") if isinstance(body, dict) else "unknown"
        return {
            "id": f"chatcmpl-standin-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": refusal},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
        }

    # --- what to answer ---------------------------------------------------------------

    def answer(self, intent: dict[str, Any]) -> None:
        self._behaviour = ("content", json.dumps(intent))

    def content(self, text: str) -> None:
        self._behaviour = ("content", text)

    def refuse(self) -> None:
        self._behaviour = ("refuse", None)

    def fail(self, status: int = 500) -> None:
        self._behaviour = ("fail", status)

    def hang(self, seconds: float = 10.0) -> None:
        self._behaviour = ("hang", seconds)

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> OpenAIStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> OpenAIStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
