"""The one domain error type. Mapped once to HTTP (API) and once to WebSocket frames."""

from __future__ import annotations


class ApplicationError(Exception):
    """A business rule refused the request. `message` is what a person reads.

    `message_hi` is the Hindi for a shopkeeper who hears it; `field` names the
    input at fault where there is one, and `extra` carries machine-readable details.
    """

    code = "error"
    status = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        message_hi: str | None = None,
        field: str | None = None,
        extra: dict | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.message_hi = message_hi or message
        self.field = field
        self.extra = extra or {}
        if code:
            self.code = code


class NotFound(ApplicationError):
    code = "not_found"
    status = 404


class Conflict(ApplicationError):
    code = "conflict"
    status = 409
