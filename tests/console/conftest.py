"""A real daphne on the test database and a real Debian chromium driven by playwright.

The browser is started once per module (fake microphone fed from a WAV file);
each test gets a fresh daphne on the `transactional_db` (so the server, a
separate process, sees the rows the test wrote) and a fresh logged-in page.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from execora.models import Business
from tests.customers.factories import make_customer
from tests.factories import BusinessFactory, member
from tests.reminders.stack import test_database_url
from tests.utils import REPO, free_port, wait_for_http

CHROMIUM = "/usr/bin/chromium"
DAPHNE = str(REPO / ".venv" / "bin" / "daphne")
PASSWORD = "pass-word-123"  # tests.factories.UserFactory's
OUTPUT = REPO / "tests" / "output" / "console"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
    "--use-fake-device-for-media-stream",
]


class Daphne:
    """daphne serving execora.asgi on a fixed free port; can be stopped and started again."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.env = env
        self.log = log
        self.process: subprocess.Popen | None = None

    @property
    def var_dir(self) -> Path:
        return Path(self.env["EXECORA_VAR_DIR"])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [DAPHNE, "-b", "127.0.0.1", "-p", str(self.port), "execora.asgi:application"],
                cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        wait_for_http(f"{self.url}/healthz", timeout=60, process=self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=1)  # daphne waits on open WebSockets; do not
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


def write_wav(path: Path, pcm: bytes, rate: int = 16000) -> Path:
    """16-bit PCM mono WAV: what chromium's fake capture device plays (24-bit or FLAC: zeros)."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)
    return path


@pytest.fixture(scope="module")
def command_wav(tmp_path_factory) -> Path:
    from tests.voice.audio import synthesize_pcm

    pcm = synthesize_pcm(SPOKEN_COMMAND, voice="en-us", speed=150, lead_ms=400, tail_ms=1200)
    return write_wav(tmp_path_factory.mktemp("wav") / "command.wav", pcm)


# Said by espeak-ng into the fake microphone: above the shop's confirm limit, so it asks first.
SPOKEN_COMMAND = "Mohan ko do hazaar udhaar likho"


@pytest.fixture(scope="module")
def playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="module")
def browser(playwright, command_wav):
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-audio-capture={command_wav}%noloop",
        ],
    )
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture
def browser_denying_microphone(playwright):
    """A chromium whose permission prompts are all answered No, as a user blocking the mic."""
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--deny-permission-prompts"]
    )
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture
def async_unsafe_ok(monkeypatch):
    # playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
    # between page steps are plain blocking calls all the same.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def counter_shop(transactional_db, async_unsafe_ok) -> Business:
    """Sharma Kirana Store: asks for a yes above ₹1000; Ramesh, Suresh and Mohan are customers."""
    shop = BusinessFactory(name="Sharma Kirana Store", confirm_above_amount="1000.00")
    member(shop, "owner", username="counter")
    for name in ("Ramesh Kumar", "Suresh Patel", "Mohan Lal"):
        make_customer(shop, name)
    return shop


@contextlib.contextmanager
def running_daphne(log: Path, **extra_env: str) -> Iterator[Daphne]:
    """daphne on the test database, Redis, local speech (unless `extra_env` says otherwise)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        {
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9"),
            "CHANNEL_PREFIX": f"console-{os.getpid()}",
            "STT_PROVIDER": "local",
            "TTS_PROVIDER": "local",
            # Utterance audio and anything else the server writes stay out of the repo's var/.
            "EXECORA_VAR_DIR": str(log.parent / "var"),
            **extra_env,
        }
    )
    daphne = Daphne(env, log)
    daphne.start()
    try:
        yield daphne
    finally:
        daphne.stop()


@pytest.fixture(scope="module")
def daphne(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Daphne]:
    """One server for the module (starting one costs seconds); each test's rows are its own."""
    with django_db_blocker.unblock():
        log = tmp_path_factory.mktemp("daphne") / "daphne.log"
        with running_daphne(log) as server:
            yield server


@pytest.fixture
def server(daphne, counter_shop) -> Iterator[Daphne]:
    if daphne.env["TTS_PROVIDER"] != "local":  # a test ran it with the reply voice off
        daphne.stop()
        daphne.env["TTS_PROVIDER"] = "local"
    if daphne.process is None or daphne.process.poll() is not None:
        daphne.start()  # (or stopped it and failed before starting it again)
    yield daphne
    _wait_for_quiet_database()


def _wait_for_quiet_database(quiet_for: float = 0.5, timeout: float = 10) -> None:
    """Let the server finish what a closed page left it doing (ending the voice session,
    recording the last utterance) before the test's tables are truncated: a TRUNCATE
    racing those writes deadlocks."""
    deadline = time.monotonic() + timeout
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND state <> 'idle'"
            )
            busy = cursor.fetchone()[0]
        if busy:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_for:
            return
        time.sleep(0.05)


def open_console(
    browser, server: Daphne, *, width: int = 1280, height: int = 900, microphone: bool = True
):
    """A new browser context logged in through the login form, on the console."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-IN")
    if microphone:
        context.grant_permissions(["microphone"], origin=server.url)
    page = context.new_page()
    page.goto(f"{server.url}/")
    page.fill("#id_username", "counter")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/")
    page.wait_for_selector('#conn[data-state="open"]', timeout=15000)
    return context, page


def screenshot(page, name: str) -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
