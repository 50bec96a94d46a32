"""Real processes for the reminder tests: a Celery worker, beat, and a private redis-server.

Every process starts in its own session so it (and its prefork children) can
be signalled as a group, and every fixture that starts one stops it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import redis
from django.db import connection

from tests.reminders import graph_standin
from tests.utils import REPO, free_port

CELERY = str(REPO / ".venv" / "bin" / "celery")


def test_database_url() -> str:
    """The URL of the database this test runs in (pytest-django's test_… database)."""
    params = connection.settings_dict
    auth = params["USER"] or "postgres"
    if params.get("PASSWORD"):
        auth += f":{params['PASSWORD']}"
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{params['NAME']}"


def stack_env(*, redis_url: str, queue: str, standin_url: str, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("WHATSAPP_", "REMINDER", "CELERY_", "DJANGO_"))
    }
    env.update(
        {
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": redis_url,
            "REMINDERS_QUEUE": queue,
            "WHATSAPP_BACKEND": "cloud",
            "WHATSAPP_API_BASE_URL": standin_url,
            "WHATSAPP_API_VERSION": graph_standin.VERSION,
            "WHATSAPP_PHONE_NUMBER_ID": graph_standin.PHONE_NUMBER_ID,
            "WHATSAPP_ACCESS_TOKEN": graph_standin.TOKEN,
            "WHATSAPP_APP_SECRET": graph_standin.APP_SECRET,
            "REMINDER_SEND_WINDOW": "00:00-24:00",
            "LOG_LEVEL": "info",
        }
    )
    env.update(extra)
    return env


def _spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(
            command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def wait_for_log(log: Path, text: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return
        if process.poll() is not None:
            raise AssertionError(f"exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not logged within {timeout}s:\n{log.read_text()[-3000:]}")


def start_worker(
    env: dict[str, str], log: Path, *, concurrency: int = 2, loglevel: str = "INFO"
) -> subprocess.Popen:
    command = [
        CELERY,
        "-A",
        "execora",
        "worker",
        "--pool=prefork",
        f"--concurrency={concurrency}",
        "-Q",
        env["REMINDERS_QUEUE"],
        f"--loglevel={loglevel}",
        f"--hostname=rem-{uuid.uuid4().hex[:8]}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    process = _spawn(command, env, log)
    wait_for_log(log, " ready." if loglevel == "INFO" else "", process)
    return process


def start_beat(env: dict[str, str], log: Path, pidfile: Path) -> subprocess.Popen:
    command = [CELERY, "-A", "execora", "beat", "--loglevel=INFO", f"--pidfile={pidfile}"]
    # (INFO: the wait below, and tests, read beat's "Sending due task" lines.)
    process = _spawn(command, env, log)
    wait_for_log(log, "Sending due task reminders-dispatch", process)
    return process


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    """Stop the process and everything in its group; SIGKILL whatever is left."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=timeout)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # prefork children that outlived their parent
    if process.poll() is None:
        process.wait(timeout=timeout)


def kill_9(process: subprocess.Popen) -> None:
    """`kill -9` of the worker and its children at once, as a crashed machine would."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=20)


class RedisServer:
    """A private redis-server on a free port, with no persistence, that can be restarted."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "redis-server"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        wait_until(lambda: _redis_answers(self.url), timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def _redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=0.5).ping())
    except redis.RedisError:
        return False


def wait_until(condition: Callable[[], bool], *, timeout: float, every: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise AssertionError(f"condition not met within {timeout}s")
