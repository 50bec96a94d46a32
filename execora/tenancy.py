"""Which shop a request acts for.

Every query in the product is scoped by the Business this returns; views,
API viewsets, consumers and admin all ask here rather than deciding themselves.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from execora.models import Business, Membership

SESSION_KEY = "execora_business_id"


def memberships_of(user: AbstractBaseUser | AnonymousUser):
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("business").order_by("pk")


def membership_for_user(
    user: AbstractBaseUser | AnonymousUser, *, business_id: int | None = None
) -> Membership | None:
    """The user's membership in the chosen shop, or their first shop when none is chosen."""
    memberships = memberships_of(user)
    if business_id is not None:
        chosen = memberships.filter(business_id=business_id).first()
        if chosen is not None:
            return chosen
    return memberships.first()


def membership_for_request(request: HttpRequest) -> Membership:
    """The caller's membership; PermissionDenied when they belong to no shop."""
    cached = getattr(request, "_execora_membership", None)
    if cached is not None:
        return cached
    session = getattr(request, "session", None)
    chosen = session.get(SESSION_KEY) if session is not None else None
    membership = membership_for_user(request.user, business_id=chosen)
    if membership is None:
        raise PermissionDenied("You are not a member of any shop.")
    request._execora_membership = membership
    return membership


def business_for_request(request: HttpRequest) -> Business:
    return membership_for_request(request).business


def business_ids_for_user(user: AbstractBaseUser | AnonymousUser) -> list[int]:
    return list(memberships_of(user).values_list("business_id", flat=True))
