"""A SigV4 gate in front of moto's S3 server: what moto leaves out, checked as S3 does.

moto's server mode stores and serves objects faithfully but never checks a
pre-signed URL's signature or its expiry. This gateway listens on 127.0.0.1,
checks every query-signed request (X-Amz-Algorithm=AWS4-HMAC-SHA256) the way
S3 does — the signature recomputed with the secret key, then X-Amz-Date +
X-Amz-Expires against the clock — answers S3's own 403 XML error when either
fails, and forwards everything else to moto unchanged.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx

_HOP_HEADERS = {"host", "connection", "transfer-encoding", "keep-alive", "content-length"}


def _s3_error(code: str, message: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    ).encode()


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def presigned_refusal(
    *, method: str, path: str, query: str, host: str, secret_key: str, now: datetime.datetime
) -> tuple[str, str] | None:
    """(S3 error code, message) for a bad or expired pre-signed request, None when it is good."""
    params = parse_qsl(query, keep_blank_values=True)
    values = dict(params)
    try:
        date = datetime.datetime.strptime(values["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.UTC
        )
        expires = int(values["X-Amz-Expires"])
        signature = values["X-Amz-Signature"]
        scope = values["X-Amz-Credential"].split("/", 1)[1]
        signed_headers = values["X-Amz-SignedHeaders"]
    except (KeyError, ValueError, IndexError):
        return "AuthorizationQueryParametersError", "Query-string authentication is malformed"
    canonical_query = "&".join(
        f"{quote(key, safe='-_.~')}={quote(value, safe='-_.~')}"
        for key, value in sorted(params)
        if key != "X-Amz-Signature"
    )
    if signed_headers != "host":
        return "AccessDenied", "Only the host header may be signed here"
    canonical = "\n".join(
        [method, path, canonical_query, f"host:{host}", "", "host", "UNSIGNED-PAYLOAD"]
    )
    to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            values["X-Amz-Date"],
            scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    day, region, service, _ = scope.split("/")
    key = _hmac(
        _hmac(_hmac(_hmac(f"AWS4{secret_key}".encode(), day), region), service), "aws4_request"
    )
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return "SignatureDoesNotMatch", "The request signature we calculated does not match"
    if now > date + datetime.timedelta(seconds=expires):
        return "AccessDenied", "Request has expired"
    return None


class S3Gateway:
    def __init__(self, *, upstream: str, secret_key: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.secret_key = secret_key
        self.refused: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> S3Gateway:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    if name.lower() not in _HOP_HEADERS:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _handle(self) -> None:
                parts = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if "X-Amz-Signature=" in parts.query:
                    refusal = presigned_refusal(
                        method=self.command,
                        path=parts.path,
                        query=parts.query,
                        host=self.headers.get("Host", ""),
                        secret_key=gateway.secret_key,
                        now=datetime.datetime.now(datetime.UTC),
                    )
                    if refusal is not None:
                        gateway.refused.append(refusal[0])
                        self._send(403, _s3_error(*refusal), {"Content-Type": "application/xml"})
                        return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS}
                answer = httpx.request(
                    self.command,
                    gateway.upstream + self.path,
                    headers=headers,
                    content=body,
                    timeout=10,
                )
                self._send(answer.status_code, answer.content, dict(answer.headers))

            do_GET = do_PUT = do_HEAD = do_DELETE = do_POST = _handle

        return Handler
