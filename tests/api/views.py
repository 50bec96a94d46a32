"""Test-only views that exercise the API machinery before the books' endpoints exist.

Wired only by tests/api/urls.py, never by the public URLconf.
"""

from __future__ import annotations

import threading
import time

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from execora.api.idempotency import idempotent
from execora.api.permissions import owner_only
from execora.api.viewsets import ShopScopedModelViewSet
from execora.exceptions import ApplicationError, NotFound
from execora.models import Membership

# Set by a test to let a request blocked in RowView finish.
release = threading.Event()


class MembershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["id", "user", "role", "business"]
        read_only_fields = ["business"]


class MembershipViewSet(ShopScopedModelViewSet):
    queryset = Membership.objects.order_by("pk")
    serializer_class = MembershipSerializer

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return Response({"cancelled": self.get_object().pk})

    @action(detail=True, methods=["post"])
    @owner_only
    def promote(self, request, pk=None):
        return Response({"promoted": self.get_object().pk})


class RowSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    outcome = serializers.ChoiceField(
        choices=["ok", "no_stock", "crash", "wait", "slow"], default="ok"
    )


class RowView(APIView):
    """Creates one Group row per run, so tests can count how often the action ran."""

    @extend_schema(request=RowSerializer, responses={201: RowSerializer})
    @idempotent
    def post(self, request):
        data = RowSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = data.validated_data["outcome"]
        if outcome == "slow":
            time.sleep(0.3)
        if outcome == "wait":
            assert release.wait(timeout=20)
        group = Group.objects.create(name=f"row:{data.validated_data['name']}")
        if outcome == "no_stock":
            raise ApplicationError(
                "Only 2 kg of Sugar in stock.",
                code="insufficient_stock",
                message_hi="Sugar का स्टॉक सिर्फ़ 2 kg है।",
                field="quantity",
                extra={"available": "2.000"},
            )
        if outcome == "crash":
            raise RuntimeError("a bug")
        return Response(
            {"id": group.pk, "name": group.name},
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/groups/{group.pk}/"},
        )


class RaiseView(APIView):
    """Raises the exception a test names, to check the one error body."""

    schema = None  # not part of any documented API

    def get(self, request, kind: str):
        if kind == "application":
            raise ApplicationError(
                "Ramesh has no khata here.",
                code="no_khata",
                message_hi="रमेश का खाता नहीं है।",
                field="customer",
            )
        if kind == "application_no_field":
            raise ApplicationError("Shop closed.", code="closed")
        if kind == "domain_not_found":
            raise NotFound("No such customer in your shop.", code="customer_not_found")
        if kind == "drf_validation":
            raise exceptions.ValidationError(
                {"amount": ["A valid number is required."], "items": [{}, {"quantity": ["Bad."]}]}
            )
        if kind == "drf_validation_plain":
            raise exceptions.ValidationError("Pick a customer or say walk-in.")
        if kind == "django_validation":
            raise DjangoValidationError({"gstin": ["Enter a valid GSTIN."]})
        if kind == "http404":
            raise Http404("No Customer matches the given query.")
        if kind == "drf_not_found":
            raise exceptions.NotFound()
        if kind == "permission":
            raise DjangoPermissionDenied("Staff cannot do this.")
        if kind == "throttled":
            raise exceptions.Throttled(wait=7)
        if kind == "bug":
            raise RuntimeError("a real bug")
        return Response({"kind": kind})
