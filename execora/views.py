"""Process-level views: health probes and the landing page."""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from execora.tenancy import memberships_of

logger = logging.getLogger(__name__)


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process serves requests. Touches nothing else on purpose."""
    return JsonResponse({"status": "ok"})


def _database_ok() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("readyz: database unreachable", exc_info=True)
        return False


def _redis_ok() -> bool:
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        logger.warning("readyz: redis unreachable", exc_info=True)
        return False


@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: 200 only when the database (and Redis, where configured) answer."""
    checks = {"database": _database_ok()}
    if settings.REDIS_URL:
        checks["redis"] = _redis_ok()
    ready = all(checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The counter screen. Shows the shop the user acts for."""
    membership = memberships_of(request.user).first()
    return render(request, "home.html", {"membership": membership})
