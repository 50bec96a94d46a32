"""API shapes for `POST /api/v1/commands`. They parse and present; voice.services decides."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from voice.intents import INTENTS
from voice.intents.schema import LANGS
from voice.services import MAX_TEXT_LENGTH, CommandResult

STATUSES = (
    ("done", "Written to the books"),
    ("answered", "A question about the books, answered"),
    ("confirm", "A yes/no is asked first; send it back with this conversation"),
    ("question", "A choice is asked (which customer); send the answer with this conversation"),
    ("cancelled", "The user said no; nothing was written"),
    ("refused", "Nothing was written; the reply says why"),
    ("unknown", "Not understood; nothing was written"),
    ("expired", "The question timed out; nothing was written"),
    ("nothing_pending", "A yes or no with no question open; nothing was written"),
)


class CommandSerializer(serializers.Serializer):
    # Not trimmed here: max_length then counts what the client sent, as the schema says;
    # the engine folds white space itself.
    text = serializers.CharField(
        max_length=MAX_TEXT_LENGTH,
        trim_whitespace=False,
        help_text='What the user typed or said, e.g. "Ramesh ko 500 udhaar likho" or "haan".',
    )
    conversation = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="The `conversation` of an earlier answer, to answer its question "
        "(yes/no, which customer). Leave out to start a new conversation.",
    )

    def validate_text(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Say or type a command.")
        return value


class IntentSerializer(serializers.Serializer):
    intent = serializers.ChoiceField(choices=sorted(INTENTS))
    entities = serializers.DictField(
        help_text="As in shared/intents/SCHEMA.md: amounts and quantities are decimal strings."
    )
    confidence = serializers.FloatField(min_value=0, max_value=1)
    lang = serializers.ChoiceField(choices=sorted(LANGS))


class ReplySerializer(serializers.Serializer):
    text = serializers.CharField(help_text="Short and speakable, in the user's language.")
    lang = serializers.ChoiceField(choices=sorted(LANGS))


class OptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ConfirmationSerializer(serializers.Serializer):
    prompt = serializers.CharField(help_text="The question to read out.")
    options = OptionSerializer(many=True, help_text="The candidates of a choice; [] for a yes/no.")


class CommandResultSerializer(serializers.Serializer):
    conversation = serializers.UUIDField(help_text="Send it back with the answer to a question.")
    intent = IntentSerializer()
    status = serializers.ChoiceField(choices=STATUSES)
    ok = serializers.BooleanField(help_text="True when done, answered or cancelled by the user.")
    result = serializers.DictField(
        allow_null=True,
        help_text="What was written or read (ids, decimal-string amounts, balances); "
        "null while a question is open.",
    )
    confirmation = ConfirmationSerializer(
        allow_null=True, help_text="The question asked, while the engine waits for an answer."
    )
    reply = ReplySerializer()

    @staticmethod
    def from_result(result: CommandResult) -> dict[str, Any]:
        asking = result.confirm_required
        return {
            "conversation": str(result.conversation_id),
            "intent": result.intent.to_dict(),
            "status": result.status,
            "ok": result.ok,
            "result": None if asking else result.data,
            "confirmation": (
                {"prompt": result.prompt, "options": result.options} if asking else None
            ),
            "reply": {"text": result.reply, "lang": result.lang},
        }


# --- voice: POST /api/v1/voice/commands and the read-only voice-sessions -----------------


class VoiceCommandSerializer(serializers.Serializer):
    audio = serializers.FileField(
        help_text="The spoken command: WAV, OGG/Opus (a WhatsApp voice note) or WebM/Opus."
    )
    language = serializers.ChoiceField(
        choices=["hi-IN", "en-IN", "auto"],
        default="auto",
        help_text="What the speaker speaks; auto lets the recogniser decide.",
    )
    conversation = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="The `conversation` of an earlier answer, to answer its question.",
    )


class VoiceCommandResultSerializer(CommandResultSerializer):
    session = serializers.UUIDField()
    utterance = serializers.UUIDField()
    transcript = serializers.CharField(help_text="What the recogniser heard.")
    reply_audio_url = serializers.URLField(
        allow_null=True, help_text="The spoken reply (WAV); null when TTS is off."
    )
    timings = serializers.DictField(help_text="Milliseconds per stage: stt, engine, tts, total.")


class UtteranceSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    created_at = serializers.DateTimeField()
    source = serializers.CharField()
    language = serializers.CharField()
    transcript = serializers.CharField()
    intent = serializers.CharField()
    entities = serializers.DictField()
    status = serializers.CharField()
    ok = serializers.BooleanField()
    result = serializers.DictField()
    reply_text = serializers.CharField()
    reply_lang = serializers.CharField()
    timings = serializers.DictField()
    error = serializers.CharField()
    audio_duration_ms = serializers.IntegerField(allow_null=True)
    audio_url = serializers.SerializerMethodField()
    reply_audio_url = serializers.SerializerMethodField()

    def _url(self, utterance, kind: str) -> str | None:
        field = utterance.audio if kind == "audio" else utterance.reply_audio
        if not field:
            return None
        from django.urls import reverse

        path = reverse(
            "voice-session-audio",
            kwargs={"pk": utterance.session_id, "utterance_id": utterance.pk, "kind": kind},
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_audio_url(self, utterance) -> str | None:
        return self._url(utterance, "audio")

    def get_reply_audio_url(self, utterance) -> str | None:
        return self._url(utterance, "reply-audio")


class VoiceSessionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    user = serializers.CharField(source="user.username")
    channel = serializers.CharField()
    stt_provider = serializers.CharField()
    tts_provider = serializers.CharField()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    utterances = UtteranceSerializer(many=True, read_only=True)
