"""Benchmark: /ws/voice/ over a real daphne process, the local pipeline (pocketsphinx in,
espeak-ng out), spoken to by real WebSocket clients (`websockets`).

1. Latency: one client streams espeak-ng command audio at real-time pace; from the
   `stop` frame (end of speech) to the first reply audio byte, p50/p95, and each
   stage's share from the server's `timing` frames (goal p50 <= 200 ms, p95 <= 400 ms).
2. Streaming concurrency: N sessions (default 200) stream a command at once at
   real-time pace; `stop` to first audio byte p50/p95 (goal p95 < 1.5 s).
3. Idle connections: as many authenticated connections as the machine allows, up to
   --idle (default 10 000); application-level ping p50/p99 across them (goal p99 <
   250 ms) and daphne's resident memory per connection.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/execora_bench \\
        .venv/bin/python benchmarks/voice_latency.py [--runs 20] [--streams 200] [--idle 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/execora_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "execora.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "execora-benchmark-only")
os.environ.setdefault("LOG_LEVEL", "warning")

import django  # noqa: E402

django.setup()

import websockets  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from customers.services import customer_create  # noqa: E402
from execora.models import Business  # noqa: E402
from execora.services import membership_grant  # noqa: E402
from ledger.services import credit_add  # noqa: E402

# Commands the shop's grammar covers, spoken by espeak-ng (US English voice, 130 wpm).
COMMANDS = [
    "record payment of five hundred from Ramesh",
    "Ramesh ko paanch sau udhaar likho",
    "record payment of two hundred from Suresh",
    "Suresh ko teen sau udhaar likho",
]
CHUNK = 640  # 20 ms of 16 kHz 16-bit mono
STREAM_CAP = 180.0
# Part 2 sends 100 ms frames (what a browser's MediaRecorder or a phone app batches): at
# 20 ms, 200 streams are 10 000 messages a second, more than this 2-core machine can
# even generate beside the server.
STREAM_CHUNK = 3200


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _pcm(text: str) -> bytes:
    espeak = ["espeak-ng", "-v", "en-us", "-s", "130", "--stdout", text]
    wav = subprocess.run(espeak, check=True, capture_output=True).stdout  # noqa: S603
    sox = ["sox", "-t", "wav", "-", "-t", "raw", "-r", "16000", "-e", "signed", "-b", "16"]
    sox += ["-c", "1", "-", "pad", "0.1", "0.3"]
    return subprocess.run(sox, input=wav, check=True, capture_output=True).stdout  # noqa: S603


def _shop() -> str:
    """A shop with the commands' customers, owing plenty; returns its owner's token."""
    business = Business.objects.create(
        name=f"Voice bench {time.time_ns()}", confirm_above_amount=10**7
    )
    user = get_user_model().objects.create_user(f"voicebench{time.time_ns()}")
    membership_grant(user=user, business=business, role="owner")
    for name in ("Ramesh Kumar", "Suresh Patel"):
        customer = customer_create(business=business, name=name)
        credit_add(business=business, customer_id=customer.pk, amount="1000000", note="Opening")
    return Token.objects.create(user=user).key


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Daphne:
    def __init__(self, log: Path, **extra: str) -> None:
        self.port = _free_port()
        env = dict(
            os.environ,
            STT_PROVIDER="local",
            TTS_PROVIDER="local",
            VOICE_MAX_SESSIONS_PER_USER="20000",
            VOICE_MESSAGES_PER_SECOND="1000",
            VOICE_AUDIO_FRAMES_PER_SECOND="1000",
            DATABASE_CONN_MAX_AGE="60",
        )
        env.update(extra)
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603
                # Twisted's default listen backlog is 50: too few for bursts of handshakes.
                [str(REPO / ".venv/bin/daphne"), "-e",
                 f"tcp:port={self.port}:interface=127.0.0.1:backlog=4096",
                 "--websocket_timeout", "3600", "--websocket_connect_timeout", "60",
                 "execora.asgi:application"],
                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise SystemExit("daphne did not start:\n" + log.read_text()[-2000:])

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/voice/"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()


async def _connect(url: str, token: str):
    ws = await websockets.connect(
        url, additional_headers={"Authorization": f"Token {token}"}, max_size=None,
        ping_interval=None, open_timeout=120,
    )  # fmt: skip
    ready = json.loads(await ws.recv())
    assert ready["type"] == "ready", ready
    return ws


async def _command(ws, pcm: bytes, *, real_time: bool, chunk: int = CHUNK) -> dict:
    """Stream one command, stop, and time the answer from the stop frame."""
    await ws.send(json.dumps({"type": "start", "sample_rate": 16000, "language": "en-IN"}))
    start = time.perf_counter()
    step = chunk / 32000  # seconds of audio per frame
    for index, offset in enumerate(range(0, len(pcm), chunk)):
        await ws.send(pcm[offset : offset + chunk])
        if real_time:
            await asyncio.sleep(max(0.0, start + (index + 1) * step - time.perf_counter()))
    stop = time.perf_counter()
    await ws.send(json.dumps({"type": "stop"}))
    out: dict = {"first_audio_ms": None, "final": None}
    while True:
        message = await asyncio.wait_for(ws.recv(), 120)
        now = (time.perf_counter() - stop) * 1000
        if isinstance(message, bytes):
            if out["first_audio_ms"] is None:
                out["first_audio_ms"] = now
            continue
        frame = json.loads(message)
        if frame["type"] == "transcript" and frame["final"]:
            out["final"] = frame["text"]
        elif frame["type"] == "intent":
            out["intent"] = frame["intent"]
        elif frame["type"] in ("timing", "error"):
            out[frame["type"]] = frame.get("stages", frame)
            out["done_ms"] = now
            return out


async def latency(url: str, token: str, runs: int, pcms: list[bytes]) -> None:
    ws = await _connect(url, token)
    results = []
    for index in range(runs + 1):
        result = await _command(ws, pcms[index % len(pcms)], real_time=True)
        if index:  # the first run warms the shop's grammar and decoder pool
            results.append(result)
    await ws.close()
    good = [r for r in results if r["first_audio_ms"] is not None]
    first = [r["first_audio_ms"] for r in good]
    print(f"\n1. stop -> first reply audio byte, local pipeline, {len(good)}/{runs} answered")
    print(f"   p50 {_pct(first, 0.5):.0f} ms   p95 {_pct(first, 0.95):.0f} ms   "
          f"max {max(first, default=float('nan')):.0f} ms")  # fmt: skip
    stages = ["stt_ms", "intent_ms", "execute_ms", "reply_ms", "engine_ms", "tts_ms"]
    timings = [r["timing"] for r in good if "timing" in r]
    for stage in stages:
        values = [t[stage] for t in timings if t.get(stage) is not None]
        print(f"   {stage:<11} median {statistics.median(values):7.1f} ms" if values else "")
    engine = statistics.median([t["engine_ms"] for t in timings]) if timings else 0
    stt = statistics.median([t["stt_ms"] for t in timings]) if timings else 0
    srv_first = statistics.median([t["first_audio_ms"] for t in timings]) if timings else 0
    total = statistics.median(first) if first else 0
    if total:
        print(
            f"   shares of the median {total:.0f} ms: stt (finish) {stt / total:.0%}, "
            f"engine {engine / total:.0%}, tts to first byte "
            f"{max(0.0, srv_first - stt - engine) / total:.0%}, "
            f"network+framing {max(0.0, total - srv_first) / total:.0%}"
        )
    heard = [r["final"] for r in results]
    print(f"   transcripts: {sum(1 for h in heard if h)} non-empty of {len(heard)}; "
          f"intents {sorted({r.get('intent', '-') for r in results})}")  # fmt: skip


async def streaming(
    url: str, token: str, sessions: int, pcms: list[bytes], label: str = ""
) -> None:
    sockets = []
    for start in range(0, sessions, 50):  # handshakes in bursts of 50, as clients arrive
        batch = min(50, sessions - start)
        sockets += await asyncio.gather(*[_connect(url, token) for _ in range(batch)])
    started = time.perf_counter()
    # Past STREAM_CAP_SECONDS a session counts as failed (timed out), not as a figure.
    results = await asyncio.gather(
        *[
            asyncio.wait_for(
                _command(ws, pcms[i % len(pcms)], real_time=True, chunk=STREAM_CHUNK), STREAM_CAP
            )
            for i, ws in enumerate(sockets)
        ],
        return_exceptions=True,
    )
    wall = time.perf_counter() - started
    await asyncio.gather(*[ws.close() for ws in sockets], return_exceptions=True)
    answered = [r for r in results if isinstance(r, dict) and r["first_audio_ms"] is not None]
    first = [r["first_audio_ms"] for r in answered]
    errors = [r for r in results if not isinstance(r, dict)]
    unanswered = len(results) - len(answered) - len(errors)
    codes = Counter(
        r["error"].get("code", "?") for r in results if isinstance(r, dict) and "error" in r
    )
    print(f"\n2{label}. {sessions} sessions streaming at once (real-time pace, 100 ms frames): "
          f"{len(answered)} answered with audio, {unanswered} without (error frame), "
          f"{len(errors)} failed or over {STREAM_CAP:.0f} s, wall {wall:.1f} s")  # fmt: skip
    print(
        f"   stop -> first audio byte p50 {_pct(first, 0.5):.0f} ms   "
        f"p95 {_pct(first, 0.95):.0f} ms   max {max(first, default=float('nan')):.0f} ms"
        + (f"   error frames {dict(codes)}" if codes else "")
    )


async def idle(url: str, token: str, target: int, pid: int, budget_s: float) -> None:
    before = _rss_kb(pid)
    sockets: list = []
    started = time.monotonic()
    failure = ""
    while len(sockets) < target and time.monotonic() - started < budget_s:
        batch = min(100, target - len(sockets))
        opened = await asyncio.gather(
            *[_connect(url, token) for _ in range(batch)], return_exceptions=True
        )
        sockets += [ws for ws in opened if not isinstance(ws, BaseException)]
        broken = [ws for ws in opened if isinstance(ws, BaseException)]
        if broken:
            failure = f"{len(broken)} refused at {len(sockets)}: {broken[0]!r}"[:200]
            break
    opened_s = time.monotonic() - started
    await asyncio.sleep(2)
    after = _rss_kb(pid)
    rtts = []
    for _ in range(3):
        for ws in random.sample(sockets, min(300, len(sockets))):
            sent = time.perf_counter()
            await ws.send('{"type": "ping"}')
            await asyncio.wait_for(ws.recv(), 60)
            rtts.append((time.perf_counter() - sent) * 1000)
            await asyncio.sleep(0.003)
    print(f"\n3. idle authenticated connections held: {len(sockets)} of {target} "
          f"(opened in {opened_s:.0f} s){'; ' + failure if failure else ''}")  # fmt: skip
    print(
        f"   ping round trip over {len(rtts)} pings: p50 {_pct(rtts, 0.5):.1f} ms   "
        f"p99 {_pct(rtts, 0.99):.1f} ms   max {max(rtts):.1f} ms"
    )
    per = (after - before) / max(1, len(sockets))
    print(f"   daphne RSS {before / 1024:.0f} MB -> {after / 1024:.0f} MB: "
          f"{per:.1f} KB per connection")  # fmt: skip
    closing = [ws.close() for ws in sockets]
    for start in range(0, len(closing), 500):
        await asyncio.gather(*closing[start : start + 500], return_exceptions=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--idle", type=int, default=10000)
    parser.add_argument("--idle-budget", type=float, default=300, help="seconds to open them")
    parser.add_argument(
        "--plumbing",
        action="store_true",
        help="also run part 2 with the Deepgram stand-in as recogniser (the server without "
        "pocketsphinx's CPU: what the consumer, engine and TTS sustain)",
    )
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    token = _shop()
    pcms = [_pcm(text) for text in COMMANDS]
    log = Path(tempfile.mkdtemp(prefix="voice-bench-")) / "daphne.log"
    print(f"voice benchmark: daphne with STT_PROVIDER=local TTS_PROVIDER=local "
          f"(load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")  # fmt: skip
    parts = [
        ("latency", {}, lambda d: latency(d.url, token, args.runs, pcms)),
        ("streaming", {}, lambda d: streaming(d.url, token, args.streams, pcms)),
        ("idle", {}, lambda d: idle(d.url, token, args.idle, d.process.pid, args.idle_budget)),
    ]
    standin = None
    if args.plumbing:
        from tests.voice.standins.deepgram import API_KEY, DeepgramStandin

        standin = DeepgramStandin(script=COMMANDS[0]).__enter__()
        deepgram = {
            "STT_PROVIDER": "deepgram",
            "DEEPGRAM_API_KEY": API_KEY,
            "DEEPGRAM_BASE_URL": standin.url,
        }
        parts.insert(
            2,
            ("streaming-plumbing", deepgram,
             lambda d: streaming(d.url, token, args.streams, pcms, " (Deepgram stand-in)")),
        )  # fmt: skip
    for name, extra, job in parts:
        server = Daphne(log, **extra)  # a fresh process per part, from the same memory
        try:
            asyncio.run(job(server))
        except Exception as error:  # report the part that broke and carry on with the rest
            print(f"\n{name}: failed: {error!r}")
        finally:
            server.stop()
    if standin is not None:
        standin.__exit__(None, None, None)


if __name__ == "__main__":
    main()
