"""The client address as the server saw it, which is what rate limits and lockouts count."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address a trusted proxy appended to X-Forwarded-For.

    X-Forwarded-For is written by whoever sends the request, so it is read only
    when TRUSTED_PROXY_COUNT says how many proxies of ours stand in front; then
    the entry that many places from the right is the one our outermost proxy
    saw, and anything a client wrote further left is ignored.
    """
    remote_addr = request.META.get("REMOTE_ADDR") or "unknown"
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies <= 0 or not forwarded:
        return remote_addr
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    if not addresses:
        return remote_addr
    return addresses[-min(proxies, len(addresses))][:64]
