"""Benchmark: the voice console's own figure, time from the page's `stop` to the first reply
audio it plays, in Debian chromium (playwright) against daphne, PostgreSQL and Redis.

Each round opens a fresh page (so chromium's fake microphone plays the espeak-ng recording
from its start), holds the talk button for the recording's length, lets go and reads
`window.__execora.stopToAudioMs` — measured in the page with performance.now() from sending
`stop` to the reply WAV starting to play. The server's own `timing` frame (first_audio_ms:
end of speech to the first audio byte sent) is printed beside it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/execora_bench \\
        REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python benchmarks/console_latency.py \\
        [--rounds 5] [--stt local|deepgram-standin]

The command ("Mohan ko do sau udhaar likho", below the confirm limit) is written each round;
the shop is a throwaway one. daphne is stopped at the end, also on errors and Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import statistics
import sys
import tempfile
import uuid
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/execora_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "execora.settings")
os.environ.setdefault("LOG_LEVEL", "warning")
# playwright's sync API keeps an event loop in this thread; the ORM calls here are plain.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from customers.services import customer_create  # noqa: E402
from execora.models import Business  # noqa: E402
from execora.services import membership_grant  # noqa: E402
from tests.console.conftest import CHROMIUM, CHROMIUM_ARGS, running_daphne  # noqa: E402
from tests.factories import UserFactory  # noqa: E402
from tests.voice.audio import synthesize_pcm  # noqa: E402

COMMAND = "Mohan ko do sau udhaar likho"
PASSWORD = secrets.token_urlsafe(16)  # a throwaway login


def _wav(path: Path) -> float:
    pcm = synthesize_pcm(COMMAND, voice="en-us", speed=150, lead_ms=400, tail_ms=1000)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(pcm)
    return len(pcm) / 32000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--stt", choices=("local", "deepgram-standin"), default="local")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    tag = uuid.uuid4().hex[:8]
    shop = Business.objects.create(name=f"Console bench {tag}", state_code="27")
    user = UserFactory(username=f"console-bench-{tag}", password=PASSWORD)
    user.set_password(PASSWORD)
    user.save()
    membership_grant(user=user, business=shop, role="owner")
    customer_create(business=shop, name="Mohan Lal")

    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        seconds = _wav(tmp / "command.wav")
        extra: dict[str, str] = {"DATABASE_URL": os.environ["DATABASE_URL"]}
        if args.stt == "deepgram-standin":
            from tests.voice.standins.deepgram import API_KEY, DeepgramStandin

            deepgram = stack.enter_context(DeepgramStandin(script=COMMAND))
            extra |= {
                "STT_PROVIDER": "deepgram",
                "DEEPGRAM_API_KEY": API_KEY,
                "DEEPGRAM_BASE_URL": deepgram.url,
            }
        server = stack.enter_context(running_daphne(tmp / "daphne.log", **extra))
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-audio-capture={tmp / 'command.wav'}%noloop",
            ],
        )
        stack.callback(browser.close)

        page_ms: list[int] = []
        server_ms: list[float] = []
        state = None
        for round_ in range(args.rounds):
            context = browser.new_context(storage_state=state)
            context.grant_permissions(["microphone"], origin=server.url)
            page = context.new_page()
            page.goto(f"{server.url}/")
            if state is None:
                page.fill("#id_username", user.username)
                page.fill("#id_password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(f"{server.url}/")
                state = context.storage_state()
            page.wait_for_selector('#conn[data-state="open"]', timeout=15000)
            page.hover("#ptt")
            page.mouse.down()
            page.wait_for_function("document.getElementById('ptt').ariaPressed === 'true'")
            page.wait_for_timeout(int(seconds * 1000))
            page.mouse.up()
            page.wait_for_function("window.__execora.stopToAudioMs.length > 0", timeout=30000)
            page.wait_for_function("window.__execora.timing !== undefined", timeout=30000)
            page_ms.append(page.evaluate("window.__execora.stopToAudioMs[0]"))
            server_ms.append(page.evaluate("window.__execora.timing.first_audio_ms") or 0.0)
            transcript = page.inner_text("#transcript")
            print(f"round {round_ + 1}: {page_ms[-1]} ms in the page, "
                  f"{server_ms[-1]:.0f} ms on the server; heard {transcript!r}")  # fmt: skip
            context.close()

    print(f"\nconsole stop -> first reply audio played ({args.stt} STT, local espeak-ng TTS, "
          f"{args.rounds} rounds)")  # fmt: skip
    print(f"  page:   median {statistics.median(page_ms):.0f} ms, "
          f"min {min(page_ms)} ms, max {max(page_ms)} ms")  # fmt: skip
    print(f"  server: median {statistics.median(server_ms):.0f} ms (end of speech -> first "
          f"audio byte sent)")  # fmt: skip


if __name__ == "__main__":
    main()
