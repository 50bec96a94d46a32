"""Who is on the other end of a WebSocket, and whether their page may open it.

Browsers authenticate with the session cookie and always send an Origin, which
must be one of our hosts (cross-site WebSocket hijacking rides on cookies).
Other clients (apps, scripts) send `Authorization: Token <t>` and usually no
Origin: a browser page cannot set that header on a WebSocket, so a missing
Origin is accepted only together with it.
"""

from __future__ import annotations

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from channels.security.websocket import OriginValidator, WebsocketDenier
from django.conf import settings


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin1")
    return None


def _token_key(scope: dict[str, Any]) -> str | None:
    raw = _header(scope, b"authorization") or ""
    scheme, _, key = raw.strip().partition(" ")
    if scheme.lower() != "token" or not key.strip() or len(key) > 100:
        return None
    return key.strip()


@database_sync_to_async
def _user_for_token(key: str) -> Any:
    from rest_framework.authtoken.models import Token

    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return None
    return token.user


class TokenAuthMiddleware(BaseMiddleware):
    """Sets scope["user"] from an `Authorization: Token` header when no session did."""

    async def __call__(self, scope, receive, send):
        user = scope.get("user")
        key = _token_key(scope)
        if key is not None and (user is None or not user.is_authenticated):
            found = await _user_for_token(key)
            if found is not None:
                scope = dict(scope, user=found, auth="token")
        return await super().__call__(scope, receive, send)


class HostOriginValidator(OriginValidator):
    """Origin must be one of ALLOWED_HOSTS; no Origin only for token-header clients."""

    def __init__(self, application) -> None:
        allowed = list(settings.ALLOWED_HOSTS)
        if settings.DEBUG and not allowed:
            allowed = ["localhost", "127.0.0.1", "[::1]"]
        super().__init__(application, allowed)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and _header(scope, b"origin") is None:
            if _token_key(scope) is None:
                return await WebsocketDenier()(scope, receive, send)
            return await self.application(scope, receive, send)
        return await super().__call__(scope, receive, send)

    def validate_origin(self, parsed_origin) -> bool:
        # As AllowedHostsOriginValidator: the Origin's host against ALLOWED_HOSTS patterns.
        from django.http.request import is_same_domain

        if parsed_origin is None or not parsed_origin.hostname:
            return False
        host = parsed_origin.hostname
        if ":" in host:  # IPv6 literal
            host = f"[{host}]"
        return any(
            pattern == "*" or is_same_domain(host, pattern) for pattern in self.allowed_origins
        )


def websocket_auth_stack(inner):
    """Origin check, then session cookie, then token header, then the routes."""
    return HostOriginValidator(AuthMiddlewareStack(TokenAuthMiddleware(inner)))
