"""A small WhatsApp Cloud API client: text, approved template and document messages, media upload.

Two backends, chosen by WHATSAPP_BACKEND: `cloud` posts to
`{WHATSAPP_API_BASE_URL}/{WHATSAPP_API_VERSION}/{WHATSAPP_PHONE_NUMBER_ID}/messages`
with the access token; `console` (the embedded default) logs the message and
answers as if WhatsApp had accepted it.

Failures are sorted by the Graph error *code*, not the HTTP status, into what
the caller should do next (`Outcome`): retry later, give up, send the approved
template instead, or treat the outcome as unknown because the request may have
reached WhatsApp.
"""

from __future__ import annotations

import enum
import logging
import os
import re
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
from django.conf import settings

logger = logging.getLogger(__name__)

COUNTRY_CODE = "91"  # customers' phones are 10-digit Indian mobiles

# Throughput (130429), pair rate (131056), spam rate (131048) and app-level limits (4, 80007).
RATE_LIMIT_CODES = frozenset({4, 80007, 130429, 131048, 131056})
# "Re-engagement message": more than 24 h since the customer wrote; only a template may go.
NEEDS_TEMPLATE_CODES = frozenset({131047})
# WhatsApp says it did not process the request and a later try may work.
TRANSIENT_CODES = frozenset({1, 2, 131016})


class Outcome(enum.StrEnum):
    RETRY = "retry"  # not sent; try again after a backoff
    PERMANENT = "permanent"  # not sent and never will be as it stands
    NEEDS_TEMPLATE = "needs_template"  # not sent; the approved template would be
    UNKNOWN = "unknown"  # the request left us; WhatsApp may or may not have taken it


@dataclass(frozen=True)
class SendResult:
    wamid: str
    wa_id: str
    response: dict[str, Any] = field(default_factory=dict)


class WhatsAppError(Exception):
    """A send that did not end with a message id. `outcome` says what to do about it."""

    def __init__(
        self,
        outcome: Outcome,
        *,
        code: str,
        title: str,
        details: str = "",
        http_status: int | None = None,
    ) -> None:
        super().__init__(f"{code}: {title}")
        self.outcome = outcome
        self.code = code
        self.title = title
        self.details = details
        self.http_status = http_status


def wa_id_for(phone: str) -> str:
    """A 10-digit Indian mobile as WhatsApp's id: 9876543210 -> 919876543210."""
    digits = re.sub(r"\D", "", phone)
    return digits if len(digits) > 10 else f"{COUNTRY_CODE}{digits}"


def phone_for(wa_id: str) -> str:
    """WhatsApp's id of an Indian number as the customer's 10-digit phone, else ''."""
    digits = re.sub(r"\D", "", wa_id)
    if len(digits) == 12 and digits.startswith(COUNTRY_CODE):
        return digits[2:]
    return ""


def masked(wa_id: str) -> str:
    """For logs: never a whole phone number."""
    return f"…{wa_id[-4:]}" if wa_id else ""


