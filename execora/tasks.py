from __future__ import annotations

from celery import shared_task


@shared_task(name="execora.ping")
def ping(payload: str = "pong") -> str:
    """Round-trip probe for operators and tests: proves a worker consumes the broker."""
    return payload
