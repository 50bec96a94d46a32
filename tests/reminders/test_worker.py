"""Reminders through a real Redis broker and a real `celery worker` (prefork, two processes).

Each test runs in pytest-django's test database with real commits
(transaction=True) so the worker, a separate process, sees the same rows. The
Graph API is the local stand-in, which counts what it accepted per reminder.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
import uuid
from collections import Counter

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connections

from reminders.models import Reminder, WhatsAppMessage
from reminders.services import reminders_dispatch
from reminders.tasks import enqueue_sends
from tests.api.conftest import token_client
from tests.reminders import stack
from tests.reminders.factories import due_now, many_owing
from tests.reminders.graph_standin import GraphStandIn, status_event

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
logger = logging.getLogger(__name__)

# Short leases and windows, the same in this process (which dispatches) and in the worker.
FAST = {
    "REMINDER_LEASE_SECONDS": 4,
    "REMINDER_UNKNOWN_RESEND_SECONDS": 2,
    "REMINDER_MAX_IN_FLIGHT": 60,
    "REMINDER_RETRY_BASE_SECONDS": 1,
    "REMINDER_DISPATCH_INTERVAL_SECONDS": 1,
    "WHATSAPP_HTTP_TIMEOUT_SECONDS": 1,
    "WHATSAPP_MESSAGES_PER_SECOND": 1000,
}


class Dispatcher(threading.Thread):
    """What beat does, from this process: run the dispatcher every `every` seconds."""

    def __init__(self, every: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.every = every
        self.halt = threading.Event()

    def run(self) -> None:
        try:
            while not self.halt.wait(self.every):
                try:
                    reminders_dispatch(enqueue=enqueue_sends)
                except Exception:
                    logger.exception("test dispatcher run failed")
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.halt.set()
        self.join(timeout=10)


class World:
    """A stand-in, a queue of our own, and the processes a test starts (all stopped after)."""

    def __init__(self, tmp_path, settings) -> None:
        self.tmp_path = tmp_path
        self.settings = settings
        self.queue = f"reminders-test-{uuid.uuid4().hex[:8]}"
        self.standin = GraphStandIn().start()
        self.redis_url = django_settings.REDIS_URL
        self.processes = []
        self.dispatcher: Dispatcher | None = None
        self.logs = itertools.count(1)
        settings.REMINDERS_QUEUE = self.queue
        settings.REMINDER_SEND_FROM, settings.REMINDER_SEND_UNTIL = "00:00", "24:00"
        for name, value in FAST.items():
            setattr(settings, name, value)

    def env(self, **extra: str):
        values = {name: str(value) for name, value in FAST.items()}
        values.update(extra)
        return stack.stack_env(
            redis_url=self.redis_url,
            queue=self.queue,
            standin_url=self.standin.base_url,
            **values,
        )

    def worker(self, **extra: str):
        log = self.tmp_path / f"worker-{next(self.logs)}.log"
        process = stack.start_worker(self.env(**extra), log)
        self.processes.append(process)
        return process, log

    def beat(self, **extra: str):
        n = next(self.logs)
        log = self.tmp_path / f"beat-{n}.log"
        process = stack.start_beat(self.env(**extra), log, self.tmp_path / f"beat-{n}.pid")
        self.processes.append(process)
        return process, log

    def dispatch(self) -> None:
        self.dispatcher = Dispatcher()
        self.dispatcher.start()

    def wait_for(self, condition, *, timeout: float, what: str) -> None:
        try:
            stack.wait_until(condition, timeout=timeout, every=0.2)
        except AssertionError:
            counts = Counter(Reminder.objects.values_list("status", flat=True))
            logs = "".join(
                f"\n--- {log.name}\n{log.read_text(errors='replace')[-2000:]}"
                for log in sorted(self.tmp_path.glob("*.log"))
            )
            raise AssertionError(f"{what}: not within {timeout}s; {dict(counts)}{logs}") from None

    def close(self) -> None:
        if self.dispatcher is not None:
            self.dispatcher.stop()
        for process in self.processes:
            stack.stop(process)
        self.standin.stop()
        client = redis.Redis.from_url(self.redis_url)
        for key in client.scan_iter(match=f"*{self.queue}*"):
            client.delete(key)


@pytest.fixture
def world(transactional_db, tmp_path, settings):
    world = World(tmp_path, settings)
    try:
        yield world
    finally:
        world.close()


def statuses(ids) -> Counter:
    return Counter(Reminder.objects.filter(pk__in=ids).values_list("status", flat=True))


def test_200_due_at_once_go_exactly_once_then_signed_webhooks_deliver_and_read_them(
    world, shop, live_server, settings
):
    # given 200 customers who owe, each with a reminder due now
    ids = due_now(shop, many_owing(shop, 200))
    settings.WHATSAPP_APP_SECRET = "standin-app-secret"
    # when a worker and the dispatcher run
    world.worker()
    world.dispatch()
    world.wait_for(lambda: statuses(ids)["sent"] == 200, timeout=60, what="all sent")
    # then each was accepted exactly once, and nothing else was asked
    stats = world.standin.stats()
    assert stats["accepted"] == stats["distinct"] == stats["requests"] == 200
    assert stats["duplicates"] == 0
    assert set(world.standin.accepted_by_callback) == {str(pk) for pk in ids}

    # when the send tasks run again (a redelivery) and the dispatcher keeps running
    enqueue_sends(ids[:20])
    time.sleep(2)
    # then nothing more is sent: each task has one effect
    assert world.standin.stats()["requests"] == 200

    # when WhatsApp's signed webhooks report them, read ones with `read` before `delivered`
    world.standin.webhook_url = f"{live_server.url}/webhooks/whatsapp/"
    events = []
    for n, accepted in enumerate(world.standin.accepted):
        steps = ["sent", "delivered"] if n % 2 else ["read", "sent", "delivered", "read"]
        events += [
            status_event(a.wamid, s, recipient=a.to, callback_data=a.callback_data)
            for a, s in zip(itertools.repeat(accepted), steps, strict=False)
        ]
    for start in range(0, len(events), 50):
        assert world.standin.post_statuses(events[start : start + 50]).status_code == 200
    # then half end delivered and half read, each transition recorded once
    assert statuses(ids) == Counter({"delivered": 100, "read": 100})
    for message in WhatsAppMessage.objects.filter(reminder_id__in=ids):
        history = [entry["status"] for entry in message.status_history]
        assert len(history) == len(set(history)), history


def test_429_then_200_is_retried_and_sent_once_and_a_400_fails_at_once(world, shop, owner):
    # given two reminders, one answered 429 then 200, the other 400 (131026)
    retried, refused = due_now(shop, many_owing(shop, 2))
    world.standin.script("429", "ok", callback_data=str(retried))
    world.standin.script("400:131026", callback_data=str(refused))
    # when
    world.worker()
    world.dispatch()
    world.wait_for(
        lambda: statuses([retried, refused]) == Counter({"sent": 1, "failed": 1}),
        timeout=30,
        what="one sent, one failed",
    )
    # then the 429 was retried after a backoff (base 1 s: 0.5–1 s), and went once
    assert world.standin.accepted_by_callback[str(retried)] == 1
    assert world.standin.requests_by_callback[str(retried)] == 2
    first, second = WhatsAppMessage.objects.filter(reminder_id=retried).order_by("pk")
    assert (first.status, first.error_code, second.status) == ("failed", "130429", "accepted")
    assert (second.created_at - first.created_at).total_seconds() >= 0.5
    # and the 400 failed at once, its error visible in the API and the admin
    assert world.standin.requests_by_callback[str(refused)] == 1
    body = token_client(owner).get(f"/api/v1/reminders/{refused}/").json()
    assert (body["status"], body["attempts"], body["last_error_code"]) == ("failed", 1, "131026")
    assert "Refused by the stand-in" in body["last_error"]
    from django.test import Client

    admin = Client()
    admin.force_login(owner)
    page = admin.get(f"/admin/reminders/reminder/{refused}/change/").content.decode()
    assert "131026: (#131026) Refused by the stand-in" in page


def test_kill_9_of_the_worker_mid_run_loses_nothing_and_duplicates_only_in_the_window(world, shop):
    # given 500 due reminders and a Graph API that takes a little time per message
    ids = due_now(shop, many_owing(shop, 500))
    world.standin.latency = 0.01
    worker, _ = world.worker()
    world.dispatch()
    world.wait_for(
        lambda: world.standin.stats()["accepted"] >= 120, timeout=60, what="120 accepted"
    )
    # when the worker and its children are killed with SIGKILL mid-run
    stack.kill_9(worker)
    in_the_window = set(
        Reminder.objects.filter(pk__in=ids, status="sending").values_list("pk", flat=True)
    )
    accepted_at_kill = world.standin.stats()["accepted"]
    assert accepted_at_kill < 500, "the run finished before the kill: make it slower"
    # and a new worker starts
    world.worker()
    world.wait_for(lambda: statuses(ids)["sent"] == 500, timeout=90, what="all 500 sent")
    # then every reminder went, and any duplicate is one of those that were mid-request
    # when the worker died (sending; answer lost; resent after the unknown window)
    stats = world.standin.stats()
    duplicated = {int(pk) for pk in stats["duplicated_callbacks"]}
    print(
        f"kill -9 after {accepted_at_kill} accepted: {len(in_the_window)} in flight, "
        f"{stats['duplicates']} duplicate(s) {sorted(duplicated)}"
    )
    assert stats["distinct"] == 500
    assert duplicated <= in_the_window
    assert stats["duplicates"] == len(duplicated) <= 2  # at most one per worker process
    assert all(n <= 2 for n in world.standin.accepted_by_callback.values())


def test_a_redis_restart_mid_run_loses_nothing(world, shop):
    # given our own redis-server as the broker, beat dispatching, and 200 due reminders
    server = stack.RedisServer(world.tmp_path)
    server.start()
    try:
        world.redis_url = server.url
        ids = due_now(shop, many_owing(shop, 200))
        world.standin.latency = 0.01
        world.worker()
        world.beat()
        world.wait_for(
            lambda: world.standin.stats()["accepted"] >= 60, timeout=60, what="60 accepted"
        )
        # when Redis goes away (taking every queued task with it) and comes back
        server.stop()
        accepted_during_outage = world.standin.stats()["accepted"]
        time.sleep(2)
        server.start()
        # then every reminder is still sent, once
        world.wait_for(lambda: statuses(ids)["sent"] == 200, timeout=120, what="all 200 sent")
        stats = world.standin.stats()
        assert accepted_during_outage < 200, "the run finished before the restart"
        assert stats["distinct"] == 200
        assert stats["duplicates"] == 0
    finally:
        for process in world.processes:
            stack.stop(process)
        world.processes.clear()
        server.stop()
        world.redis_url = django_settings.REDIS_URL


def test_two_beats_at_once_still_send_each_reminder_once(world, shop):
    # given two beat processes running by mistake, each ticking the dispatcher every second
    ids = due_now(shop, many_owing(shop, 100))
    world.standin.latency = 0.005
    world.worker()
    _, first_log = world.beat()
    _, second_log = world.beat()
    # then
    world.wait_for(lambda: statuses(ids)["sent"] == 100, timeout=60, what="all 100 sent")
    time.sleep(1.5)  # a few more ticks from both
    stats = world.standin.stats()
    assert stats["distinct"] == stats["accepted"] == 100
    assert stats["duplicates"] == 0
    for log in (first_log, second_log):
        assert log.read_text().count("Sending due task reminders-dispatch") >= 2


def test_the_numbers_throughput_is_held_without_a_single_130429(world, shop, settings):
    # given a number allowed 20 messages/s (the stand-in answers 130429 above it), our
    # pacing set to the same, and 80 reminders due at once
    settings.WHATSAPP_MESSAGES_PER_SECOND = 20
    settings.REMINDER_LEASE_SECONDS = 10  # must outlast MAX_IN_FLIGHT / 20 per second
    world.standin.set_throughput(20)
    ids = due_now(shop, many_owing(shop, 80))
    world.worker(WHATSAPP_MESSAGES_PER_SECOND="20", REMINDER_LEASE_SECONDS="10")
    world.dispatch()
    # then all go, none refused, no faster than the limit (80 at 20/s: ≥ 3 s after the first)
    world.wait_for(lambda: statuses(ids)["sent"] == 80, timeout=60, what="all 80 sent")
    stats = world.standin.stats()
    assert stats["rate_limited"] == 0
    assert stats["accepted"] == 80
    times = sorted(stats["accepted_at"].values())
    assert times[-1] - times[0] >= 79 / 20 - 0.1
