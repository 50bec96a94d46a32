"""`POST /api/v1/commands`: one typed command through the same engine as voice."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response

from execora.api.idempotency import idempotent
from execora.api.schema import ERROR_RESPONSES
from execora.api.viewsets import ShopScopedGenericViewSet
from voice.models import Conversation
from voice.serializers import CommandResultSerializer, CommandSerializer
from voice.services import command_run


class CommandViewSet(mixins.CreateModelMixin, ShopScopedGenericViewSet):
    """Run a command ("Ramesh ko 500 udhaar likho") and answer what it did or what it asks."""

    queryset = Conversation.objects.none()
    serializer_class = CommandSerializer
    # Any member may speak to the engine; it refuses staff what staff may not do.
    owner_only_actions = frozenset()

    @extend_schema(
        summary="Run a command",
        tags=["commands"],
        description="Parses the text (English, Hindi or Hinglish), resolves names and runs it "
        "against the books, or asks first: a yes/no for large amounts, cancellations, new "
        "customers and unsure parses, a choice when a name fits several customers. Send the "
        'answer ("haan", "nahi", "Ramesh Yadav") with the returned `conversation`. '
        "Refusals (unknown customer, bad amount, no stock) are answered with status "
        "`refused` and a spoken reason, not an error status.",
        request=CommandSerializer,
        responses={200: CommandResultSerializer, 404: ERROR_RESPONSES["404"]},
        examples=[
            OpenApiExample(
                "Udhaar", value={"text": "Ramesh ko 500 udhaar likho"}, request_only=True
            ),
            OpenApiExample(
                "Answer a question",
                value={"text": "haan", "conversation": "0b7f4d2e-5a8c-4e8e-9c1a-2f3d4e5f6a7b"},
                request_only=True,
            ),
        ],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = CommandSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = command_run(
            business=self.business,
            user=request.user,
            text=data.validated_data["text"],
            conversation_id=data.validated_data.get("conversation"),
        )
        return Response(CommandResultSerializer.from_result(result))
