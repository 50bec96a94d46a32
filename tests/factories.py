"""factory_boy factories shared by every test module. Deterministic: sequences, no random data."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from execora.models import Business, Membership
from execora.services import membership_grant
from execora.validators import gstin_check_character


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def _gstin(state_code: str, pan: str = "ABCDE1234F") -> str:
    first14 = f"{state_code}{pan}1Z"
    return first14 + gstin_check_character(first14)


class BusinessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Business

    name = factory.Sequence(lambda n: f"Shop {n}")
    state_code = "27"
    # Registered for GST, as most shops whose bills show tax are; `gstin=""` makes a
    # shop that issues bills of supply with no tax.
    gstin = factory.LazyAttribute(lambda shop: _gstin(shop.state_code))
    invoice_prefix = "INV"


def member(business: Business, role: str = Membership.Role.OWNER, **user_fields):
    """A user with back-office access to `business`."""
    user = UserFactory(**user_fields)
    membership_grant(user=user, business=business, role=role)
    user.refresh_from_db()
    return user
