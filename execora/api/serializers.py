"""Serializers of the API edge itself: tokens, `me`, errors, and a shop-scoped related field."""

from __future__ import annotations

from rest_framework import serializers

from execora.models import Membership


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    detail = serializers.CharField(help_text="What went wrong, for a person to read.")
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `invalid`.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per input field at fault (dotted paths for nested items); "
        "{} when no single field is at fault.",
    )
    detail_hi = serializers.CharField(
        required=False, help_text="The same message in Hindi, where a shopkeeper hears it."
    )
    extra = serializers.DictField(
        required=False, help_text="Machine-readable details of a refusal, when there are any."
    )


class MeUserSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)


class MeShopSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    gstin = serializers.CharField(read_only=True)
    state_code = serializers.CharField(read_only=True)


class MeSerializer(serializers.Serializer):
    user = MeUserSerializer(read_only=True)
    shop = MeShopSerializer(read_only=True)
    role = serializers.ChoiceField(choices=Membership.Role.choices, read_only=True)


class ShopScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id that must belong to the caller's shop; another shop's id is "does not exist".

    Reads the shop from the serializer context (`business`), which
    ShopScopedMixin.get_serializer_context puts there.
    """

    def get_queryset(self):
        queryset = super().get_queryset()
        business = self.context.get("business")
        if business is None:
            return queryset.none()
        return queryset.filter(business=business)
