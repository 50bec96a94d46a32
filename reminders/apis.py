"""`reminders` (create, list, PATCH to reschedule, cancel) and `messages` (read-only)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from execora.api.idempotency import idempotent
from execora.api.resources import StrictFilterForm
from execora.api.schema import ERROR_RESPONSES
from execora.api.serializers import ErrorSerializer
from execora.api.viewsets import ShopScopedGenericViewSet, ShopScopedReadOnlyViewSet
from execora.exceptions import ApplicationError
from reminders.models import Reminder, WhatsAppMessage
from reminders.serializers import (
    ReminderCreateSerializer,
    ReminderRescheduleSerializer,
    ReminderSerializer,
    WhatsAppMessageSerializer,
)
from reminders.services import reminder_cancel, reminder_reschedule, reminder_schedule

# The services name their arguments; the API names its fields.
_API_FIELDS = {"when": "scheduled_at", "customer_id": "customer", "reminder_id": None}


@contextmanager
def _fields_as_in_the_api() -> Iterator[None]:
    try:
        yield
    except ApplicationError as exc:
        exc.field = _API_FIELDS.get(exc.field, exc.field)
        raise


_NOT_PENDING = OpenApiResponse(
    ErrorSerializer,
    description="The reminder is being sent, was sent, or was cancelled "
    "(`code`: reminder_not_pending).",
)


class ReminderFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=Reminder.Status.choices, help_text="One or more statuses (repeat the parameter)."
    )
    customer = django_filters.NumberFilter(field_name="customer_id")

    class Meta:
        model = Reminder
        fields = ["status", "customer", "recurrence", "source"]
        form = StrictFilterForm


class MessageFilter(django_filters.FilterSet):
    customer = django_filters.NumberFilter(field_name="customer_id")
    reminder = django_filters.NumberFilter(field_name="reminder_id")

    class Meta:
        model = WhatsAppMessage
        fields = ["direction", "status", "customer", "reminder"]
        form = StrictFilterForm


@extend_schema_view(
    list=extend_schema(summary="List reminders", tags=["reminders"]),
    retrieve=extend_schema(summary="A reminder", tags=["reminders"]),
)
class ReminderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ShopScopedGenericViewSet,
):
    """WhatsApp payment reminders of the caller's shop."""

    queryset = Reminder.objects.select_related("customer").order_by("-scheduled_at", "-pk")
    serializer_class = ReminderSerializer
    filterset_class = ReminderFilter
    ordering_fields = ["scheduled_at", "next_attempt_at", "created_at"]
    # Any member may stop a reminder: it undoes no money.
    owner_only_actions = frozenset()
    # Any id-looking segment reaches the view, so a malformed id is our JSON 404, not Django's page.
    lookup_value_regex = "[^/]+"

    @extend_schema(
        summary="Schedule a reminder",
        tags=["reminders"],
        description="One message to the customer with the total due, the last few khata "
        "entries and the shop's UPI id; free text inside WhatsApp's 24 h window, the "
        "approved template outside it. Skipped if nothing is due at send time.",
        request=ReminderCreateSerializer,
        responses={201: ReminderSerializer},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = ReminderCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with _fields_as_in_the_api():
            reminder = reminder_schedule(
                business=self.business,
                customer_id=values["customer"].pk,
                when=values.get("scheduled_at"),
                amount=values.get("amount"),
                message=values["message"],
                recurrence=values["recurrence"],
                source=Reminder.Source.API,
                user=request.user,
            )
        return Response(ReminderSerializer(reminder).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Reschedule a reminder",
        tags=["reminders"],
        request=ReminderRescheduleSerializer,
        responses={200: ReminderSerializer, 409: _NOT_PENDING},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        reminder = self.get_object()
        data = ReminderRescheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with _fields_as_in_the_api():
            reminder = reminder_reschedule(
                business=self.business,
                reminder_id=reminder.pk,
                when=data.validated_data["scheduled_at"],
                user=request.user,
            )
        return Response(ReminderSerializer(reminder).data)

    @extend_schema(
        summary="Cancel a reminder",
        tags=["reminders"],
        description="Stops it, and its daily/weekly repeats, before it goes. "
        "Cancelling a cancelled reminder changes nothing.",
        request=None,
        responses={200: ReminderSerializer, 409: _NOT_PENDING, 404: ERROR_RESPONSES["404"]},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        reminder = reminder_cancel(
            business=self.business, reminder_id=self.get_object().pk, user=request.user
        )
        return Response(ReminderSerializer(reminder).data)


@extend_schema_view(
    list=extend_schema(summary="List WhatsApp messages", tags=["messages"]),
    retrieve=extend_schema(summary="A WhatsApp message", tags=["messages"]),
)
class WhatsAppMessageViewSet(ShopScopedReadOnlyViewSet):
    """Every WhatsApp message to or from the shop's customers, with its status history."""

    queryset = WhatsAppMessage.objects.order_by("-created_at", "-pk")
    serializer_class = WhatsAppMessageSerializer
    filterset_class = MessageFilter
    lookup_value_regex = "[^/]+"
