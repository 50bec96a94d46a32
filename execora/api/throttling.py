"""Request rates per user and per client IP, read from settings on every request.

These keep a runaway client from hogging the server; they are not a security
control (DRF's counter is read-modify-write, so concurrent requests can pass
it). Password guessing is stopped by `execora.api.lockout` instead.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from rest_framework import throttling
from rest_framework.request import Request

from execora.api.client_ip import client_ip
from execora.api.lockout import lockout_reset, redis_client

CACHE_FORMAT = "api-throttle:%(scope)s:%(ident)s"


class _SettingsRateThrottle(throttling.SimpleRateThrottle):
    """The rate comes from a setting, so override_settings and env both reach it."""

    cache_format = CACHE_FORMAT
    setting_name = ""

    def get_rate(self) -> str | None:
        # Empty turns the throttle off (DRF treats a None rate as "allow").
        return getattr(settings, self.setting_name, None) or None

    def get_ident(self, request: Request) -> str:
        # DRF's own get_ident trusts X-Forwarded-For unless NUM_PROXIES is set;
        # ours reads it only behind a trusted proxy.
        return client_ip(request)


class UserRateThrottle(_SettingsRateThrottle):
    """API_THROTTLE_USER per authenticated user."""

    scope = "user"
    setting_name = "API_THROTTLE_USER"

    def get_cache_key(self, request: Request, view) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonRateThrottle(_SettingsRateThrottle):
    """API_THROTTLE_ANON per client IP for requests without a user (token endpoint, schema)."""

    scope = "anon"
    setting_name = "API_THROTTLE_ANON"

    def get_cache_key(self, request: Request, view) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def reset_rate_limits() -> None:
    """Forget every API rate counter and login lockout (tests; an operator after an incident)."""
    lockout_reset()
    if settings.REDIS_URL:
        client = redis_client()
        pattern = cache.make_key(CACHE_FORMAT.split("%", 1)[0] + "*")
        keys = list(client.scan_iter(match=pattern, count=500))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()
