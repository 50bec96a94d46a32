"""Benchmark: the local speech recogniser (pocketsphinx on the shop's grammar) on synthesised
shop commands — word error rate, command success through the engine, rejection of speech
that is no command, the wake phrase, and speed.

Voices: espeak-ng and flite at several speeds. Conditions: clean (studio-silent synthesis),
and white noise mixed at 20 dB and 10 dB SNR (relative to the speech). Each utterance is
streamed through `LocalRecognizer` in 20 ms chunks, as the WebSocket feeds it.

The commands are NOT the grammar's own: the grammar is built from command shapes and the
shop's names; the test sentences combine other names, amounts, products and phrasings.

Command success: the engine (`command_run` on PostgreSQL) given the transcript does the same
as given the true sentence — same status, intent, entities and reply (each run in a
rolled-back transaction, so both see the same books). Near-miss names the engine repairs
count as successes; that is the point of the engine's fuzzy search.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/execora_bench \\
        .venv/bin/python benchmarks/stt_wer.py [--quick]

Timings (real-time factor, end_utt) are CPU seconds of this process; on a shared machine
they are noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/execora_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "execora.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "execora-benchmark-only")
os.environ.setdefault("LOG_LEVEL", "warning")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from customers.services import customer_create  # noqa: E402
from execora.models import Business  # noqa: E402
from execora.services import membership_grant  # noqa: E402
from ledger.services import credit_add  # noqa: E402
from products.services import product_create  # noqa: E402
from tests.voice.audio import add_noise, chunks, synthesize_pcm  # noqa: E402
from voice.services import command_run  # noqa: E402
from voice.speech.grammar import shop_grammar  # noqa: E402
from voice.speech.local import LocalRecognizer, recognizer_warm  # noqa: E402

CUSTOMERS = [
    "Ramesh Kumar", "Suresh Patel", "Lakshmi Iyer", "Bablu Yadav", "Anjali Verma",
    "Mohammed Irfan", "Pinky Sharma", "Geeta Devi", "Harpreet Singh", "Zubair Khan",
    "Kavita Joshi", "Dinesh Gupta", "Farhan Ali", "Sunita Mishra", "Gopal Reddy",
    "Meena Nair", "Vikram Chauhan", "Nandini Rao", "Rajesh Agarwal", "Shabana Begum",
]  # fmt: skip
PRODUCTS = [
    ("Sugar", "kg", "45", ["cheeni"]), ("Mustard Oil", "l", "180", ["tel"]),
    ("Atta", "kg", "38", []), ("Basmati Rice", "kg", "95", ["chawal"]),
    ("Toor Dal", "kg", "130", []), ("Maggi", "packet", "14", []),
    ("Parle G", "packet", "10", []), ("Tata Salt", "kg", "28", ["namak"]),
    ("Amul Butter", "pcs", "56", []), ("Milk", "l", "60", ["doodh"]),
]  # fmt: skip

# ≥ 50 commands, English and Hinglish, with names, amounts and products in combinations
# the grammar does not list (it has shapes and names, not sentences).
COMMANDS = """
record payment of seven hundred fifty from suresh
record a payment of twelve hundred from geeta by upi
zubair paid three thousand rupees by cash
harpreet paid two hundred forty through paytm
kavita gave me nine hundred rupees
received four thousand five hundred from dinesh by cheque
got sixty rupees from farhan
farhan ne teen sau diye
sunita ne dedh hazaar jama kiye
gopal ne do hazaar rupaye phone pe se diye
meena ne saadhe teen sau cash diye
vikram ka paanch sau aa gaya
nandini ne dhai hazaar bheje
add eight hundred to rajesh s account
add three hundred fifty rupees credit to shabana
give two thousand rupees credit to pinky
bablu took six hundred on credit
anjali owes four hundred more
ramesh ko chaar sau udhaar likho
irfan ko paanch hazaar ka udhaar de do
lakshmi ke khate mein saat sau likh do
geeta ke naam ek hazaar udhaar likho
zubair ko pachaas rupaye udhaar likho
what is kavita s balance
how much does dinesh owe
check the balance of farhan
sunita ka kitna baaki hai
gopal ka balance batao
meena ke kitne paise baaki hain
make a bill for vikram two kilo sugar and one litre milk
create a bill for nandini three packet maggi
rajesh ka bill banao do kilo atta aur ek kilo toor dal
shabana ke liye bill banao paanch packet parle g
cancel the last bill
pichla bill cancel karo
send the bill to pinky
bablu ko bill whatsapp kar do
remind anjali tomorrow at ten a m
send a reminder to ramesh tomorrow evening
irfan ko kal subah das baje reminder bhejo
lakshmi ka reminder cancel karo
aaj ke reminders dikhao
how much sugar is left
atta kitna bacha hai
add twenty kilo basmati rice to stock
pachaas packet maggi stock mein daalo
set the price of milk to sixty two rupees per litre
toor dal ka rate ek sau chaalees rupaye kar do
send the statement to harpreet
zubair ka hisaab bhejo
aaj ki bikri kitni hui
kis kis ka paisa baaki hai
naya customer ravi sharma
haan ji
nahi
undo the last entry
""".strip().splitlines()

# Speech that is no command: it must come back as "" (unknown), never as a command.
NOT_COMMANDS = """
the weather is very nice today isn't it
please call my brother tonight
i will go to the market in the evening
my phone battery is almost dead
what time does the train leave
she bought a new red car yesterday
the children are playing cricket outside
can you turn the music down a little
we should paint the kitchen next month
the bus was late again this morning
did you watch the match last night
my daughter is going to college in delhi
there is a lot of traffic on the main road
the doctor said to drink more water
i forgot my umbrella at the office
""".strip().splitlines()

WAKES = ["hey execora", "suno execora"]

ESPEAK = [("espeak-ng", "en-us", 140), ("espeak-ng", "en-us", 190)]
FLITE = [("flite", "slt", 1.0), ("flite", "awb", 0.85)]
CONDITIONS = [("clean", False), ("20 dB", 20.0), ("10 dB", 10.0)]


def _edits(ref: list[str], hyp: list[str]) -> int:
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1]


def _norm(text: str) -> list[str]:
    return text.casefold().split()


def _shop():
    business = Business.objects.create(name=f"STT bench shop {time.time_ns()}")
    user = get_user_model().objects.create_user(f"sttbench{time.time_ns()}")
    membership_grant(user=user, business=business, role="owner")
    for n, name in enumerate(CUSTOMERS):
        customer = customer_create(business=business, name=name)
        credit_add(business=business, customer_id=customer.pk, amount=str(300 + 50 * n))
    for name, unit, price, aliases in PRODUCTS:
        product_create(business=business, name=name, unit=unit, selling_price=price,
                       gst_rate="0", opening_stock="100", aliases=aliases)  # fmt: skip
    return business, user


def _outcome(business, user, text: str) -> tuple:
    """What the engine does with `text`, with nothing kept."""
    with transaction.atomic():
        result = command_run(business=business, user=user, text=text)
        transaction.set_rollback(True)
    entities = {k: v for k, v in result.intent.entities.items() if k != "when"}
    return (result.status, result.intent.intent, repr(sorted(entities.items())), result.reply)


def _decode(business, pcm: bytes) -> tuple[str, bool, LocalRecognizer, float | None]:
    # Opened in sync code (it reads the shop), streamed in an event loop like the consumer.
    recognizer = LocalRecognizer(business=business, language="en-IN")
    return asyncio.run(_stream(recognizer, pcm))


async def _stream(recognizer: LocalRecognizer, pcm: bytes):
    first_partial = None
    fed = 0.0
    for chunk in chunks(pcm, 20):
        fed += len(chunk) / 32000
        if await recognizer.feed(chunk) and first_partial is None:
            first_partial = fed
    final = await recognizer.finish()
    await recognizer.close()
    return final.text, recognizer.woke, recognizer, first_partial


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:5.1f}%" if d else "   - "


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 voices, clean and 10 dB only")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    business, user = _shop()
    started = time.perf_counter()
    recognizer_warm(business=business)
    grammar = shop_grammar(business_id=business.pk)
    print(f"grammar: {grammar.final + 1} states, {len(grammar.transitions)} transitions, "
          f"{len(grammar.dictionary)} words; built and decoder loaded in "
          f"{time.perf_counter() - started:.2f} s")  # fmt: skip
    voices = [ESPEAK[0], FLITE[0]] if args.quick else ESPEAK + FLITE
    conditions = [CONDITIONS[0], CONDITIONS[2]] if args.quick else CONDITIONS
    expected = {text: _outcome(business, user, text) for text in COMMANDS}
    stats: dict[tuple, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    cpu = audio = 0.0
    end_ms: list[float] = []
    partial_at: list[float] = []
    failures: list[str] = []
    for engine, voice, speed in voices:
        for label, snr in conditions:
            key = (engine, f"{voice}@{speed}", label)
            s = stats[key]
            for n, text in enumerate(COMMANDS + NOT_COMMANDS):
                pcm = synthesize_pcm(text, voice=voice, speed=speed, engine=engine)
                if snr is not False:
                    pcm = add_noise(pcm, snr, seed=n)
                hyp, _, rec, first = _decode(business, pcm)
                cpu += rec.cpu_seconds
                audio += rec.audio_seconds
                end_ms.append(rec.end_utt_ms or 0.0)
                if text in NOT_COMMANDS:
                    s["oog"] += 1
                    s["false_accept"] += hyp != ""
                    if hyp:
                        failures.append(f"{key} accepted {text!r} as {hyp!r}")
                    continue
                if first is not None:
                    partial_at.append(first - 0.3)  # the audio starts with 0.3 s of silence
                ref = _norm(text)
                s["words"] += len(ref)
                s["errors"] += _edits(ref, _norm(hyp))
                s["commands"] += 1
                ok = _outcome(business, user, hyp) == expected[text] if hyp else False
                s["success"] += ok
                # the transcript was wrong, but the engine still did the right thing
                s["repaired"] += ok and _norm(hyp) != ref
                if not ok:
                    failures.append(f"{key} {text!r} -> {hyp!r}")
            print(f"  done: {engine} {voice}@{speed} {label}", file=sys.stderr, flush=True)
    print()
    print(f"{'voice':<26}{'noise':<8}{'WER':>7}{'command ok':>12}{'false accept':>14}")
    by_condition: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    by_engine: dict[tuple, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for (engine, voice, label), s in stats.items():
        print(f"{engine + ' ' + voice:<26}{label:<8}{_pct(s['errors'], s['words']):>7}"
              f"{_pct(s['success'], s['commands']):>12}"
              f"{_pct(s['false_accept'], s['oog']):>14}")  # fmt: skip
        for bucket in (by_condition[label], by_engine[(engine, label)]):
            for k, v in s.items():
                bucket[k] += v
    print()
    for (engine, label), s in sorted(by_engine.items()):
        print(f"{engine:<26}{label:<8}{_pct(s['errors'], s['words']):>7}"
              f"{_pct(s['success'], s['commands']):>12}"
              f"{_pct(s['false_accept'], s['oog']):>14}")  # fmt: skip
    for label, s in by_condition.items():
        print(f"{'all voices':<26}{label:<8}{_pct(s['errors'], s['words']):>7}"
              f"{_pct(s['success'], s['commands']):>12}"
              f"{_pct(s['false_accept'], s['oog']):>14}")  # fmt: skip
    print(f"\n{len(COMMANDS)} commands, {len(NOT_COMMANDS)} non-commands, {len(voices)} voices")
    repaired = sum(s["repaired"] for s in stats.values())
    print(f"engine repaired {repaired:.0f} wrong transcripts into the right command")
    print(f"real-time factor (CPU): {cpu / audio:.3f}")
    print(f"end_utt: p50 {statistics.median(end_ms):.1f} ms, "
          f"p95 {sorted(end_ms)[int(0.95 * len(end_ms))]:.1f} ms")  # fmt: skip
    if partial_at:
        print(f"first partial: p50 {statistics.median(partial_at):.2f} s into speech")

    # Wake phrase: misses on "<wake> <command>", false wakes on everything else.
    wake_n = miss = 0
    background_n = false_wake = 0
    for engine, voice, speed in voices:
        for n, text in enumerate(COMMANDS[::4]):
            said = f"{WAKES[n % 2]} {text}"
            pcm = add_noise(
                synthesize_pcm(said, voice=voice, speed=speed, engine=engine), 20, seed=n
            )
            _, woke, _, _ = _decode(business, pcm)
            wake_n += 1
            miss += not woke
        for n, text in enumerate(NOT_COMMANDS + COMMANDS[1::4]):
            pcm = add_noise(
                synthesize_pcm(text, voice=voice, speed=speed, engine=engine), 20, seed=n
            )
            _, woke, _, _ = _decode(business, pcm)
            background_n += 1
            false_wake += woke
    print(f"wake phrase (20 dB): missed {miss}/{wake_n}; false wakes {false_wake}/{background_n} "
          "on non-command speech and commands said without it")  # fmt: skip
    if os.environ.get("STT_BENCH_FAILURES"):
        print("\n".join(failures))


if __name__ == "__main__":
    main()
