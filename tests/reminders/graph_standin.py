"""A local stand-in of the WhatsApp Cloud API (Graph API) for tests and benchmarks.

It listens on 127.0.0.1, accepts `POST /{version}/{phone_number_id}/messages`
in the real request shapes and checks them as the real one does (bearer token,
messaging_product, recipient, text body, known template with its language and
the right number of body parameters, a document by link, which it downloads
as WhatsApp does, or by the id of media uploaded to `POST /{version}/{phone_number_id}/media`
as multipart form data), answers with the real
success and error bodies, and counts what it accepted per
`biz_opaque_callback_data` so a test can see duplicates.

It can be told to misbehave, request by request (`script`): answer 429 with
130429, 400 with any Graph code, 500, or hang past the client's timeout (with
or without having accepted the message). It enforces a per-number throughput
like WhatsApp's (a token bucket: `throughput` messages a second, bursts up to
one second's worth; 130429 above it). It can post signed status webhooks back
(`auto_statuses`, `post_statuses`).

In-process: `GraphStandIn(...).start()`. As a process (benchmarks):
`python -m tests.reminders.graph_standin --port N ...`; then GET
`/_standin/stats` reads the counters and POST `/_standin/config` changes
`throughput`, `latency`, `auto_statuses` or `webhook_url`.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import itertools
import json
import queue
import re
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

TOKEN = "standin-token"
PHONE_NUMBER_ID = "106540352242922"
APP_SECRET = "standin-app-secret"
VERSION = "v21.0"
# name -> (languages, number of body parameters)
TEMPLATES = {"payment_reminder": ({"en", "hi"}, 4)}
_PATH = re.compile(r"^/(?P<version>v\d+\.\d+)/(?P<phone>[^/]+)/messages/?$")
_MEDIA_PATH = re.compile(r"^/(?P<version>v\d+\.\d+)/(?P<phone>[^/]+)/media/?$")
# What the Cloud API takes as a document upload, and its size limit (100 MB).
DOCUMENT_TYPES = {"application/pdf", "text/plain", "application/msword"}
MAX_DOCUMENT_BYTES = 100 * 1024 * 1024


def graph_error(code: int, message: str, *, details: str = "", http_status: int = 400) -> tuple:
    body = {
        "error": {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": details or message},
            "fbtrace_id": "AStandInTrace",
        }
    }
    return http_status, body


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def status_webhook(
    statuses: list[dict[str, Any]], *, phone_number_id: str = PHONE_NUMBER_ID
) -> dict[str, Any]:
    """A webhook body carrying status events, in Meta's shape."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA-STANDIN",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "919999900000",
                                "phone_number_id": phone_number_id,
                            },
                            "statuses": statuses,
                        },
                    }
                ],
            }
        ],
    }


def status_event(
    wamid: str,
    status: str,
    *,
    recipient: str,
    callback_data: str = "",
    timestamp: int | None = None,
    error_code: int | None = None,
    error_title: str = "",
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(timestamp if timestamp is not None else int(time.time())),
        "recipient_id": recipient,
    }
    if callback_data:
        event["biz_opaque_callback_data"] = callback_data
    if status == "sent":
        event["conversation"] = {"id": "CONVERSATION", "origin": {"type": "utility"}}
        event["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "utility"}
    if error_code is not None:
        event["errors"] = [
            {
                "code": error_code,
                "title": error_title or "Failed",
                "message": error_title or "Failed",
                "error_data": {"details": error_title or "Failed"},
            }
        ]
    return event


def inbound_webhook(
    *, wa_id: str, text: str, wamid: str, timestamp: int, context_id: str = ""
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "from": wa_id,
        "id": wamid,
        "timestamp": str(timestamp),
        "type": "text",
        "text": {"body": text},
    }
    if context_id:
        message["context"] = {"from": "919999900000", "id": context_id}
    body = status_webhook([])
    value = body["entry"][0]["changes"][0]["value"]
    del value["statuses"]
    value["contacts"] = [{"profile": {"name": "Customer"}, "wa_id": wa_id}]
    value["messages"] = [message]
    return body


@dataclass
class Accepted:
    wamid: str
    to: str
    type: str
    callback_data: str
    payload: dict[str, Any]
    at: float


@dataclass
class Media:
    """An uploaded file (POST /media) or a document WhatsApp fetched from a link."""

    media_id: str
    filename: str
    mime_type: str
    data: bytes


def _multipart(content_type: str, raw: bytes) -> dict[str, tuple[str, str, bytes]]:
    """name -> (filename, content type, bytes) of a multipart/form-data body."""
    import email.parser
    import email.policy

    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw
    )
    parts = {}
    if not message.is_multipart():
        return parts
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            parts[name] = (
                part.get_filename() or "",
                part.get_content_type(),
                part.get_payload(decode=True) or b"",
            )
    return parts


