"""Shop scoping in one place: every API viewset over shop rows starts from these.

    class CustomerViewSet(ShopScopedModelViewSet):
        queryset = Customer.objects.all()
        serializer_class = CustomerSerializer

`get_queryset` keeps only the caller's shop (another shop's id is a 404),
writes take the shop from the membership and never from the body, and the
serializer context carries `business` and `membership` for services and
ShopScopedPrimaryKeyRelatedField.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError

from execora.api.permissions import IsShopMember, OwnerOnly
from execora.models import Business, Membership
from execora.tenancy import membership_for_request


class ShopScopedMixin:
    """Filters by the caller's shop and fills it in on writes.

    `shop_field` is the lookup path from the model to its Business (e.g.
    "invoice__business" for invoice items); writes always set `business`.
    `owner_only_actions` names the actions staff may not run (403); cancel and
    reverse by default, the two ways to undo money.
    """

    permission_classes = [IsShopMember, OwnerOnly]
    shop_field = "business"
    owner_only_actions: frozenset[str] = frozenset({"cancel", "reverse"})

    def initial(self, request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # PostgreSQL text cannot hold NUL; a query value carrying one would
        # otherwise reach a filter or search and fail in the driver as a 500.
        if any("\x00" in value for values in request.query_params.lists() for value in values[1]):
            raise ValidationError({"query": ["Query parameters may not contain NUL characters."]})

    @property
    def membership(self) -> Membership:
        return membership_for_request(self.request)

    @property
    def business(self) -> Business:
        return self.membership.business

    def get_queryset(self) -> models.QuerySet:
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):  # schema generation has no caller
            return queryset.none()
        return queryset.filter(**{self.shop_field: self.membership.business_id})

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False) and self.request is not None:
            context["membership"] = self.membership
            context["business"] = self.membership.business
        return context

    def perform_create(self, serializer) -> None:
        # The shop is whoever is calling, whatever the body says.
        serializer.save(business=self.business)

    def perform_update(self, serializer) -> None:
        serializer.save(business=self.business)


class ShopScopedGenericViewSet(ShopScopedMixin, viewsets.GenericViewSet):
    """Pick the mixins you need (a payments endpoint: list, retrieve, create)."""


class ShopScopedReadOnlyViewSet(ShopScopedMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve only (ledger entries, messages)."""


class ShopScopedModelViewSet(ShopScopedMixin, viewsets.ModelViewSet):
    """Full CRUD; override create/update/destroy to call the app's services."""
