"""Writes for shops and memberships."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from execora.exceptions import ApplicationError
from execora.models import Business, Membership

# Apps whose models shop staff work with in the back office.
BACK_OFFICE_APPS = ("execora", "customers", "products", "invoices", "ledger", "reminders", "voice")
# Staff may look at who works for the shop, but not change it.
_OWNER_ONLY_MODELS = {"business", "membership"}


def _back_office_group(role: str) -> Group:
    group, _ = Group.objects.get_or_create(name=f"Shop {role}")
    permissions = Permission.objects.filter(content_type__app_label__in=BACK_OFFICE_APPS)
    if role == Membership.Role.STAFF:
        permissions = permissions.exclude(
            content_type__model__in=_OWNER_ONLY_MODELS, codename__regex=r"^(add|change|delete)_"
        )
    group.permissions.set(permissions)
    return group


@transaction.atomic
def membership_grant(*, user, business: Business, role: str = Membership.Role.STAFF) -> Membership:
    """Make `user` a member of `business` with `role`, with back-office access to match."""
    membership, _ = Membership.objects.update_or_create(
        user=user, business=business, defaults={"role": role}
    )
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(_back_office_group(role))
    return membership


def membership_set_interface_language(*, membership: Membership, language: str) -> Membership:
    """Choose the console's language for one member: "hi", "en", or "" to follow the browser."""
    allowed = {code for code, _ in Membership._meta.get_field("interface_language").choices}
    if language not in allowed | {""}:
        raise ApplicationError(
            "Choose Hindi, English or the browser's language.",
            code="invalid_language",
            message_hi="हिन्दी, अंग्रेज़ी या ब्राउज़र की भाषा चुनें।",
            field="language",
        )
    Membership.objects.filter(pk=membership.pk).update(interface_language=language)
    membership.interface_language = language
    return membership
