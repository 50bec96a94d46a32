"""Process-level views: health probes, and the voice console with its side panel."""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connections
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from execora import dashboard, services
from execora.console_text import console_messages
from execora.exceptions import ApplicationError
from execora.models import Membership
from execora.tenancy import membership_for_request
from invoices.models import Invoice

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


def _member_language(request: HttpRequest, membership: Membership | None) -> None:
    """Speak the member's chosen interface language; blank keeps what LocaleMiddleware chose."""
    language = membership.interface_language if membership is not None else ""
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language


def _membership(request: HttpRequest) -> Membership:
    try:
        membership = membership_for_request(request)
    except PermissionDenied:
        raise Http404 from None
    _member_language(request, membership)
    return membership


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The voice console for members; a short note for a login that belongs to no shop."""
    try:
        membership = membership_for_request(request)
    except PermissionDenied:
        return render(request, "home.html", {"membership": None})
    _member_language(request, membership)
    context = {
        "membership": membership,
        "board": dashboard.dashboard(business=membership.business),
        "languages": settings.LANGUAGES,
        "messages_json": console_messages(),
    }
    return render(request, "console/console.html", context)


@never_cache
@login_required
def console_dashboard(request: HttpRequest) -> HttpResponse:
    """The side panel as an HTML fragment, fetched again after every command."""
    membership = _membership(request)
    board = dashboard.dashboard(business=membership.business)
    return render(request, "console/_dashboard.html", {"board": board})


@never_cache
@login_required
def console_invoice(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """One invoice's lines for the result card; another shop's invoice is a 404."""
    membership = _membership(request)
    try:
        invoice, lines = dashboard.invoice_lines(
            business=membership.business, invoice_id=invoice_id
        )
    except Invoice.DoesNotExist:
        raise Http404 from None
    return render(request, "console/_invoice.html", {"invoice": invoice, "lines": lines})


@require_POST
@login_required
def console_language(request: HttpRequest) -> HttpResponse:
    """Remember the member's interface language ("hi", "en" or "" for the browser's)."""
    membership = _membership(request)
    try:
        services.membership_set_interface_language(
            membership=membership, language=request.POST.get("language", "")
        )
    except ApplicationError as error:
        return HttpResponseBadRequest(error.message)
    return redirect("home")
