"""One exception handler: every API error has the same JSON body.

    {"detail": "<what a person reads>", "code": "<machine code>",
     "errors": {"<field>": ["<message>", ...]}}

`errors` is {} when no single field is at fault. Domain errors
(ApplicationError) also carry `detail_hi`, the Hindi a shopkeeper hears, and
`extra` where the service attached machine-readable details.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from execora.exceptions import ApplicationError

logger = logging.getLogger(__name__)

NON_FIELD = "non_field_errors"


def error_body(
    detail: str,
    code: str,
    errors: dict[str, list[str]] | None = None,
    **more: Any,
) -> dict[str, Any]:
    """The error body every API error uses; `more` adds optional keys (detail_hi, extra)."""
    body: dict[str, Any] = {"detail": str(detail), "code": str(code), "errors": errors or {}}
    body.update({key: value for key, value in more.items() if value})
    return body


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error structure as {"items.3.quantity": ["..."]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = str(key) if not prefix else f"{prefix}.{key}"
            if key == NON_FIELD:
                # A nested object's or list's own error belongs to it: "items", not
                # "items.non_field_errors".
                name = prefix or NON_FIELD
            flat.update(flatten_errors(value, name))
    elif isinstance(detail, list | tuple):
        if all(not isinstance(item, dict | list | tuple) for item in detail):
            if detail:
                flat.setdefault(prefix or NON_FIELD, []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                if item:
                    flat.update(flatten_errors(item, f"{prefix}.{index}" if prefix else str(index)))
    elif detail is not None:
        flat.setdefault(prefix or NON_FIELD, []).append(str(detail))
    return flat


def _validation_response(detail: Any) -> Response:
    errors = flatten_errors(detail)
    # With no field at fault, the message itself is the detail.
    only_general = set(errors) == {NON_FIELD}
    message = " ".join(errors.pop(NON_FIELD)) if only_general else "Invalid input."
    return Response(error_body(message, "invalid", errors), status=status.HTTP_400_BAD_REQUEST)


def _application_error_response(exc: ApplicationError) -> Response:
    errors = {exc.field: [exc.message]} if exc.field else {}
    body = error_body(exc.message, exc.code, errors, detail_hi=exc.message_hi, extra=exc.extra)
    return Response(body, status=exc.status)


def _first_code(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    while isinstance(codes, list | dict):
        if not codes:
            return exc.default_code
        codes = codes[0] if isinstance(codes, list) else next(iter(codes.values()))
    return str(codes)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]. Returns None only for a real bug (a 500)."""
    if isinstance(exc, ApplicationError):
        set_rollback()
        return _application_error_response(exc)
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return _validation_response(as_serializer_error(exc))
    if isinstance(exc, exceptions.ValidationError):
        set_rollback()
        return _validation_response(exc.detail)
    if isinstance(exc, Http404):
        # Django's message names the model ("No Customer matches..."); say less.
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, SuspiciousOperation):
        # Oversized bodies, too many fields: the client's doing, so a 400.
        logger.warning("suspicious request refused", extra={"error": type(exc).__name__})
        exc = exceptions.ParseError("The request was refused as malformed or too large.")
    elif isinstance(exc, DataError):
        # A value the database cannot hold (too long, out of range) that no
        # serializer caught: still the client's input, not a server fault.
        logger.warning("database refused a value", exc_info=True)
        exc = exceptions.ValidationError("A value is too long or out of range.")
        set_rollback()
        return _validation_response(exc.detail)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.APIException):
        detail = exc.detail
        if isinstance(detail, list | dict):
            return _validation_response(detail)
        body = error_body(str(detail), _first_code(exc), detail_hi=getattr(exc, "message_hi", ""))
        response.data = body
    return response
