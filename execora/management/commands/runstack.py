"""Run the whole product in one terminal: ASGI server, Celery worker and beat.

`make run` calls this after migrating and seeding. Ctrl-C (or SIGTERM) stops
every child: each gets SIGTERM for a warm shutdown, then SIGKILL if it lingers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

GRACE_SECONDS = 10


class Command(BaseCommand):
    help = "Starts daphne, a Celery worker and Celery beat; Ctrl-C stops all three."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--concurrency", type=int, default=2)

    def handle(self, *args: object, host: str, port: int, concurrency: int, **options) -> None:
        bin_dir = Path(sys.executable).parent
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        commands = {
            "web": [
                str(bin_dir / "daphne"),
                "-b",
                host,
                "-p",
                str(port),
                # Over-size voice frames reach the consumer, which answers an error frame
                # and keeps the connection (daphne's own 1 MiB limit would drop it).
                "--websocket-max-message-size",
                str(settings.VOICE_WS_MAX_MESSAGE_BYTES),
                "--websocket-max-frame-size",
                str(settings.VOICE_WS_MAX_MESSAGE_BYTES),
                "execora.asgi:application",
            ],
            "worker": [
                str(bin_dir / "celery"),
                "-A",
                "execora",
                "worker",
                "--loglevel=INFO",
                f"--concurrency={concurrency}",
                "--hostname=worker@%h",
            ],
            "beat": [str(bin_dir / "celery"), "-A", "execora", "beat", "--loglevel=INFO"],
        }
        children: dict[str, subprocess.Popen] = {}
        stopping = False

        def request_stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        try:
            for name, command in commands.items():
                # Own session: the terminal's Ctrl-C reaches only us, and we stop
                # the children in order instead of all at once.
                children[name] = subprocess.Popen(command, start_new_session=True)  # noqa: S603
            self.stdout.write(f"Execora is up on http://{host}:{port}/ (Ctrl-C stops everything)")
            while not stopping:
                for name, child in children.items():
                    if child.poll() is not None:
                        self.stderr.write(f"{name} exited with {child.returncode}; stopping.")
                        stopping = True
                time.sleep(0.2)
        finally:
            self._stop(children)

    def _stop(self, children: dict[str, subprocess.Popen]) -> None:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        self.stdout.write("Execora stopped.")
