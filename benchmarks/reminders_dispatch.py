"""Benchmark: 5 000 payment reminders due at once, through Redis and one worker, to the stand-in.

The production path end to end: beat ticks the dispatcher every second, the
dispatcher claims due rows (SKIP LOCKED, lease) and enqueues one send per
reminder on the real Redis broker, and one `celery worker --pool=prefork -c 2`
sends them to the local Graph API stand-in (tests/reminders/graph_standin.py,
its own process), which enforces a per-number throughput like WhatsApp's and
answers 130429 above it. Our pacing (WHATSAPP_MESSAGES_PER_SECOND) is set to
the number's limit, as it would be in production.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/execora_rem_bench \\
    REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python benchmarks/reminders_dispatch.py [--reminders 5000] [--limits 80,1000]

Prints, per limit: messages/s sustained (first to last accepted), 130429s
received, duplicates, lost, and p50/p99 lateness (accepted by WhatsApp minus
the time the reminder was due). Goal: hold the limit with zero 130429s; at
least 200 messages/s when the limit is 1 000/s; zero duplicates and zero lost.
The database named in DATABASE_URL is created and migrated when missing; each
run adds a throwaway shop to it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/execora_rem_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/5")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "execora.settings")
os.environ.setdefault("LOG_LEVEL", "warning")


def _ensure_database() -> None:
    import environ
    import psycopg

    config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    admin = psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{config["NAME"]}"')


_ensure_database()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from execora.celery import app  # noqa: E402
from execora.models import Business  # noqa: E402
from reminders.models import Reminder  # noqa: E402
from tests.reminders import stack  # noqa: E402
from tests.reminders.factories import due_now, many_owing  # noqa: E402
from tests.utils import PYTHON, free_port  # noqa: E402


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (loopback)
        return json.load(answer)


def _wait_worker(hostname: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(destination=[hostname], timeout=0.5):
            return
    sys.exit(f"worker {hostname} did not answer within {timeout}s")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(*, reminders: int, limit: int, workdir: Path) -> dict:
    queue = f"reminders-bench-{uuid.uuid4().hex[:8]}"
    port = free_port()
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    standin = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [PYTHON, "-m", "tests.reminders.graph_standin", f"--port={port}", f"--throughput={limit}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    processes = [standin]
    try:
        stack.wait_until(lambda: _answers(f"http://127.0.0.1:{port}/_standin/stats"), timeout=20)
        # An earlier run stopped half-way must not send its leftovers into this one's figures.
        Reminder.objects.filter(status__in=["scheduled", "claimed", "sending", "unknown"]).update(
            status="cancelled", lease_expires_at=None
        )
        shop = Business.objects.create(name=f"Bench shop {uuid.uuid4().hex[:6]}")
        ids = due_now(shop, many_owing(shop, reminders))
        connections.close_all()
        in_flight = max(100, min(1000, limit * 2))
        env = stack.stack_env(
            redis_url=os.environ["REDIS_URL"],
            queue=queue,
            standin_url=f"http://127.0.0.1:{port}",
            WHATSAPP_MESSAGES_PER_SECOND=str(limit),
            REMINDER_MAX_IN_FLIGHT=str(in_flight),
            REMINDER_DISPATCH_INTERVAL_SECONDS="1",
            REMINDER_LEASE_SECONDS="120",
            LOG_LEVEL="warning",
            # As in production: DEBUG off (no per-query logging in the worker).
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY="bench-" + uuid.uuid4().hex * 2,
        )
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
        hostname = f"bench-{uuid.uuid4().hex[:6]}@localhost"
        worker = subprocess.Popen(  # noqa: S603 (the venv's celery)
            [
                stack.CELERY, "-A", "execora", "worker", "--pool=prefork", "--concurrency=2",
                "-Q", queue, "--loglevel=WARNING", f"--hostname={hostname}",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
            ],
            cwd=ROOT, env=env, stdout=(workdir / "worker.log").open("ab"),
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        processes.append(worker)
        _wait_worker(hostname)
        began = time.monotonic()
        processes.append(
            stack.start_beat(env, workdir / f"beat-{limit}.log", workdir / f"beat-{limit}.pid")
        )
        # Wait for the last one; give up only when nothing has moved for a minute.
        pending = Reminder.objects.filter(pk__in=ids).exclude(status="sent")
        left, moved_at = pending.count(), time.monotonic()
        while left and time.monotonic() - moved_at < 60:
            time.sleep(1)
            now_left = pending.count()
            if now_left < left:
                left, moved_at = now_left, time.monotonic()
        elapsed = time.monotonic() - began
        time.sleep(2)  # let any straggler (a duplicate) arrive before counting
        stats = _get(f"http://127.0.0.1:{port}/_standin/stats")
        due = dict(Reminder.objects.filter(pk__in=ids).values_list("pk", "scheduled_at"))
        sent = Reminder.objects.filter(pk__in=ids, status="sent").count()
    finally:
        for process in processes:
            stack.stop(process)
        client = __import__("redis").Redis.from_url(os.environ["REDIS_URL"])
        for key in client.scan_iter(match=f"*{queue}*"):
            client.delete(key)
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    ours = {str(pk) for pk in ids}
    accepted_at = {int(pk): at for pk, at in stats["accepted_at"].items() if pk in ours}
    times = sorted(accepted_at.values())
    lateness = [accepted_at[pk] - due[pk].timestamp() for pk in accepted_at if pk in due]
    span = times[-1] - times[0] if len(times) > 1 else float("nan")
    return {
        "limit": limit,
        "reminders": reminders,
        "sent": sent,
        "rate": (len(times) - 1) / span if span else float("nan"),
        "rate_limited": stats["rate_limited"],
        "duplicates": len(set(stats["duplicated_callbacks"]) & ours),
        "lost": reminders - len(accepted_at),
        "p50": statistics.median(lateness) if lateness else float("nan"),
        "p99": _percentile(lateness, 0.99) if lateness else float("nan"),
        "elapsed": elapsed,
        # CPU of worker (both processes), beat and stand-in per message: what the box pays.
        "cpu_ms": cpu / max(1, len(accepted_at)) * 1000,
    }


def _answers(url: str) -> bool:
    try:
        _get(url)
        return True
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=5000)
    parser.add_argument("--limits", default="80,1000", help="per-number limits (messages/s)")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    results = []
    with tempfile.TemporaryDirectory(prefix="reminders-bench-") as tmp:
        for limit in (int(value) for value in args.limits.split(",")):
            print(f"limit {limit}/s: sending {args.reminders} reminders…", flush=True)
            results.append(run(reminders=args.reminders, limit=limit, workdir=Path(tmp)))
    print()
    print(
        f"{'limit/s':>8} {'sent':>6} {'msg/s':>8} {'130429s':>8} {'dups':>5} {'lost':>5} "
        f"{'p50 late':>9} {'p99 late':>9} {'CPU/msg':>8}"
    )
    for r in results:
        print(
            f"{r['limit']:>8} {r['sent']:>6} {r['rate']:>8.1f} {r['rate_limited']:>8} "
            f"{r['duplicates']:>5} {r['lost']:>5} {r['p50']:>8.1f}s {r['p99']:>8.1f}s "
            f"{r['cpu_ms']:>6.1f}ms"
        )
    print(f"(load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    failures = []
    for r in results:
        if r["rate_limited"] or r["duplicates"] or r["lost"]:
            failures.append(f"limit {r['limit']}: 130429s, duplicates or lost messages")
        if r["limit"] >= 1000 and r["rate"] < 200:
            failures.append(f"limit {r['limit']}: {r['rate']:.0f} messages/s is under 200")
    print("goal met" if not failures else "goal missed: " + "; ".join(failures))


if __name__ == "__main__":
    main()
