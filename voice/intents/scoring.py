"""Scoring an intent against an evaluation line, by the rules of SCHEMA.md.

- intent: the names are equal;
- full match: the intent is equal, every expected entity is equal, and no
  entity that is not expected carries a value;
- strings compare case-insensitively after folding white space, and an
  expected string may be a list of acceptable alternatives;
- amounts, quantities and prices compare as decimals; `when` as an instant;
  `items` as lists, in order, each item by the same rules.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from voice.intents.schema import DECIMAL_ENTITIES


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    now: dt.datetime
    expected_intent: str
    expected_entities: dict[str, Any]


@dataclass(frozen=True)
class Score:
    id: str
    intent_ok: bool
    full_ok: bool
    differences: tuple[str, ...]


def read_cases(path: str | Path) -> list[Case]:
    """The lines of an evaluation file (JSONL with id, text, now, expected)."""
    cases = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            data = json.loads(line)
            expected = data.get("expected") or {}
            cases.append(
                Case(
                    id=str(data.get("id") or number),
                    text=data["text"],
                    now=dt.datetime.fromisoformat(data["now"]),
                    expected_intent=expected.get("intent", "unknown"),
                    expected_entities=expected.get("entities") or {},
                )
            )
    return cases


def score(case: Case, got: dict[str, Any]) -> Score:
    """Compare one parsed intent (its to_dict()) with the expected one."""
    intent_ok = got.get("intent") == case.expected_intent
    differences = list(entity_differences(case.expected_entities, got.get("entities") or {}))
    if not intent_ok:
        differences.insert(0, f"intent: expected {case.expected_intent}, got {got.get('intent')}")
    return Score(case.id, intent_ok, intent_ok and not differences, tuple(differences))


def entity_differences(expected: dict[str, Any], got: dict[str, Any]) -> Iterator[str]:
    for key, want in expected.items():
        have = got.get(key)
        if _no_value(want):
            if not _no_value(have):
                yield f"{key}: expected nothing, got {have!r}"
        elif not values_equal(key, want, have):
            yield f"{key}: expected {want!r}, got {have!r}"
    for key, have in got.items():
        if key not in expected and not _no_value(have):
            yield f"{key}: not expected, got {have!r}"


def values_equal(key: str, want: Any, have: Any) -> bool:
    if _no_value(have):
        return False
    if key == "items":
        return _items_equal(want, have)
    if key in DECIMAL_ENTITIES:
        return _decimal_equal(want, have)
    if key == "when":
        return _instant_equal(want, have)
    alternatives = want if isinstance(want, list) else [want]
    return any(_text(alt) == _text(have) for alt in alternatives)


def _items_equal(want: Any, have: Any) -> bool:
    if not isinstance(want, list) or not isinstance(have, list) or len(want) != len(have):
        return False
    return all(
        isinstance(w, dict) and isinstance(h, dict) and not list(entity_differences(w, h))
        for w, h in zip(want, have, strict=True)
    )


def _decimal_equal(want: Any, have: Any) -> bool:
    alternatives = want if isinstance(want, list) else [want]
    try:
        got = Decimal(str(have))
        return any(Decimal(str(alt)) == got for alt in alternatives)
    except InvalidOperation:
        return False


def _instant_equal(want: Any, have: Any) -> bool:
    try:
        a = dt.datetime.fromisoformat(str(want))
        b = dt.datetime.fromisoformat(str(have))
    except ValueError:
        return False
    if (a.tzinfo is None) != (b.tzinfo is None):
        return False
    return a == b


def _text(value: Any) -> str:
    return " ".join(str(value).split()).casefold()


def _no_value(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def summary_line(scores: Iterable[Score]) -> str:
    scores = list(scores)
    total = len(scores)
    intents = sum(s.intent_ok for s in scores)
    full = sum(s.full_ok for s in scores)
    return f"intent {intents}/{total} full {full}/{total}"
