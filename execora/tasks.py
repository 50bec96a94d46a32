from __future__ import annotations

from celery import shared_task

from execora.api.idempotency import idempotency_records_purge


@shared_task(name="execora.ping")
def ping(payload: str = "pong") -> str:
    """Round-trip probe for operators and tests: proves a worker consumes the broker."""
    return payload


@shared_task(name="execora.idempotency_purge")
def idempotency_purge() -> int:
    """Delete Idempotency-Key records older than IDEMPOTENCY_TTL_HOURS; run hourly by beat."""
    return idempotency_records_purge()
