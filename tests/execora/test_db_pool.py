"""The PostgreSQL connection pool (DATABASE_POOL_*): configured from the environment,
bounded by its size, reused across the threads ASGI runs requests in, and fork-safe."""

from __future__ import annotations

import json
import subprocess

import pytest
from django.conf import settings

from tests.utils import PYTHON, REPO, embedded_env

SETTINGS_PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "d = s.DATABASES['default']; "
    "print(json.dumps({'pool': d.get('OPTIONS', {}).get('pool'), 'age': d['CONN_MAX_AGE']}))"
)

# Each call runs in a thread of its own, as Django's ASGI handler runs each request:
# the backends seen show whether connections outlive the thread that used them.
THREADS_PROBE = """
import json, threading, django
django.setup()
from django.db import connection, connections

def backend_pid(out):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        out.append(cursor.fetchone()[0])
    connections.close_all()  # what request_finished does: back to the pool

pids = []
for _ in range(20):
    thread = threading.Thread(target=backend_pid, args=(pids,))
    thread.start()
    thread.join()
print(json.dumps({"pids": pids}))
"""

# max_size + 1 threads each hold a connection at once: the last one waits
# DATABASE_POOL_TIMEOUT and fails instead of opening connection max_size + 1.
BOUND_PROBE = """
import json, threading, time, django
django.setup()
from django.db import OperationalError, connection, connections

held, failures = [], []
release = threading.Event()

def hold():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            held.append(cursor.fetchone()[0])
        release.wait(30)
    except OperationalError as exc:  # the pool's timeout, as Django raises it
        failures.append(type(exc).__name__)
    finally:
        connections.close_all()

holders = [threading.Thread(target=hold) for _ in range(2)]
for thread in holders:
    thread.start()
deadline = time.monotonic() + 20
while len(held) < 2 and time.monotonic() < deadline:
    time.sleep(0.05)
late = threading.Thread(target=hold)
late.start()
late.join(20)
release.set()
for thread in holders:
    thread.join(20)
print(json.dumps({"held": held, "failures": failures}))
"""

FORK_PROBE = """
import json, multiprocessing, django
django.setup()
from django.db import connection, connections

def pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]

parent = pid()
connections.close_all()  # back into the parent's pool, still open

def child(queue):
    queue.put(pid())
    connections.close_all()

context = multiprocessing.get_context("fork")
queue = context.Queue()
process = context.Process(target=child, args=(queue,))
process.start()
child_pid = queue.get(timeout=30)
process.join(30)
print(json.dumps({"parent": parent, "child": child_pid, "exit": process.exitcode,
                  "parent_after": pid()}))
"""


def _database_url() -> str:
    """The test database's URL, so probes touch nothing else."""
    db = settings.DATABASES["default"]
    name = db.get("TEST", {}).get("NAME") or db["NAME"]
    if not name.startswith("test_"):
        name = f"test_{name}"
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{host}:{port}/{name}"


def _probe(tmp_path, code: str, **env: str) -> subprocess.CompletedProcess:
    environment = embedded_env(tmp_path, DJANGO_SETTINGS_MODULE="execora.settings")
    for name in [name for name in environment if name.startswith("DATABASE_")]:
        del environment[name]  # only what the test sets
    return subprocess.run(
        [PYTHON, "-c", code],
        cwd=REPO,
        env={**environment, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _json(run: subprocess.CompletedProcess) -> dict:
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_postgresql_gets_a_pool_by_default_and_no_persistent_connections(tmp_path):
    chosen = _json(_probe(tmp_path, SETTINGS_PROBE, DATABASE_URL=_database_url()))
    assert chosen == {"pool": {"min_size": 1, "max_size": 40, "timeout": 10}, "age": 0}


def test_pool_sizes_and_timeout_come_from_the_environment(tmp_path):
    chosen = _json(
        _probe(
            tmp_path,
            SETTINGS_PROBE,
            DATABASE_URL=_database_url(),
            DATABASE_POOL_MAX_SIZE="3",
            DATABASE_POOL_MIN_SIZE="2",
            DATABASE_POOL_TIMEOUT="4",
        )
    )
    assert chosen == {"pool": {"min_size": 2, "max_size": 3, "timeout": 4}, "age": 0}


def test_max_size_zero_turns_the_pool_off_and_conn_max_age_applies(tmp_path):
    chosen = _json(
        _probe(
            tmp_path,
            SETTINGS_PROBE,
            DATABASE_URL=_database_url(),
            DATABASE_POOL_MAX_SIZE="0",  # the minimum (default 1) is then ignored
            DATABASE_CONN_MAX_AGE="30",
        )
    )
    assert chosen == {"pool": None, "age": 30}


def test_sqlite_has_no_pool(tmp_path):
    assert _json(_probe(tmp_path, SETTINGS_PROBE))["pool"] is None


@pytest.mark.parametrize(
    "env",
    [
        {"DATABASE_POOL_MIN_SIZE": "5", "DATABASE_POOL_MAX_SIZE": "4"},
        {"DATABASE_POOL_MAX_SIZE": "-1"},
        {"DATABASE_POOL_TIMEOUT": "0"},
        {"DATABASE_POOL_MAX_SIZE": "many"},
    ],
)
def test_a_bad_pool_setting_fails_at_start(tmp_path, env):
    run = _probe(tmp_path, SETTINGS_PROBE, DATABASE_URL=_database_url(), **env)
    assert run.returncode != 0
    assert "DATABASE_POOL" in run.stderr


@pytest.mark.django_db
def test_connections_are_reused_across_request_threads(tmp_path):
    pids = _json(
        _probe(tmp_path, THREADS_PROBE, DATABASE_URL=_database_url(), DATABASE_POOL_MAX_SIZE="2")
    )["pids"]
    assert len(pids) == 20
    # 20 threads, one after another, were served by the pool's one or two connections
    assert 1 <= len(set(pids)) <= 2


@pytest.mark.django_db
def test_without_the_pool_each_request_thread_opens_its_own_connection(tmp_path):
    # The reason for the pool: CONN_MAX_AGE keeps a connection per thread, never reused.
    pids = _json(
        _probe(
            tmp_path,
            THREADS_PROBE,
            DATABASE_URL=_database_url(),
            DATABASE_POOL_MAX_SIZE="0",
        )
    )["pids"]
    assert len(set(pids)) == 20


@pytest.mark.django_db
def test_the_pool_never_opens_more_than_max_size(tmp_path):
    found = _json(
        _probe(
            tmp_path,
            BOUND_PROBE,
            DATABASE_URL=_database_url(),
            DATABASE_POOL_MAX_SIZE="2",
            DATABASE_POOL_MIN_SIZE="1",
            DATABASE_POOL_TIMEOUT="1",
        )
    )
    assert len(set(found["held"])) == 2  # two connections held at once
    assert found["failures"] == ["OperationalError"]  # the third waited, then gave up


@pytest.mark.django_db
def test_a_forked_child_opens_its_own_pool_and_leaves_the_parents_alone(tmp_path):
    found = _json(_probe(tmp_path, FORK_PROBE, DATABASE_URL=_database_url()))
    assert found["exit"] == 0
    # the child has a connection of its own; the parent's pool still serves the parent
    assert found["child"] not in (found["parent"], found["parent_after"])
    assert found["parent_after"] > 0
