"""The management commands of CONTRACTS.md: parse_command and eval_intents."""

import json
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT.parent / "shared" / "intents" / "dev.jsonl"
EXTRA = Path(__file__).with_name("intents_extra.jsonl")
SUMMARY = re.compile(r"^intent (\d+)/(\d+) full (\d+)/(\d+)$")


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_parse_command_prints_the_intent_json():
    # when one sentence is parsed at a given moment
    output = run(
        "parse_command", "--now", "2026-03-10T09:00:00+05:30", "Ramesh ko kal 500 ka reminder bhejo"
    )
    # then the output is exactly the SCHEMA.md object
    data = json.loads(output)
    assert set(data) == {"intent", "entities", "confidence", "lang"}
    assert data["intent"] == "create_reminder"
    assert data["entities"] == {
        "customer": "Ramesh",
        "when": "2026-03-11T10:00:00+05:30",
        "amount": "500",
    }


def test_parse_command_keeps_devanagari_readable():
    output = run("parse_command", "--now", "2026-03-10T09:00:00+05:30", "रमेश का कितना बाकी है")
    assert '"customer": "रमेश"' in output


def test_parse_command_jsonl_prints_one_line_per_input_in_order(tmp_path):
    # given a file of three commands
    lines = [
        {"id": "a", "text": "haan", "now": "2026-03-10T09:00:00+05:30"},
        {"id": "b", "text": "kal ki bikri", "now": "2026-03-10T09:00:00+05:30"},
        {"id": "c", "text": "Ramesh ne 200 diye", "now": "2026-03-10T09:00:00+05:30"},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    # when it is parsed
    output = run("parse_command", "--jsonl", str(path)).splitlines()
    # then each line carries its id and intent, in the same order
    parsed = [json.loads(line) for line in output]
    assert [p["id"] for p in parsed] == ["a", "b", "c"]
    assert [p["intent"] for p in parsed] == ["confirm", "daily_summary", "record_payment"]
    assert parsed[1]["entities"] == {"date": "2026-03-09"}


def test_parse_command_refuses_a_bad_now():
    with pytest.raises(CommandError):
        run("parse_command", "--now", "tomorrow", "haan")


def eval_summary(path: Path) -> tuple[int, int, int]:
    output = run("eval_intents", str(path), "--provider", "local")
    last = output.strip().splitlines()[-1]
    match = SUMMARY.match(last)
    assert match, f"last line is not the summary: {last!r}"
    intents, total, full, total_again = (int(g) for g in match.groups())
    assert total == total_again
    return intents, full, total


def test_dev_set_scores_stay_above_the_floor():
    # achieved 233/233 intent and full; the floor catches regressions
    intents, full, total = eval_summary(DEV)
    assert total == 233
    assert intents >= 228
    assert full >= 224


def test_extra_set_scores_stay_above_the_floor():
    # tests/voice/intents_extra.jsonl: our own sentences, written before they were run
    intents, full, total = eval_summary(EXTRA)
    assert total >= 500
    assert intents >= total * 0.97
    assert full >= total * 0.95


def test_eval_intents_refuses_an_unknown_provider():
    with pytest.raises(CommandError):
        run("eval_intents", str(DEV), "--provider", "crystal-ball")


def test_eval_intents_prints_misses_before_the_summary(tmp_path):
    # given one line the parser gets right and one whose expectation is wrong
    lines = [
        {
            "id": "ok",
            "text": "haan",
            "now": "2026-03-10T09:00:00+05:30",
            "expected": {"intent": "confirm", "entities": {}},
        },
        {
            "id": "bad",
            "text": "nahi",
            "now": "2026-03-10T09:00:00+05:30",
            "expected": {"intent": "confirm", "entities": {}},
        },
    ]
    path = tmp_path / "eval.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    output = run("eval_intents", str(path)).strip().splitlines()
    assert output[0].startswith("MISS bad")
    assert output[-1] == "intent 1/2 full 1/2"


def test_the_real_command_line_works():
    # the commands as an operator runs them, in a fresh process
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "parse_command",
            "--now",
            "2026-03-10T09:00:00+05:30",
            "help",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(result.stdout)["intent"] == "help"