@dataclass
class _Bucket:
    rate: float
    tokens: float
    updated: float = field(default_factory=time.monotonic)

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class GraphStandIn:
    """The stand-in server. Counters are guarded by one lock; read them with `stats()`."""

    def __init__(
        self,
        *,
        token: str = TOKEN,
        phone_number_id: str = PHONE_NUMBER_ID,
        app_secret: str = APP_SECRET,
        version: str = VERSION,
        throughput: float | None = None,
        latency: float = 0.0,
        hang_seconds: float = 3.0,
        webhook_url: str = "",
        auto_statuses: tuple[str, ...] = (),
        open_windows: set[str] | None = None,
        port: int = 0,
    ) -> None:
        self.token = token
        self.phone_number_id = phone_number_id
        self.app_secret = app_secret
        self.version = version
        # Seconds before each answer, after the message was taken (or refused).
        self.latency = latency
        self.hang_seconds = hang_seconds
        self.webhook_url = webhook_url
        self.auto_statuses = tuple(auto_statuses)
        # wa_ids that wrote to us lately; None: do not check WhatsApp's 24 h rule.
        self.open_windows = open_windows
        self.lock = threading.Lock()
        self._bucket = _Bucket(throughput, throughput) if throughput else None
        self._script: deque[str] = deque()
        self._scripts_by_callback: dict[str, deque[str]] = {}
        self._ids = itertools.count(1)
        self.requests = 0
        self.requests_by_callback: Counter[str] = Counter()
        self.accepted: list[Accepted] = []
        self.accepted_by_callback: Counter[str] = Counter()
        self.refusals: Counter[str] = Counter()
        # media id -> what was uploaded; documents sent by link are fetched into `fetched`.
        self.media: dict[str, Media] = {}
        self.fetched: list[Media] = []
        self.webhooks_posted = 0
        self.webhook_failures = 0
        self._webhooks: queue.Queue = queue.Queue()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self._threads: list[threading.Thread] = []

    # --- lifecycle -----------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> GraphStandIn:
        serve = lambda: self._server.serve_forever(poll_interval=0.05)  # noqa: E731
        for target in (serve, self._post_webhooks):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._webhooks.put(None)
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> GraphStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- behaviour -------------------------------------------------------------------

    def script(self, *behaviours: str, callback_data: str | None = None) -> None:
        """Answer the next requests (of one reminder, with callback_data) like this, in order.

        "ok"; "429" (HTTP 429, code 130429); "pair_limit" (131056); "500" (HTTP 500);
        "400:<code>" (HTTP 400 with that Graph code); "hang" (no answer, not sent);
        "hang_accept" (sent, but no answer).
        """
        with self.lock:
            if callback_data is None:
                self._script.extend(behaviours)
            else:
                self._scripts_by_callback.setdefault(callback_data, deque()).extend(behaviours)

    def set_throughput(self, throughput: float | None) -> None:
        with self.lock:
            self._bucket = _Bucket(throughput, throughput) if throughput else None

    def stats(self) -> dict[str, Any]:
        with self.lock:
            duplicates = {key: n for key, n in self.accepted_by_callback.items() if n > 1}
            return {
                "requests": self.requests,
                "accepted": len(self.accepted),
                "distinct": len(self.accepted_by_callback),
                "duplicates": sum(n - 1 for n in duplicates.values()),
                "duplicated_callbacks": sorted(duplicates),
                "refusals": dict(self.refusals),
                "rate_limited": self.refusals.get("130429", 0),
                "webhooks_posted": self.webhooks_posted,
                "webhook_failures": self.webhook_failures,
                "accepted_at": {a.callback_data: a.at for a in self.accepted},
            }

    # --- webhooks ----------------------------------------------------------------------

    def post_statuses(self, events: list[dict[str, Any]]) -> httpx.Response:
        """POST one signed status webhook to `webhook_url` now."""
        body = json.dumps(status_webhook(events, phone_number_id=self.phone_number_id)).encode()
        return httpx.post(
            self.webhook_url,
            content=body,
            headers={
                "Content-Type": "application/json",
                "X-Hub-Signature-256": sign(body, self.app_secret),
            },
            timeout=10,
        )

    def _post_webhooks(self) -> None:
        with httpx.Client(timeout=10) as client:
            while True:
                events = self._webhooks.get()
                if events is None:
                    return
                body = json.dumps(
                    status_webhook(events, phone_number_id=self.phone_number_id)
                ).encode()
                try:
                    answer = client.post(
                        self.webhook_url,
                        content=body,
                        headers={
                            "Content-Type": "application/json",
                            "X-Hub-Signature-256": sign(body, self.app_secret),
                        },
                    )
                    ok = answer.status_code == 200
                except httpx.HTTPError:
                    ok = False
                with self.lock:
                    if ok:
                        self.webhooks_posted += 1
                    else:
                        self.webhook_failures += 1

    # --- the Graph API -----------------------------------------------------------------------

    def _next_behaviour(self, callback_data: str) -> str:
        with self.lock:
            mine = self._scripts_by_callback.get(callback_data)
            if mine:
                return mine.popleft()
            if self._script:
                return self._script.popleft()
            return "ok"

    def _validate(self, payload: Any) -> tuple | None:
        if not isinstance(payload, dict):
            return graph_error(100, "(#100) Invalid parameter")
        if payload.get("messaging_product") != "whatsapp":
            return graph_error(100, "(#100) The parameter messaging_product is required.")
        to = payload.get("to")
        if not isinstance(to, str) or not re.fullmatch(r"\d{8,15}", to):
            return graph_error(100, "(#100) Invalid parameter", details="Invalid 'to' number")
        callback = payload.get("biz_opaque_callback_data", "")
        if not isinstance(callback, str) or len(callback) > 512:
            return graph_error(100, "(#100) biz_opaque_callback_data is too long")
        kind = payload.get("type", "text")
        if kind == "text":
            body = (payload.get("text") or {}).get("body")
            if not isinstance(body, str) or not body.strip() or len(body) > 4096:
                return graph_error(100, "(#100) Param text['body'] must be 1-4096 characters")
        elif kind == "template":
            return self._validate_template(payload.get("template"))
        elif kind == "document":
            return self._validate_document(payload.get("document"))
        else:
            return graph_error(100, f"(#100) Unsupported message type {kind!r}")
        return None

    def _validate_document(self, document: Any) -> tuple | None:
        """A document by `id` (uploaded here first) or `link`, which WhatsApp downloads.

        The link is fetched now, as WhatsApp would, so an expired or private
        link is refused the way WhatsApp reports it (131053, media download error).
        """
        if not isinstance(document, dict):
            return graph_error(100, "(#100) Param document must be an object")
        link, media_id = document.get("link"), document.get("id")
        if bool(link) == bool(media_id):
            return graph_error(100, "(#100) document needs exactly one of link or id")
        filename = document.get("filename", "")
        if not isinstance(filename, str) or len(filename) > 240:
            return graph_error(100, "(#100) Param document['filename'] is invalid")
        caption = document.get("caption", "")
        if not isinstance(caption, str) or len(caption) > 1024:
            return graph_error(100, "(#100) Param document['caption'] is too long")
        if media_id:
            with self.lock:
                known = str(media_id) in self.media
            if not known:
                return graph_error(131053, "(#131053) Media upload error", details="unknown id")
            return None
        if not isinstance(link, str) or not link.startswith(("http://", "https://")):
            return graph_error(100, "(#100) Param document['link'] must be a URL")
        try:
            answer = httpx.get(link, timeout=5)
        except httpx.HTTPError:
            answer = None
        if answer is None or answer.status_code != 200:
            got = "no answer" if answer is None else f"HTTP {answer.status_code}"
            return graph_error(
                131053, "(#131053) Media upload error", details=f"Downloading the media: {got}"
            )
        with self.lock:
            self.fetched.append(
                Media("", filename, answer.headers.get("content-type", ""), answer.content)
            )
        return None

    def handle_media(self, headers: Any, path: str, raw: bytes) -> tuple[int, dict]:
        """POST /{version}/{phone_number_id}/media: multipart file upload → {"id"}."""
        match = _MEDIA_PATH.match(path)
        if headers.get("Authorization") != f"Bearer {self.token}":
            return graph_error(190, "Invalid OAuth access token.", http_status=401)
        if match is None or match["version"] != self.version:
            return graph_error(100, "Unknown path components")
        if match["phone"] != self.phone_number_id:
            return graph_error(100, "(#100) Unsupported post request.")
        content_type = headers.get("Content-Type", "")
        if not content_type.startswith("multipart/form-data"):
            return graph_error(100, "(#100) Upload must be multipart/form-data")
        parts = _multipart(content_type, raw)
        product = parts.get("messaging_product", ("", "", b""))[2].decode()
        if product != "whatsapp":
            return graph_error(100, "(#100) The parameter messaging_product is required.")
        if "file" not in parts:
            return graph_error(100, "(#100) The parameter file is required.")
        filename, mime_type, data = parts["file"]
        declared = parts.get("type", ("", "", b""))[2].decode() or mime_type
        if declared not in DOCUMENT_TYPES or mime_type != declared:
            return graph_error(131053, "(#131053) Media upload error", details="unsupported type")
        if not data or len(data) > MAX_DOCUMENT_BYTES:
            return graph_error(131053, "(#131053) Media upload error", details="bad size")
        media_id = f"{next(self._ids) + 9_000_000_000_000}"
        with self.lock:
            self.media[media_id] = Media(media_id, filename, mime_type, data)
        return 200, {"id": media_id}

    def _validate_template(self, template: Any) -> tuple | None:
        if not isinstance(template, dict) or not template.get("name"):
            return graph_error(100, "(#100) The parameter template['name'] is required.")
        known = TEMPLATES.get(template["name"])
        language = (template.get("language") or {}).get("code")
        if known is None or language not in known[0]:
            return graph_error(
                132001,
                "(#132001) Template name does not exist in the translation",
                details=f"template name ({template['name']}) does not exist in {language}",
            )
        params = []
        for component in template.get("components") or []:
            if isinstance(component, dict) and component.get("type") == "body":
                params = component.get("parameters") or []
        if len(params) != known[1]:
            return graph_error(
                132000,
                "(#132000) Number of parameters does not match the expected number of params",
                details=f"body: number of localizable_params ({len(params)}) does not match "
                f"the expected number of params ({known[1]})",
            )
        for param in params:
            text = param.get("text") if isinstance(param, dict) else None
            if not isinstance(text, str) or not text or re.search(r"[\n\t]| {5,}", text):
                return graph_error(
                    132018, "(#132018) There was an issue with the parameters in your template."
                )
        return None

    def handle_messages(self, headers: Any, path: str, raw: bytes) -> tuple[int, dict, float]:
        """(HTTP status, body, seconds to hang before answering) for one request."""
        with self.lock:
            self.requests += 1
        match = _PATH.match(path)
        if headers.get("Authorization") != f"Bearer {self.token}":
            return (*graph_error(190, "Invalid OAuth access token.", http_status=401), 0)
        if match is None or match["version"] != self.version:
            return (*graph_error(100, "Unknown path components", http_status=400), 0)
        if match["phone"] != self.phone_number_id:
            return (*graph_error(100, "(#100) Unsupported post request.", http_status=400), 0)
        try:
            payload = json.loads(raw)
        except ValueError:
            return (*graph_error(100, "(#100) Invalid JSON"), 0)
        refusal = self._validate(payload)
        callback = payload.get("biz_opaque_callback_data", "") if isinstance(payload, dict) else ""
        with self.lock:
            self.requests_by_callback[callback] += 1
        if refusal is not None:
            with self.lock:
                self.refusals[str(refusal[1]["error"]["code"])] += 1
            return (*refusal, 0)
        behaviour = self._next_behaviour(callback)
        with self.lock:
            limited = self._bucket is not None and not self._bucket.take()
        if limited:
            behaviour = "429"
        if behaviour == "429":
            answer = graph_error(130429, "(#130429) Rate limit hit", http_status=429)
        elif behaviour == "pair_limit":
            answer = graph_error(
                131056, "(#131056) (Business Account, Consumer Account) pair rate limit hit"
            )
        elif behaviour == "500":
            answer = graph_error(131000, "(#131000) Something went wrong", http_status=500)
        elif behaviour.startswith("400:"):
            code = int(behaviour.split(":", 1)[1])
            answer = graph_error(code, f"(#{code}) Refused by the stand-in")
        elif behaviour == "hang":
            return 500, {}, self.hang_seconds
        else:
            accepted = self._accept(payload, callback)
            hang = self.hang_seconds if behaviour == "hang_accept" else 0
            return 200, accepted, hang
        with self.lock:
            self.refusals[str(answer[1]["error"]["code"])] += 1
        return (*answer, 0)

    def _accept(self, payload: dict[str, Any], callback: str) -> dict[str, Any]:
        wamid = f"wamid.STANDIN{next(self._ids):012d}"
        to = payload["to"]
        with self.lock:
            self.accepted.append(
                Accepted(wamid, to, payload.get("type", "text"), callback, payload, time.time())
            )
            self.accepted_by_callback[callback] += 1
        events = [
            status_event(wamid, status, recipient=to, callback_data=callback)
            for status in self.auto_statuses
        ]
        reengage = (
            self.open_windows is not None
            and payload.get("type") == "text"
            and to not in self.open_windows
        )
        if reengage:
            # As WhatsApp does: accepted now, reported failed (131047) by webhook.
            events = [
                status_event(
                    wamid,
                    "failed",
                    recipient=to,
                    callback_data=callback,
                    error_code=131047,
                    error_title="Re-engagement message",
                )
            ]
        if events and self.webhook_url:
            self._webhooks.put(events)
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [{"id": wamid, "message_status": "accepted"}],
        }

    def configure(self, config: dict[str, Any]) -> None:
        if "throughput" in config:
            self.set_throughput(config["throughput"])
        with self.lock:
            if "latency" in config:
                self.latency = float(config["latency"])
            if "auto_statuses" in config:
                self.auto_statuses = tuple(config["auto_statuses"])
            if "webhook_url" in config:
                self.webhook_url = str(config["webhook_url"])

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as separate writes: without TCP_NODELAY, Nagle's
            # algorithm and the client's delayed ACK add 40 ms to every answer.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _answer(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.startswith("/_standin/stats"):
                    self._answer(200, standin.stats())
                else:
                    self._answer(404, {"error": {"message": "Unknown path", "code": 100}})

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.startswith("/_standin/config"):
                    standin.configure(json.loads(raw or b"{}"))
                    self._answer(200, {"ok": True})
                    return
                if _MEDIA_PATH.match(self.path.split("?")[0]):
                    self._answer(*standin.handle_media(self.headers, self.path, raw))
                    return
                status, body, hang = standin.handle_messages(self.headers, self.path, raw)
                if standin.latency:
                    # After the decision: a message may be taken while its answer is on the way.
                    time.sleep(standin.latency)
                try:
                    if hang:
                        time.sleep(hang)
                        self.close_connection = True
                        if status != 200:
                            return  # never answer
                    self._answer(status, body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--throughput", type=float, default=80.0, help="0: unlimited")
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--webhook-url", default="")
    parser.add_argument("--token", default=TOKEN)
    parser.add_argument("--phone-number-id", default=PHONE_NUMBER_ID)
    parser.add_argument("--app-secret", default=APP_SECRET)
    args = parser.parse_args()
    standin = GraphStandIn(
        port=args.port,
        throughput=args.throughput or None,
        latency=args.latency,
        webhook_url=args.webhook_url,
        token=args.token,
        phone_number_id=args.phone_number_id,
        app_secret=args.app_secret,
    ).start()
    print(f"graph stand-in on {standin.base_url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        standin.stop()


if __name__ == "__main__":
    main()