def classify_error(http_status: int, body: Any) -> WhatsAppError:
    """The Graph error in a non-2xx answer, sorted by its code."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        if http_status >= 500:
            outcome = Outcome.UNKNOWN
        elif http_status in (408, 429):
            outcome = Outcome.RETRY
        else:
            outcome = Outcome.PERMANENT
        return WhatsAppError(
            outcome, code=f"http_{http_status}", title="HTTP error", http_status=http_status
        )
    try:
        code = int(error.get("code"))
    except (TypeError, ValueError):
        code = 0
    title = str(error.get("error_user_title") or error.get("message") or "Graph API error")[:255]
    details = ""
    if isinstance(error.get("error_data"), dict):
        details = str(error["error_data"].get("details", ""))
    if code in RATE_LIMIT_CODES:
        outcome = Outcome.RETRY
    elif code in NEEDS_TEMPLATE_CODES:
        outcome = Outcome.NEEDS_TEMPLATE
    elif http_status >= 500:
        # A 5xx is an answer from after our request arrived: it may have been acted on.
        outcome = Outcome.UNKNOWN
    elif code in TRANSIENT_CODES:
        outcome = Outcome.RETRY
    else:
        outcome = Outcome.PERMANENT
    return WhatsAppError(
        outcome, code=str(code or f"http_{http_status}"), title=title, details=details,
        http_status=http_status,
    )  # fmt: skip


def text_payload(*, to: str, body: str, callback_data: str) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"preview_url": False, "body": body},
        "biz_opaque_callback_data": callback_data,
    }


def template_payload(
    *, to: str, name: str, language: str, body_params: list[str], callback_data: str
) -> dict[str, Any]:
    template: dict[str, Any] = {"name": name, "language": {"code": language}}
    if body_params:
        template["components"] = [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": param} for param in body_params],
            }
        ]
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": template,
        "biz_opaque_callback_data": callback_data,
    }


def document_payload(
    *,
    to: str,
    filename: str,
    caption: str,
    callback_data: str,
    link: str = "",
    media_id: str = "",
) -> dict[str, Any]:
    """A document message: by a public https link, or by the id of media uploaded first."""
    if bool(link) == bool(media_id):
        raise ValueError("a document is sent by link or by media id, exactly one of them")
    document = {"link": link} if link else {"id": media_id}
    document["filename"] = filename
    if caption:
        document["caption"] = caption
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "document",
        "document": document,
        "biz_opaque_callback_data": callback_data,
    }


class WhatsAppClient(Protocol):
    def send(self, payload: dict[str, Any]) -> SendResult: ...

    def upload_media(self, *, data: bytes, filename: str, mime_type: str) -> str: ...


class CloudClient:
    """The WhatsApp Cloud API over one keep-alive HTTP connection pool."""

    def __init__(
        self,
        *,
        base_url: str,
        version: str,
        phone_number_id: str,
        token: str,
        timeout: float,
    ) -> None:
        self.url = f"{base_url.rstrip('/')}/{version}/{phone_number_id}/messages"
        self.media_url = f"{base_url.rstrip('/')}/{version}/{phone_number_id}/media"
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            headers={"Authorization": f"Bearer {token}"},
        )

    def close(self) -> None:
        self._http.close()

    def upload_media(self, *, data: bytes, filename: str, mime_type: str) -> str:
        """POST /{phone_number_id}/media (multipart): the media id a message can send.

        WhatsApp keeps uploaded media for 30 days; an upload that got no answer
        is simply repeated (an orphan upload costs nothing and is never sent).
        """
        try:
            response = self._http.post(
                self.media_url,
                data={"messaging_product": "whatsapp", "type": mime_type},
                files={"file": (filename, data, mime_type)},
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise WhatsAppError(
                Outcome.RETRY, code="connect_error", title=f"Could not connect: {exc}"[:255]
            ) from exc
        except httpx.HTTPError as exc:
            # Nothing is sent to anyone by an upload, so trying again is safe.
            raise WhatsAppError(
                Outcome.RETRY, code="upload_no_response", title=f"No answer: {type(exc).__name__}"
            ) from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code // 100 != 2:
            error = classify_error(response.status_code, body)
            if error.outcome == Outcome.UNKNOWN:
                error.outcome = Outcome.RETRY  # an upload sends nothing: safe to repeat
            raise error
        media_id = body.get("id") if isinstance(body, dict) else None
        if not media_id:
            raise WhatsAppError(
                Outcome.RETRY,
                code="bad_response",
                title="WhatsApp answered the upload without a media id",
                http_status=response.status_code,
            )
        return str(media_id)

    def send(self, payload: dict[str, Any]) -> SendResult:
        try:
            response = self._http.post(self.url, json=payload)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # Nothing was written to WhatsApp's socket: safe to try again.
            raise WhatsAppError(
                Outcome.RETRY, code="connect_error", title=f"Could not connect: {exc}"[:255]
            ) from exc
        except httpx.HTTPError as exc:
            # The request was (at least partly) sent and no answer came back.
            raise WhatsAppError(
                Outcome.UNKNOWN,
                code="timeout" if isinstance(exc, httpx.TimeoutException) else "no_response",
                title=f"No answer from WhatsApp: {type(exc).__name__}",
            ) from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code // 100 != 2:
            raise classify_error(response.status_code, body)
        try:
            wamid = body["messages"][0]["id"]
        except (TypeError, KeyError, IndexError) as exc:
            raise WhatsAppError(
                Outcome.UNKNOWN,
                code="bad_response",
                title="WhatsApp answered without a message id",
                http_status=response.status_code,
            ) from exc
        contacts = body.get("contacts") or [{}]
        return SendResult(
            wamid=wamid, wa_id=contacts[0].get("wa_id") or payload["to"], response=body
        )


class ConsoleClient:
    """The embedded default: logs the message and answers as WhatsApp would."""

    def upload_media(self, *, data: bytes, filename: str, mime_type: str) -> str:
        logger.info(
            "whatsapp console media upload",
            extra={"upload_filename": filename, "bytes": len(data), "mime_type": mime_type},
        )
        return f"console-media.{uuid.uuid4().hex}"

    def send(self, payload: dict[str, Any]) -> SendResult:
        kind = payload["type"]
        summary = payload.get("text", {}).get("body") or payload.get(kind, {}).get("name", "")
        logger.info(
            "whatsapp console send",
            extra={"to": masked(payload["to"]), "type": kind, "summary": summary[:200]},
        )
        wamid = f"console.{uuid.uuid4().hex}"
        return SendResult(wamid=wamid, wa_id=payload["to"], response={"console": True})


_clients: dict[tuple, WhatsAppClient] = {}
_clients_lock = threading.Lock()


def get_client() -> WhatsAppClient:
    """The client for the configured backend, one per process (made after a fork, never shared)."""
    backend = settings.WHATSAPP_BACKEND
    if backend == "console":
        key: tuple = ("console", os.getpid())
    else:
        key = (
            "cloud",
            os.getpid(),
            settings.WHATSAPP_API_BASE_URL,
            settings.WHATSAPP_API_VERSION,
            settings.WHATSAPP_PHONE_NUMBER_ID,
            settings.WHATSAPP_ACCESS_TOKEN,
            settings.WHATSAPP_HTTP_TIMEOUT_SECONDS,
        )
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            if backend == "console":
                client = ConsoleClient()
            else:
                client = CloudClient(
                    base_url=settings.WHATSAPP_API_BASE_URL,
                    version=settings.WHATSAPP_API_VERSION,
                    phone_number_id=settings.WHATSAPP_PHONE_NUMBER_ID,
                    token=settings.WHATSAPP_ACCESS_TOKEN,
                    timeout=float(settings.WHATSAPP_HTTP_TIMEOUT_SECONDS),
                )
            _clients[key] = client
        return client


def send_text(*, to: str, body: str, callback_data: str = "") -> SendResult:
    """Free text: WhatsApp delivers it only within 24 h of the customer's last message."""
    return get_client().send(text_payload(to=to, body=body, callback_data=callback_data))


def send_template(
    *, to: str, name: str, language: str, body_params: list[str], callback_data: str = ""
) -> SendResult:
    """An approved template: how a business starts a conversation outside the 24 h window."""
    payload = template_payload(
        to=to, name=name, language=language, body_params=body_params, callback_data=callback_data
    )
    return get_client().send(payload)


def send_document(
    *,
    to: str,
    filename: str,
    link: str = "",
    data: bytes | None = None,
    mime_type: str = "application/pdf",
    caption: str = "",
    callback_data: str = "",
) -> SendResult:
    """A document (an invoice PDF): by a public link, or uploaded first when `data` is given.

    WhatsApp fetches a link itself, so a link must be reachable from the internet
    (a pre-signed S3 URL); local files go by upload.
    """
    client = get_client()
    media_id = ""
    if data is not None:
        media_id = client.upload_media(data=data, filename=filename, mime_type=mime_type)
        link = ""
    payload = document_payload(
        to=to,
        link=link,
        media_id=media_id,
        filename=filename,
        caption=caption,
        callback_data=callback_data,
    )
    return client.send(payload)
