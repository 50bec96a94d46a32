"""`/webhooks/whatsapp/`: Meta's verification handshake (GET) and signed events (POST).

A POST is believed only when `X-Hub-Signature-256` is the HMAC-SHA256 of the
exact raw body under WHATSAPP_APP_SECRET (compared in constant time);
anything else is a 403 and nothing is written. Events are applied inline:
each is a few indexed queries, so Meta gets its 200 quickly, and a failure
answers 500 so Meta delivers the batch again (applying it twice is harmless).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from reminders.services import webhook_process

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"


def signature_for(body: bytes, secret: str) -> str:
    """The header value Meta sends for `body`: "sha256=<hex digest>"."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(body: bytes, header: str | None, secret: str) -> bool:
    if not secret or not header:
        return False
    return hmac.compare_digest(signature_for(body, secret).encode(), header.strip().encode())


def _handshake(request: HttpRequest) -> HttpResponse:
    expected = settings.WHATSAPP_VERIFY_TOKEN
    given = request.GET.get("hub.verify_token", "")
    if (
        request.GET.get("hub.mode") == "subscribe"
        and expected
        and hmac.compare_digest(expected.encode(), given.encode())
    ):
        return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
    logger.warning("whatsapp webhook handshake refused")
    return HttpResponseForbidden("Verification failed.")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _handshake(request)
    body = request.body
    if not signature_valid(
        body, request.headers.get(SIGNATURE_HEADER), settings.WHATSAPP_APP_SECRET
    ):
        logger.warning("whatsapp webhook with a bad or missing signature refused")
        return HttpResponseForbidden("Bad signature.")
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        logger.warning("signed whatsapp webhook that is not JSON ignored")
        return HttpResponse(status=400)
    summary = webhook_process(payload=payload)
    logger.info(
        "whatsapp webhook",
        extra={
            "applied": summary.statuses_applied,
            "ignored": summary.statuses_ignored,
            "messages": summary.messages_stored,
        },
    )
    return HttpResponse(status=200)
