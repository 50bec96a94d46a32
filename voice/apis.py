"""`POST /api/v1/commands` (one typed command), `POST /api/v1/voice/commands` (a recorded
one) and the read-only `voice-sessions` with their audio."""

from __future__ import annotations

import time
import uuid

import django_filters
from django.conf import settings
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from execora.api.idempotency import idempotent
from execora.api.resources import StrictFilterForm
from execora.api.schema import ERROR_RESPONSES
from execora.api.serializers import ErrorSerializer
from execora.api.viewsets import ShopScopedGenericViewSet, ShopScopedReadOnlyViewSet
from execora.exceptions import ApplicationError
from voice.audio import AudioError, audio_decode, audio_speak, audio_transcribe
from voice.models import Conversation, VoiceSession
from voice.recordings import (
    UtteranceRecord,
    utterance_record,
    voice_session_close,
    voice_session_open,
)
from voice.serializers import (
    CommandResultSerializer,
    CommandSerializer,
    UtteranceSerializer,
    VoiceCommandResultSerializer,
    VoiceCommandSerializer,
    VoiceSessionSerializer,
)
from voice.services import command_run
from voice.session import LiveSession
from voice.speech.base import SpeechError


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


# --- voice: audio in, JSON and a reply audio link out ----------------------------------------


class AudioRefused(ApplicationError):
    status = 400


class SpeechUnavailable(ApplicationError):
    code = "speech_unavailable"
    status = 503


# A file that is not audio we can decode is content we cannot process (422), not a
# request of the wrong media type: the request itself is a well-formed multipart form.
_AUDIO_STATUS = {"unsupported_audio": 422, "audio_too_large": 413}


