"""The production ASGI server exactly as the Dockerfile starts it (uvicorn, WEB_CONCURRENCY
workers, PostgreSQL pool): HTTP and the Channels WebSocket both served, workers on one port."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess

import httpx
import pytest
import websockets
from rest_framework.authtoken.models import Token
from websockets.exceptions import InvalidStatus

from tests.reminders import stack
from tests.utils import REPO, free_port, stop_process_group, wait_for_http

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def dockerfile_command() -> tuple[list[str], dict[str, str]]:
    """The Dockerfile's CMD (exec form) and its ENV WEB_CONCURRENCY."""
    text = (REPO / "Dockerfile").read_text()
    found = re.search(r"^CMD (\[.*?\])\s*$", text.replace("\\\n", " "), re.M | re.S)
    assert found, "the Dockerfile has no exec-form CMD"
    workers = re.search(r"^ENV WEB_CONCURRENCY=(\d+)", text, re.M)
    assert workers, "the Dockerfile does not set WEB_CONCURRENCY"
    return json.loads(found.group(1)), {"WEB_CONCURRENCY": workers.group(1)}


@pytest.fixture
def server(tmp_path):
    command, env_extra = dockerfile_command()
    assert command[:2] == ["uvicorn", "execora.asgi:application"]
    port = free_port()
    command = [str(REPO / ".venv/bin/uvicorn"), *command[1:]]
    command[command.index("--host") + 1] = "127.0.0.1"
    command[command.index("--port") + 1] = str(port)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "STT_"))}
    env.update(
        env_extra,
        DATABASE_URL=stack.test_database_url(),
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="asgi-server-test-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        STT_PROVIDER="none",
        TTS_PROVIDER="none",
        EXECORA_VAR_DIR=str(tmp_path),
        LOG_LEVEL="warning",
    )
    log = tmp_path / "uvicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=90, process=process)
        yield port, process, log
    finally:
        stop_process_group(process)


def _worker_pids(process: subprocess.Popen) -> set[int]:
    children = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(process.pid)], capture_output=True, text=True
    ).stdout.split()
    return {int(pid) for pid in children}


def test_the_dockerfile_server_serves_http_and_websockets_from_its_workers(server, owner):
    port, process, log = server
    # HTTP: the API answers through the workers
    token = Token.objects.create(user=owner).key
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
        assert http.get("/healthz").status_code == 200
        assert http.get("/api/v1/customers/").status_code == 401
        listed = http.get("/api/v1/customers/", headers={"Authorization": f"Token {token}"})
        assert listed.status_code == 200, listed.text
    # WEB_CONCURRENCY worker processes (plus, at most, multiprocessing's resource tracker)
    assert len(_worker_pids(process)) >= 2

    # WebSocket: the Channels consumer, authenticated by the same token
    async def scenario() -> tuple[dict, int | None]:
        url = f"ws://127.0.0.1:{port}/ws/voice/"
        auth = {"Authorization": f"Token {token}"}
        async with websockets.connect(url, additional_headers=auth) as ws:
            first = json.loads(await asyncio.wait_for(ws.recv(), 15))
        refused = None
        try:
            async with websockets.connect(url) as ws:
                await asyncio.wait_for(ws.recv(), 15)
        except InvalidStatus as exc:
            refused = exc.response.status_code
        except websockets.ConnectionClosed as exc:
            refused = exc.rcvd.code if exc.rcvd else -1
        return first, refused

    first, refused = asyncio.run(scenario())
    assert first["type"] == "ready", log.read_text()[-3000:]
    assert refused is not None  # a stranger gets no session
