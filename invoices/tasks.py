"""Celery tasks for documents: take an id, call one service, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from invoices.services import document_message_deliver

# A refused upload or send that WhatsApp says may work later: tries, and seconds between.
MAX_RETRIES = 4
RETRY_SECONDS = (5, 30, 120, 600)


@shared_task(bind=True, name="invoices.document_send", ignore_result=True, max_retries=MAX_RETRIES)
def document_send(self, message_id: int) -> str:
    """Render (once) and send the document of one pending WhatsApp message."""
    outcome = document_message_deliver(message_id=message_id)
    if outcome == "retry" and self.request.retries < MAX_RETRIES:
        raise self.retry(countdown=RETRY_SECONDS[self.request.retries])
    return outcome