class VoiceCommandViewSet(mixins.CreateModelMixin, ShopScopedGenericViewSet):
    """`POST /api/v1/voice/commands/`: a recorded command through the WebSocket's pipeline."""

    queryset = VoiceSession.objects.none()
    serializer_class = VoiceCommandSerializer
    parser_classes = [MultiPartParser, FormParser]
    owner_only_actions = frozenset()

    @extend_schema(
        summary="Run a spoken command (audio file)",
        tags=["commands"],
        description="For clients that cannot stream (a phone on a bad network, a WhatsApp "
        "voice note): upload WAV, OGG/Opus or WebM/Opus as `audio`. The recording is "
        "transcribed (STT_PROVIDER), run through the command engine like `commands`, and "
        "answered with the transcript, intent, result, reply text and a link to the spoken "
        "reply. Limits: VOICE_UPLOAD_MAX_BYTES (413) and VOICE_UPLOAD_MAX_SECONDS (400).",
        request={"multipart/form-data": VoiceCommandSerializer},
        responses={
            200: VoiceCommandResultSerializer,
            413: OpenApiResponse(ErrorSerializer, description="The file is over the size limit."),
            422: OpenApiResponse(
                ErrorSerializer,
                description="Not WAV, OGG/Opus or WebM audio that decodes (`unsupported_audio`); "
                "or the Idempotency-Key was used with another body.",
            ),
            503: OpenApiResponse(
                ErrorSerializer, description="Speech-to-text is unavailable (provider down)."
            ),
        },
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = VoiceCommandSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["audio"]
        if upload.size > settings.VOICE_UPLOAD_MAX_BYTES:
            refused = AudioRefused(
                f"The audio is larger than {settings.VOICE_UPLOAD_MAX_BYTES} bytes.",
                code="audio_too_large",
                field="audio",
            )
            refused.status = 413
            raise refused
        started = time.perf_counter()
        try:
            pcm = audio_decode(upload.read(), max_seconds=settings.VOICE_UPLOAD_MAX_SECONDS)
        except AudioError as error:
            refused = AudioRefused(str(error), code=error.code, field="audio")
            refused.status = _AUDIO_STATUS.get(error.code, 400)
            raise refused from error
        decoded = time.perf_counter()
        language = data.validated_data["language"]
        try:
            heard = audio_transcribe(business=self.business, language=language, pcm=pcm)
        except SpeechError as error:
            raise SpeechUnavailable(str(error), code=error.code) from error
        transcribed = time.perf_counter()
        transcript = " ".join(heard.text.split())
        if not transcript:
            raise AudioRefused("Nothing was heard in the audio.", code="no_speech", field="audio")
        result = command_run(
            business=self.business,
            user=request.user,
            text=transcript,
            conversation_id=data.validated_data.get("conversation"),
        )
        ran = time.perf_counter()
        try:
            reply_audio = audio_speak(text=result.reply, lang=result.lang)
        except SpeechError:
            reply_audio = b""  # the text reply stands; the link is null
        spoken = time.perf_counter()
        timings = {
            "decode_ms": round((decoded - started) * 1000, 2),
            "stt_ms": round((transcribed - decoded) * 1000, 2),
            "engine_ms": round((ran - transcribed) * 1000, 2),
            "tts_ms": round((spoken - ran) * 1000, 2),
            "total_ms": round((spoken - started) * 1000, 2),
        }
        session = voice_session_open(
            business=self.business,
            user=request.user,
            channel=VoiceSession.Channel.REST,
            user_agent=request.headers.get("User-Agent", ""),
        )
        record = UtteranceRecord(
            source="audio",
            language=heard.lang or language,
            pcm=pcm,
            transcript=transcript,
            reply_audio=reply_audio,
            timings=timings,
        )
        LiveSession._fill(record, result, timings)
        utterance = utterance_record(
            session_id=session.pk, business=self.business, user=request.user, record=record
        )
        voice_session_close(session_id=session.pk)
        body = CommandResultSerializer.from_result(result)
        reply_url = UtteranceSerializer(utterance, context={"request": request}).data[
            "reply_audio_url"
        ]
        body.update(
            session=str(session.pk),
            utterance=str(utterance.pk),
            transcript=transcript,
            reply_audio_url=reply_url,
            timings=timings,
        )
        return Response(body)


class VoiceSessionFilter(django_filters.FilterSet):
    # By id, not a choice among every user: another shop's users are not to be listed.
    user = django_filters.NumberFilter(field_name="user_id")

    class Meta:
        model = VoiceSession
        fields = ["user", "channel"]
        form = StrictFilterForm


class VoiceSessionViewSet(ShopScopedReadOnlyViewSet):
    """Voice sessions of the caller's shop, newest first, each with its utterances."""

    # Any id segment: a malformed one is the API's JSON 404, not the site's HTML page.
    lookup_value_regex = "[^/]+"
    queryset = VoiceSession.objects.select_related("user").prefetch_related("utterances")
    serializer_class = VoiceSessionSerializer
    filterset_class = VoiceSessionFilter
    ordering_fields = ["started_at"]

    @extend_schema(
        summary="An utterance's recorded audio or spoken reply (WAV)",
        tags=["voice"],
        responses={(200, "audio/wav"): OpenApiTypes.BINARY, 404: ERROR_RESPONSES["404"]},
    )
    @action(
        detail=True,
        methods=["get"],
        # Any id segment: a malformed one is the API's JSON 404, not the site's HTML page.
        url_path=r"utterances/(?P<utterance_id>[^/]+)/(?P<kind>[^/]+)",
        url_name="audio",
    )
    def audio(self, request: Request, pk: str, utterance_id: str, kind: str) -> FileResponse:
        session = self.get_object()
        if kind not in ("audio", "reply-audio"):
            raise Http404("No such audio: use audio or reply-audio.")
        try:
            utterance_id = str(uuid.UUID(utterance_id))
        except ValueError:
            raise Http404("No such utterance.") from None
        utterance = session.utterances.filter(pk=utterance_id).first()
        stored = None
        if utterance is not None:
            stored = utterance.audio if kind == "audio" else utterance.reply_audio
        if not stored:
            raise Http404("No such audio.")
        return FileResponse(stored.open("rb"), content_type="audio/wav")
