"""Who may call the API: members of a shop; some actions only its owner."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from execora.tenancy import membership_for_request

NOT_A_MEMBER = "You are not a member of any shop."
OWNER_ONLY = "Only the shop owner can do this."
OWNER_ONLY_HI = "यह काम सिर्फ़ दुकान के मालिक कर सकते हैं।"


class OwnerOnlyDenied(exceptions.PermissionDenied):
    default_detail = OWNER_ONLY
    default_code = "owner_only"
    message_hi = OWNER_ONLY_HI


class IsShopMember(BasePermission):
    """Authenticated and a member of a shop. Anonymous → 401, no shop → 403."""

    message = NOT_A_MEMBER
    code = "not_a_member"

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False  # DRF answers 401 when nobody authenticated
        try:
            membership_for_request(request)
        except DjangoPermissionDenied:
            return False
        return True


class OwnerOnly(BasePermission):
    """Refuses staff the actions a view lists in `owner_only_actions` (e.g. cancel, reverse)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        action = getattr(view, "action", None)
        if action is None or action not in getattr(view, "owner_only_actions", ()):
            return True
        if not membership_for_request(request).is_owner:
            raise OwnerOnlyDenied()
        return True


def owner_only(method: Callable) -> Callable:
    """Decorate a view method (an @action or a plain handler) that staff may not run.

    For viewset actions `owner_only_actions` on the class does the same from one
    place; this is for views without `.action` or to mark a single method.
    """

    @wraps(method)
    def wrapper(self, request: Request, *args: Any, **kwargs: Any):
        if not membership_for_request(request).is_owner:
            raise OwnerOnlyDenied()
        return method(self, request, *args, **kwargs)

    wrapper.owner_only = True
    return wrapper
