"""The intent every provider emits (shared/intents/SCHEMA.md), its validation and JSON.

`Intent.from_dict` is the one gate for intents from outside the local parser
(an LLM's structured output, a stored test case): it refuses anything that
does not fit the contract, so the engine only ever sees well-formed intents.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

INTENTS: dict[str, frozenset[str]] = {
    "create_customer": frozenset({"customer", "phone"}),
    "check_balance": frozenset({"customer"}),
    "add_credit": frozenset({"customer", "amount", "note"}),
    "record_payment": frozenset({"customer", "amount", "payment_mode"}),
    "create_invoice": frozenset({"customer", "items"}),
    "cancel_invoice": frozenset({"invoice_number", "customer"}),
    "send_invoice": frozenset({"invoice_number", "customer"}),
    "create_reminder": frozenset({"customer", "when", "amount"}),
    "cancel_reminder": frozenset({"customer"}),
    "modify_reminder": frozenset({"customer", "when"}),
    "list_reminders": frozenset({"date"}),
    "check_stock": frozenset({"product"}),
    "add_stock": frozenset({"product", "quantity", "unit"}),
    "set_price": frozenset({"product", "unit_price", "unit"}),
    "create_product": frozenset({"product", "unit_price", "unit", "quantity"}),
    "daily_summary": frozenset({"date"}),
    "total_dues": frozenset(),
    "customer_statement": frozenset({"customer"}),
    "confirm": frozenset(),
    "deny": frozenset(),
    "undo": frozenset(),
    "help": frozenset(),
    "unknown": frozenset(),
}
# The entities an intent cannot be executed without; the engine asks for them.
REQUIRED: dict[str, frozenset[str]] = {
    "create_customer": frozenset({"customer"}),
    "check_balance": frozenset({"customer"}),
    "add_credit": frozenset({"customer", "amount"}),
    "record_payment": frozenset({"customer", "amount"}),
    "create_invoice": frozenset({"items"}),
    "create_reminder": frozenset({"customer", "when"}),
    "cancel_reminder": frozenset({"customer"}),
    "modify_reminder": frozenset({"customer", "when"}),
    "check_stock": frozenset({"product"}),
    "add_stock": frozenset({"product", "quantity"}),
    "set_price": frozenset({"product", "unit_price"}),
    "create_product": frozenset({"product"}),
    "customer_statement": frozenset({"customer"}),
}
UNITS = frozenset({"kg", "g", "l", "ml", "pcs", "dozen", "packet", "box", "bag"})
PAYMENT_MODES = frozenset({"cash", "upi", "card", "bank", "cheque"})
LANGS = frozenset({"en", "hi", "hinglish"})
ITEM_KEYS = frozenset({"product", "quantity", "unit", "unit_price"})
DECIMAL_ENTITIES = frozenset({"amount", "quantity", "unit_price"})
STRING_ENTITIES = frozenset({"customer", "product", "note", "invoice_number"})

_DECIMAL = re.compile(r"^\d+(\.\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PHONE = re.compile(r"^\+?\d{6,15}$")
MAX_TEXT = 200


class IntentValidationError(ValueError):
    """An intent that does not fit SCHEMA.md; the message says which field and why."""


@dataclass(frozen=True)
class Intent:
    intent: str
    entities: dict[str, Any] = field(default_factory=dict)
    confidence: float = 0.0
    lang: str = "en"

    def to_dict(self) -> dict[str, Any]:
        return {
            "intent": self.intent,
            "entities": dict(self.entities),
            "confidence": self.confidence,
            "lang": self.lang,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Any) -> Intent:
        """Validate a decoded JSON object and build the Intent; IntentValidationError if not."""
        if not isinstance(data, dict):
            raise IntentValidationError("an intent is a JSON object")
        name = data.get("intent")
        entities = data.get("entities")
        if entities is None:
            entities = {}
        if not isinstance(entities, dict):
            raise IntentValidationError("entities must be an object")
        entities = {key: value for key, value in entities.items() if not _empty(value)}
        intent = cls(
            intent=name if isinstance(name, str) else "",
            entities=entities,
            confidence=_confidence(data.get("confidence", 0.0)),
            lang=data.get("lang") or "en",
        )
        validate(intent)
        return intent


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _confidence(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise IntentValidationError("confidence must be a number")
    return float(value)


def validate(intent: Intent) -> None:
    """Raise IntentValidationError unless the intent fits SCHEMA.md exactly."""
    if intent.intent not in INTENTS:
        raise IntentValidationError(f"unknown intent {intent.intent!r}")
    if not 0.0 <= intent.confidence <= 1.0:
        raise IntentValidationError("confidence must be between 0 and 1")
    if intent.lang not in LANGS:
        raise IntentValidationError(f"lang must be one of {sorted(LANGS)}")
    allowed = INTENTS[intent.intent]
    for key, value in intent.entities.items():
        if key not in allowed:
            raise IntentValidationError(f"{intent.intent} takes no entity {key!r}")
        _check_entity(key, value)


def _check_entity(key: str, value: Any) -> None:
    if key in STRING_ENTITIES:
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
            raise IntentValidationError(f"{key} must be a non-empty string")
    elif key in DECIMAL_ENTITIES:
        _check_decimal(key, value)
    elif key == "unit":
        if value not in UNITS:
            raise IntentValidationError(f"unit must be one of {sorted(UNITS)}")
    elif key == "payment_mode":
        if value not in PAYMENT_MODES:
            raise IntentValidationError(f"payment_mode must be one of {sorted(PAYMENT_MODES)}")
    elif key == "phone":
        if not isinstance(value, str) or not _PHONE.match(value):
            raise IntentValidationError("phone must be digits")
    elif key == "when":
        if not isinstance(value, str):
            raise IntentValidationError("when must be an ISO 8601 datetime")
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError as error:
            raise IntentValidationError("when must be an ISO 8601 datetime") from error
        if parsed.tzinfo is None:
            raise IntentValidationError("when must carry its UTC offset")
    elif key == "date":
        if not isinstance(value, str) or not _DATE.match(value):
            raise IntentValidationError("date must be YYYY-MM-DD")
        try:
            dt.date.fromisoformat(value)
        except ValueError as error:
            raise IntentValidationError("date must be a real day") from error
    elif key == "items":
        if not isinstance(value, list) or not value:
            raise IntentValidationError("items must be a non-empty list")
        for item in value:
            if not isinstance(item, dict) or not {"product", "quantity"} <= set(item):
                raise IntentValidationError("each item needs a product and a quantity")
            for item_key, item_value in item.items():
                if item_key not in ITEM_KEYS:
                    raise IntentValidationError(f"an item takes no {item_key!r}")
                if not _empty(item_value):
                    _check_entity(item_key, item_value)


def _check_decimal(key: str, value: Any) -> None:
    if not isinstance(value, str) or not _DECIMAL.match(value):
        raise IntentValidationError(f'{key} must be a decimal string like "500" or "0.5"')
    try:
        number = Decimal(value)
    except InvalidOperation as error:  # pragma: no cover - the regex already refuses these
        raise IntentValidationError(f"{key} must be a decimal string") from error
    if number <= 0:
        raise IntentValidationError(f"{key} must be more than zero")
