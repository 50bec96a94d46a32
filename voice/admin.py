"""Back office: voice sessions and their utterances, read-only, with audio players.

Audio is served by the admin itself (scoped like the list: another shop's
recording is a 404), so it plays the same from local files and from S3.
"""

from __future__ import annotations

import uuid

from django.contrib import admin
from django.http import FileResponse, Http404, HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from execora.admin_scoping import ReadOnlyAdminMixin, ShopScopedAdmin, ShopScopedInline
from voice.models import Utterance, VoiceSession

_KINDS = ("audio", "reply-audio")


def _player(utterance: Utterance, kind: str) -> str:
    stored = utterance.audio if kind == "audio" else utterance.reply_audio
    if not stored or utterance.pk is None:
        return "—"
    url = reverse(
        "admin:voice_voicesession_audio",
        args=[utterance.session_id, utterance.pk, kind],
    )
    return format_html('<audio controls preload="none" src="{}"></audio>', url)


class UtteranceInline(ReadOnlyAdminMixin, ShopScopedInline):
    model = Utterance
    extra = 0
    can_delete = False
    fields = (
        "created_at", "source", "transcript", "heard", "intent", "status", "ok",
        "reply_text", "spoken", "timings", "error",
    )  # fmt: skip
    readonly_fields = fields
    ordering = ("created_at",)

    @admin.display(description=_("Recording"))
    def heard(self, utterance: Utterance) -> str:
        return _player(utterance, "audio")

    @admin.display(description=_("Spoken reply"))
    def spoken(self, utterance: Utterance) -> str:
        return _player(utterance, "reply-audio")


@admin.register(VoiceSession)
class VoiceSessionAdmin(ReadOnlyAdminMixin, ShopScopedAdmin):
    list_display = ("started_at", "user", "channel", "stt_provider", "tts_provider", "ended_at")
    list_filter = ("channel", "stt_provider")
    list_select_related = ("user",)
    search_fields = ("utterances__transcript", "user__username")
    readonly_fields = (
        "id", "business", "user", "channel", "stt_provider", "tts_provider", "user_agent",
        "started_at", "ended_at",
    )  # fmt: skip
    inlines = [UtteranceInline]
    date_hierarchy = "started_at"

    def get_urls(self):
        audio = self.admin_site.admin_view(self.audio_view)
        return [
            path(
                "<uuid:session_id>/utterance/<uuid:utterance_id>/<str:kind>/",
                audio,
                name="voice_voicesession_audio",
            ),
            *super().get_urls(),
        ]

    def audio_view(
        self, request: HttpRequest, session_id: uuid.UUID, utterance_id: uuid.UUID, kind: str
    ) -> FileResponse:
        session = self.get_queryset(request).filter(pk=session_id).first()
        if session is None or kind not in _KINDS or not self.has_view_permission(request, session):
            raise Http404
        utterance = session.utterances.filter(pk=utterance_id).first()
        stored = None
        if utterance is not None:
            stored = utterance.audio if kind == "audio" else utterance.reply_audio
        if not stored:
            raise Http404
        return FileResponse(stored.open("rb"), content_type="audio/wav")
