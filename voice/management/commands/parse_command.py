"""`parse_command [--now ISO] "text"` and `parse_command --jsonl FILE` (CONTRACTS.md).

Prints the intent JSON of shared/intents/SCHEMA.md; with --jsonl, one JSON a
line for each input line (which carries id, text, now), in order, with its id.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from voice.intents import parse


def _parse_now(value: str | None) -> dt.datetime:
    if not value:
        return timezone.localtime()
    try:
        now = dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--now must be an ISO 8601 datetime, got {value!r}") from error
    if now.tzinfo is None:
        now = timezone.make_aware(now)
    return now


class Command(BaseCommand):
    help = "Parse a command sentence (or a JSONL file of them) into intent JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", nargs="?", help="the sentence to parse")
        parser.add_argument("--now", help="the moment relative dates are resolved against")
        parser.add_argument("--jsonl", help="a file of lines with id, text and now")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["jsonl"]:
            self._jsonl(options["jsonl"], default_now=options["now"])
            return
        if not options["text"]:
            raise CommandError("give a sentence to parse, or --jsonl FILE")
        intent = parse(options["text"], now=_parse_now(options["now"]))
        self.stdout.write(intent.to_json())

    def _jsonl(self, path: str, *, default_now: str | None) -> None:
        try:
            handle = open(path, encoding="utf-8")  # noqa: SIM115 - closed below
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from error
        with handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                    text = data["text"]
                except (ValueError, KeyError, TypeError) as error:
                    raise CommandError(f"{path}:{number}: not a line with a text") from error
                intent = parse(text, now=_parse_now(data.get("now") or default_now))
                out = {"id": data.get("id"), **intent.to_dict()}
                self.stdout.write(json.dumps(out, ensure_ascii=False))
