"""Celery tasks: thin wrappers that take ids and call one service each.

Both are idempotent, so a redelivery (acks_late, a worker killed mid-task,
two beats) changes nothing a first run did not: the dispatcher claims only
unclaimed rows, and a send runs only for the task whose `claimed → sending`
UPDATE wins. Neither uses an ETA or countdown: what is due, and when, lives
in the database.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from celery import shared_task
from django.conf import settings

from reminders.services import reminder_deliver, reminders_dispatch

logger = logging.getLogger(__name__)


# Messages per Redis pipeline when the dispatcher publishes its sends.
PUBLISH_BATCH = 500


def _batch(producer: Any) -> contextlib.AbstractContextManager:
    """Publish through one Redis pipeline per PUBLISH_BATCH messages instead of one round
    trip each (kombu's Producer.batch; other transports publish each at once)."""
    batch = getattr(producer, "batch", None)
    return batch(max_size=PUBLISH_BATCH) if batch is not None else contextlib.nullcontext()


def enqueue_sends(reminder_ids: list[int]) -> None:
    """Publish one send task per reminder (called after the claim has committed).

    A broker that is down loses nothing: the rows stay claimed, and the next
    dispatch after their lease runs out enqueues them again.
    """
    try:
        with send.app.producer_or_acquire() as producer, _batch(producer):
            for reminder_id in reminder_ids:
                send.apply_async(
                    args=[reminder_id], queue=settings.REMINDERS_QUEUE, producer=producer
                )
    except Exception:
        logger.warning(
            "could not enqueue reminder sends; they go again when their lease runs out",
            exc_info=True,
            extra={"count": len(reminder_ids)},
        )


@shared_task(name="reminders.dispatch", ignore_result=True)
def dispatch() -> int:
    """Claim due reminders and enqueue their sends; run every few seconds by beat."""
    return len(reminders_dispatch(enqueue=enqueue_sends).enqueued)


@shared_task(name="reminders.send", ignore_result=True)
def send(reminder_id: int) -> str:
    """Send one claimed reminder; a no-op for a reminder someone else has or that went."""
    return reminder_deliver(reminder_id=reminder_id)
