"""`make run` as a new user meets it: server, worker and beat on embedded defaults."""

from __future__ import annotations

import re
import subprocess
import time

import httpx
import pytest
from celery import Celery

from tests.utils import (
    REPO,
    alive,
    descendants,
    embedded_env,
    free_port,
    stop_process_group,
    wait_for_http,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def running_stack(tmp_path):
    port = free_port()
    log = (tmp_path / "run.log").open("w+")
    process = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=REPO,
        env=embedded_env(tmp_path / "var"),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=180, process=process)
        yield {"port": port, "process": process, "var": tmp_path / "var", "log": log}
    finally:
        stop_process_group(process)
        log.close()


def _login(base: str, client: httpx.Client, password: str) -> httpx.Response:
    page = client.get(f"{base}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return client.post(
        f"{base}/accounts/login/",
        data={"username": "demo", "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
    )


def test_make_run_serves_logs_in_runs_tasks_and_stops_on_ctrl_c(running_stack):
    base = f"http://127.0.0.1:{running_stack['port']}"
    var = running_stack["var"]
    children = descendants(running_stack["process"].pid)

    # then: liveness and readiness on the embedded SQLite database
    assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{base}/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": True}

    # then: the demo login printed by seed_demo works and lands on the shop's page
    running_stack["log"].seek(0)
    assert "demo / execora-demo" in running_stack["log"].read()
    with httpx.Client(follow_redirects=True) as client:
        assert "Sharma Kirana Store" not in _login(base, client, "wrong-password").text
        home = _login(base, client, "execora-demo")
        assert home.url.path == "/" and "Sharma Kirana Store" in home.text

    # then: a task sent through the embedded filesystem broker is executed by the worker
    broker_dir = str(var / "celery" / "broker")
    client_app = Celery(
        broker="filesystem://",
        backend=f"file://{var / 'celery' / 'results'}",
        broker_transport_options={"data_folder_in": broker_dir, "data_folder_out": broker_dir},
    )
    result = client_app.send_task("execora.ping", args=["round-trip"])
    assert result.get(timeout=60) == "round-trip"

    # then: beat is running beside them (it writes its heartbeat log line once started)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        running_stack["log"].seek(0)
        if "beat: Starting" in running_stack["log"].read():
            break
        time.sleep(0.5)
    else:
        pytest.fail("celery beat did not start")

    # when: Ctrl-C reaches the process group
    stop_process_group(running_stack["process"])

    # then: server, worker and beat are all gone
    assert running_stack["process"].returncode is not None
    deadline = time.monotonic() + 15
    while alive(children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert alive(children) == set()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base}/healthz", timeout=2)
