"""Idempotency-Key for POST: a retried request gets the first answer and writes nothing new.

How one request with a key runs (`idempotent` below):

1. Claim: INSERT an in_progress row in its own short transaction. The unique
   (business, user, key) constraint picks the one winner among racing
   requests; there is no check-then-create.
2. Run: in one transaction, lock the row (SELECT ... FOR UPDATE, still ours by
   `claim`), run the action, and store its response on the row. The business
   writes and the stored response commit together or not at all.
3. A business failure (4xx: no stock, validation) rolls the action's writes
   back, then is stored in a second short transaction, so its replay is the
   same failure (as Stripe does). A 5xx or a crash deletes the row so the
   client can retry with the same key.

Everyone else with the same key: a different body → 422; the first still
running → 409; the first finished → its stored response with
`Idempotent-Replayed: true`. A row left in_progress by a process that died
(its transaction rolled back, so nothing was written) is taken over after
IDEMPOTENCY_STALE_SECONDS; the row lock tells a live run from a dead one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from execora.api.exceptions import error_body
from execora.models import IdempotencyRecord
from execora.tenancy import membership_for_request

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Headers of the first response that a replay repeats.
_KEPT_HEADERS = ("Location",)
_VALID_KEY = re.compile(r"[\x21-\x7e][\x20-\x7e]{0,254}")

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string up to 255 printable ASCII characters (a UUID is ideal). "
        "A repeat with the same key and body returns the first response with "
        "`Idempotent-Replayed: true` and writes nothing; the same key with a different "
        "body is a 422; a repeat while the first is still running is a 409. "
        "Keys are kept for at least 24 hours."
    ),
)


class _Lost(Exception):
    """Another request took the key over while this one waited."""


class _Discard(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _canonical(value: Any) -> Any:
    if isinstance(value, MultiValueDict):
        return {key: [_canonical(item) for item in value.getlist(key)] for key in value}
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": value.name, "size": value.size, "sha256": digest.hexdigest()}
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return value


def request_fingerprint(request: Request) -> str:
    """SHA-256 of method, path with query string, and the body as canonical JSON."""
    body = json.dumps(
        _canonical(request.data),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        cls=DjangoJSONEncoder,
    )
    material = "\n".join([request.method, request.get_full_path(), body])
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()


def _plain_json(data: Any) -> Any:
    """Response data as plain JSON values, exactly as the client received them."""
    if data is None:
        return None
    return json.loads(JSONRenderer().render(data))


def _refusal(http_status: int, detail: str, code: str) -> Response:
    return Response(error_body(detail, code), status=http_status)


def _in_progress() -> Response:
    return _refusal(
        status.HTTP_409_CONFLICT,
        "A request with this Idempotency-Key is still being processed. Retry shortly.",
        "idempotency_in_progress",
    )


def _replay(record: IdempotencyRecord) -> Response:
    headers = {REPLAYED_HEADER: "true", **(record.response_headers or {})}
    return Response(record.response_body, status=record.response_status, headers=headers)


def _invalid_key() -> Response:
    return Response(
        error_body(
            "Idempotency-Key must be 1 to 255 printable ASCII characters.",
            "invalid_idempotency_key",
            {HEADER: ["1 to 255 printable ASCII characters, e.g. a UUID."]},
        ),
        status=status.HTTP_400_BAD_REQUEST,
    )


def _take_over(existing: IdempotencyRecord) -> IdempotencyRecord | None:
    """Claim a row whose runner died. None while a live runner holds its lock."""
    with transaction.atomic():
        row = (
            IdempotencyRecord.objects.select_for_update(skip_locked=True)
            .filter(pk=existing.pk, claim=existing.claim, state=IdempotencyRecord.State.IN_PROGRESS)
            .first()
        )
        if row is None:
            return None
        row.claim = uuid.uuid4()
        row.created_at = timezone.now()
        row.save(update_fields=["claim", "created_at"])
        logger.warning("idempotency key taken over", extra={"record_id": row.pk})
        return row


def _claim(
    *, business_id: int, user_id: int, key: str, fingerprint: str
) -> IdempotencyRecord | Response:
    """The new in_progress row when this request runs the action, else the answer to give."""
    for _ in range(3):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    business_id=business_id, user_id=user_id, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(
                business_id=business_id, user_id=user_id, key=key
            ).first()
        if existing is None:
            continue  # the first attempt failed with a 5xx and gave the key back; try again
        if existing.fingerprint != fingerprint:
            return _refusal(
                status.HTTP_422_UNPROCESSABLE_ENTITY,
                "This Idempotency-Key was already used with a different request.",
                "idempotency_key_reused",
            )
        if existing.state == IdempotencyRecord.State.COMPLETED:
            return _replay(existing)
        stale_before = timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_STALE_SECONDS)
        if existing.created_at < stale_before:
            taken = _take_over(existing)
            if taken is not None:
                return taken
        return _in_progress()
    return _in_progress()


def _completed_fields(response: Response) -> dict[str, Any]:
    return {
        "state": IdempotencyRecord.State.COMPLETED,
        "response_status": response.status_code,
        "response_body": _plain_json(response.data),
        "response_headers": {name: response[name] for name in _KEPT_HEADERS if name in response},
        "completed_at": timezone.now(),
    }


def _give_back(record: IdempotencyRecord) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk, claim=record.claim).delete()


def _run(view: Any, action: Callable, record: IdempotencyRecord, request: Request, *args, **kwargs):
    try:
        try:
            with transaction.atomic():
                mine = list(
                    IdempotencyRecord.objects.select_for_update()
                    .filter(
                        pk=record.pk, claim=record.claim, state=IdempotencyRecord.State.IN_PROGRESS
                    )
                    .values_list("pk", flat=True)
                )
                if not mine:
                    raise _Lost()
                response = action(view, request, *args, **kwargs)
                if response.status_code >= 500:
                    raise _Discard(response)
                # Stored in the same transaction as the action's writes.
                IdempotencyRecord.objects.filter(pk=record.pk).update(**_completed_fields(response))
                return response
        except (_Lost, _Discard):
            raise
        except Exception as exc:
            # The action refused (its writes are rolled back with the block
            # above); the exception handler turns the refusal into a response,
            # or re-raises when it is a bug.
            response = view.handle_exception(exc)
            if response.status_code >= 500:
                raise _Discard(response) from exc
            IdempotencyRecord.objects.filter(pk=record.pk, claim=record.claim).update(
                **_completed_fields(response)
            )
            return response
    except _Lost:
        return _in_progress()
    except _Discard as discard:
        _give_back(record)
        return discard.response
    except BaseException:
        _give_back(record)
        raise


def idempotent(action: Callable) -> Callable:
    """Decorate a POST view method so it honours an `Idempotency-Key` header.

    Requests without the header run as usual. Keys are scoped to the caller's
    shop and user. Apply it to `create` or to an @action (under `@action`).
    """

    @wraps(action)
    def wrapper(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return action(self, request, *args, **kwargs)
        if not _VALID_KEY.fullmatch(key):
            return _invalid_key()
        membership = membership_for_request(request)
        claim = _claim(
            business_id=membership.business_id,
            user_id=request.user.pk,
            key=key,
            fingerprint=request_fingerprint(request),
        )
        if isinstance(claim, Response):
            return claim
        return _run(self, action, claim, request, *args, **kwargs)

    wrapper.idempotent = True
    return extend_schema(parameters=[IDEMPOTENCY_KEY_PARAMETER])(wrapper)


def idempotency_records_purge(*, now: Any = None) -> int:
    """Delete keys older than IDEMPOTENCY_TTL_HOURS (never under 24 h). Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
