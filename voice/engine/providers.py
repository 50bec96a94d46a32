"""Intent providers behind one interface: `local`, `openai` and `hybrid` (settings.INTENT_PROVIDER).

    provider = intent_provider()          # the configured one, built once per process
    intent = provider.parse("Ramesh ko 500 udhaar", now=now)

- `local`: voice.intents.parse, no network, well under a millisecond.
- `openai`: the openai SDK's chat completions with structured outputs (a JSON
  schema of the intent, `strict`), against OPENAI_BASE_URL/OPENAI_MODEL, so
  any OpenAI-compatible server (llama.cpp, vLLM) works. Whatever comes back
  goes through `Intent.from_dict`, the same gate as everything else; a
  malformed, refused, late or failed answer raises IntentProviderError.
- `hybrid`: local first; the LLM only when the local confidence is under
  INTENT_CONFIDENCE_THRESHOLD and a key is set; the local parse on any LLM
  failure.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from typing import Any, Protocol

from django.conf import settings

from voice.intents import INTENTS, Intent, IntentValidationError, parse
from voice.intents.schema import ITEM_KEYS, LANGS, PAYMENT_MODES, UNITS

logger = logging.getLogger(__name__)

_ENTITY_KEYS = sorted(set().union(*INTENTS.values()))
_NULLABLE_STRING = {"type": ["string", "null"]}


def _entity_schema(key: str) -> dict[str, Any]:
    if key == "unit":
        return {"type": ["string", "null"], "enum": [*sorted(UNITS), None]}
    if key == "payment_mode":
        return {"type": ["string", "null"], "enum": [*sorted(PAYMENT_MODES), None]}
    if key == "items":
        item = {
            "type": "object",
            "properties": {
                "product": {"type": "string"},
                "quantity": {"type": "string"},
                "unit": {"type": ["string", "null"], "enum": [*sorted(UNITS), None]},
                "unit_price": _NULLABLE_STRING,
            },
            "required": sorted(ITEM_KEYS),
            "additionalProperties": False,
        }
        return {"type": ["array", "null"], "items": item}
    return _NULLABLE_STRING


# OpenAI's strict structured outputs want every property required and no extras:
# entities an utterance does not state are null, and Intent.from_dict drops them.
INTENT_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "intent": {"type": "string", "enum": sorted(INTENTS)},
        "entities": {
            "type": "object",
            "properties": {key: _entity_schema(key) for key in _ENTITY_KEYS},
            "required": _ENTITY_KEYS,
            "additionalProperties": False,
        },
        "confidence": {"type": "number"},
        "lang": {"type": "string", "enum": sorted(LANGS)},
    },
    "required": ["intent", "entities", "confidence", "lang"],
    "additionalProperties": False,
}

SYSTEM_PROMPT = """\
You turn one command said to a kirana shop's khata app (English, Hindi in Devanagari, or \
Hinglish) into one JSON intent. Intents and the entities they may carry:
{intents}
Rules: leave an entity null unless the sentence states it; never invent amounts or names. \
Amounts, quantities and prices are decimal strings ("dedh hazaar" = "1500", "dhai sau" = \
"250", "sava sau" = "125", "paune do sau" = "175", "aadha kilo" = quantity "0.5" unit "kg"). \
Names are as spoken, without honorifics (ji, bhai, bhaiya, didi, sahab, seth, Mr, Shri) or \
case markers (ko, ka, ke, ki, ne, se). Units: kg g l ml pcs dozen packet box bag. Payment \
modes: cash; upi (GPay, PhonePe, Paytm); card; bank (NEFT, IMPS, transfer); cheque. `when` \
is ISO 8601 with the +05:30 offset, resolved against now = {now}: a date without a time is \
10:00, subah 09:00, dopahar 14:00, shaam 18:00, raat 20:00; "kal" is tomorrow for reminders \
and yesterday in questions about the past. `date` is YYYY-MM-DD. `items` is a list of \
{{product, quantity, unit, unit_price}}. `confidence` is 0 to 1; `lang` is en, hi (Devanagari) \
or hinglish. Anything else is intent "unknown"."""


class IntentProviderError(Exception):
    """The provider gave no usable intent (network, timeout, refusal, malformed output)."""


class IntentProvider(Protocol):
    name: str

    def parse(self, text: str, *, now: dt.datetime) -> Intent: ...


class LocalProvider:
    name = "local"

    def parse(self, text: str, *, now: dt.datetime) -> Intent:
        return parse(text, now=now)


def _intents_table() -> str:
    return "\n".join(
        f"- {name}: {', '.join(sorted(keys)) or '(none)'}" for name, keys in INTENTS.items()
    )


def _clean_items(entities: dict[str, Any]) -> dict[str, Any]:
    """Drop the nulls strict structured output puts into each item."""
    items = entities.get("items")
    if isinstance(items, list):
        entities["items"] = [
            {key: value for key, value in item.items() if value is not None}
            if isinstance(item, dict)
            else item
            for item in items
        ]
    return entities


class OpenAIProvider:
    """Chat completions with a json_schema `response_format`, answers checked by from_dict."""

    name = "openai"

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        model: str,
        timeout: float,
    ) -> None:
        import openai  # imported here: the local path never pays for the SDK

        self.model = model
        # No retries: a spoken command waits on this call, and hybrid has a
        # local answer ready; a second try would only double the wait.
        self._client = openai.OpenAI(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=0
        )
        self._errors: tuple[type[BaseException], ...] = (openai.OpenAIError,)

    def request(self, text: str, *, now: dt.datetime) -> dict[str, Any]:
        """The keyword arguments of the chat completions call for `text` (tests read them)."""
        system = SYSTEM_PROMPT.format(intents=_intents_table(), now=now.isoformat())
        return {
            "model": self.model,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": text},
            ],
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "intent", "strict": True, "schema": INTENT_JSON_SCHEMA},
            },
            "temperature": 0,
        }

    def parse(self, text: str, *, now: dt.datetime) -> Intent:
        try:
            completion = self._client.chat.completions.create(**self.request(text, now=now))
        except self._errors as error:
            raise IntentProviderError(f"{type(error).__name__}: {error}") from error
        try:
            message = completion.choices[0].message
            content = message.content
        except (AttributeError, IndexError, TypeError) as error:
            raise IntentProviderError("the answer has no message") from error
        if getattr(message, "refusal", None) or not content:
            raise IntentProviderError("the model refused or answered nothing")
        try:
            data = json.loads(content)
        except ValueError as error:
            raise IntentProviderError("the answer is not JSON") from error
        if isinstance(data, dict) and isinstance(data.get("entities"), dict):
            data["entities"] = _clean_items(dict(data["entities"]))
        try:
            return Intent.from_dict(data)
        except IntentValidationError as error:
            raise IntentProviderError(f"the answer is not a valid intent: {error}") from error


class HybridProvider:
    """Local first; the LLM only for low-confidence parses; local again if the LLM fails."""

    name = "hybrid"

    def __init__(self, *, local: LocalProvider, llm: OpenAIProvider | None, threshold: float):
        self.local = local
        self.llm = llm
        self.threshold = threshold

    def parse(self, text: str, *, now: dt.datetime) -> Intent:
        local = self.local.parse(text, now=now)
        if self.llm is None or local.confidence >= self.threshold:
            return local
        try:
            return self.llm.parse(text, now=now)
        except IntentProviderError as error:
            logger.warning(
                "intent llm failed, using the local parse",
                extra={"error": str(error)[:200], "local_intent": local.intent},
            )
            return local


def openai_provider() -> OpenAIProvider:
    if not settings.OPENAI_API_KEY:
        raise IntentProviderError("OPENAI_API_KEY is not set")
    return OpenAIProvider(
        api_key=settings.OPENAI_API_KEY,
        base_url=settings.OPENAI_BASE_URL,
        model=settings.OPENAI_MODEL,
        timeout=float(settings.OPENAI_TIMEOUT_SECONDS),
    )


def build_provider(name: str) -> IntentProvider:
    """A new provider by name, configured from settings."""
    if name == "local":
        return LocalProvider()
    if name == "openai":
        return openai_provider()
    if name == "hybrid":
        return HybridProvider(
            local=LocalProvider(),
            llm=openai_provider() if settings.OPENAI_API_KEY else None,
            threshold=float(settings.INTENT_CONFIDENCE_THRESHOLD),
        )
    raise ValueError(f"unknown intent provider {name!r}")


_providers: dict[tuple, IntentProvider] = {}
_lock = threading.Lock()


def intent_provider(name: str | None = None) -> IntentProvider:
    """The provider `name` (default settings.INTENT_PROVIDER), one per configuration.

    Cached by every setting it reads, so tests that change settings get a new one.
    """
    name = name or settings.INTENT_PROVIDER
    key = (
        name,
        settings.OPENAI_API_KEY,
        settings.OPENAI_BASE_URL,
        settings.OPENAI_MODEL,
        settings.OPENAI_TIMEOUT_SECONDS,
        settings.INTENT_CONFIDENCE_THRESHOLD,
    )
    with _lock:
        provider = _providers.get(key)
        if provider is None:
            provider = _providers[key] = build_provider(name)
        return provider
