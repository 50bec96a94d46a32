"""`eval_intents FILE.jsonl [--provider local]`: score a provider against an evaluation file.

Scoring follows shared/intents/SCHEMA.md (voice/intents/scoring.py). Each miss
is printed with what differed; the last line is exactly `intent N/M full K/M`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from voice.intents import Intent, parse
from voice.intents.scoring import read_cases, score, summary_line


def _configured(name: str) -> Callable[..., Intent]:
    """A provider of voice.engine.providers, built from settings when first used."""

    def run(text: str, *, now: dt.datetime) -> Intent:
        from voice.engine.providers import IntentProviderError, intent_provider

        try:
            provider = intent_provider(name)
        except IntentProviderError as error:
            raise CommandError(f"provider {name}: {error}") from error
        try:
            return provider.parse(text, now=now)
        except IntentProviderError:
            # A failed answer scores as a miss, like any wrong one.
            return Intent("unknown", {}, 0.0, "en")

    return run


PROVIDERS: dict[str, Callable[..., Intent]] = {
    "local": parse,
    "openai": _configured("openai"),
    "hybrid": _configured("hybrid"),
}


class Command(BaseCommand):
    help = "Score an intent provider against a JSONL evaluation file (SCHEMA.md rules)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="JSONL lines with id, text, now, expected")
        parser.add_argument("--provider", default="local", help="the provider to score")
        parser.add_argument(
            "--quiet", action="store_true", help="print only the summary line, not the misses"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        provider = PROVIDERS.get(options["provider"])
        if provider is None:
            raise CommandError(
                f"unknown provider {options['provider']!r}; choose from {sorted(PROVIDERS)}"
            )
        try:
            cases = read_cases(options["file"])
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"cannot read {options['file']}: {error}") from error
        scores = []
        for case in cases:
            now: dt.datetime = case.now
            intent = provider(case.text, now=now)
            result = score(case, intent.to_dict())
            scores.append(result)
            if not result.full_ok and not options["quiet"]:
                self.stdout.write(f"MISS {case.id}: {case.text}")
                for difference in result.differences:
                    self.stdout.write(f"    {difference}")
        self.stdout.write(summary_line(scores))
