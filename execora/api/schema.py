"""OpenAPI: every operation documents the error responses it can give, in the one error shape."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework.permissions import AllowAny

from execora.api.serializers import ErrorSerializer


def _example(name: str, body: dict[str, Any]) -> OpenApiExample:
    return OpenApiExample(name, value={"errors": {}, **body}, response_only=True)


ERROR_RESPONSES: dict[str, OpenApiResponse] = {
    "400": OpenApiResponse(
        ErrorSerializer,
        description="The input is invalid; `errors` names the fields at fault.",
        examples=[
            _example(
                "Invalid input",
                {
                    "detail": "Invalid input.",
                    "code": "invalid",
                    "errors": {"items.0.quantity": ["Ensure this value is greater than 0."]},
                },
            ),
            _example(
                "Refused by a business rule",
                {
                    "detail": "Only 2 kg of Sugar in stock.",
                    "detail_hi": "Sugar का स्टॉक सिर्फ़ 2 kg है।",
                    "code": "insufficient_stock",
                    "errors": {"items.0.quantity": ["Only 2 kg of Sugar in stock."]},
                },
            ),
        ],
    ),
    "401": OpenApiResponse(
        ErrorSerializer,
        description="No credentials, or a bad token. Send `Authorization: Token <token>`.",
        examples=[
            _example(
                "Not authenticated",
                {
                    "detail": "Authentication credentials were not provided.",
                    "code": "not_authenticated",
                },
            )
        ],
    ),
    "403": OpenApiResponse(
        ErrorSerializer,
        description="Not a member of any shop, or an owner-only action by staff.",
        examples=[
            _example(
                "Not a member",
                {"detail": "You are not a member of any shop.", "code": "not_a_member"},
            ),
            _example(
                "Owner only",
                {"detail": "Only the shop owner can do this.", "code": "owner_only"},
            ),
        ],
    ),
    "404": OpenApiResponse(
        ErrorSerializer,
        description="No such object in your shop (another shop's objects are not found too).",
        examples=[_example("Not found", {"detail": "Not found.", "code": "not_found"})],
    ),
    "409": OpenApiResponse(
        ErrorSerializer,
        description="A request with this Idempotency-Key is still running.",
        examples=[
            _example(
                "In progress",
                {
                    "detail": "A request with this Idempotency-Key is still being processed."
                    " Retry shortly.",
                    "code": "idempotency_in_progress",
                },
            )
        ],
    ),
    "422": OpenApiResponse(
        ErrorSerializer,
        description="This Idempotency-Key was used with a different request body.",
        examples=[
            _example(
                "Key reused",
                {
                    "detail": "This Idempotency-Key was already used with a different request.",
                    "code": "idempotency_key_reused",
                },
            )
        ],
    ),
    "429": OpenApiResponse(
        ErrorSerializer,
        description="Too many requests; wait the seconds in `Retry-After`.",
        examples=[
            _example(
                "Throttled",
                {
                    "detail": "Request was throttled. Expected available in 42 seconds.",
                    "code": "throttled",
                },
            )
        ],
    ),
}

_RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": "Seconds to wait before trying again.",
    }
}


class ExecoraAutoSchema(AutoSchema):
    """Adds the error responses of the shared machinery to each operation."""

    def _error_codes(self) -> list[str]:
        codes = ["429"]
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            codes += ["401", "403"]
        if (
            self.method != "GET"
            or getattr(self.view, "filterset_class", None)
            or getattr(self.view, "filterset_fields", None)
        ):
            codes.append("400")
        if "{" in self.path or (self._is_list_view() and self._get_paginator()):
            codes.append("404")
        handler = getattr(self.view, getattr(self.view, "action", None) or "", None) or getattr(
            self.view, self.method.lower(), None
        )
        if getattr(handler, "idempotent", False):
            codes += ["409", "422"]
        return codes

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code in responses:
                continue
            responses[code] = self._get_response_for_code(ERROR_RESPONSES[code], code)
            if code == "429":
                responses[code]["headers"] = _RETRY_AFTER
        return dict(sorted(responses.items()))
