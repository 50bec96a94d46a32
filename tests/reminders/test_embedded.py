"""The embedded default (`make run`: SQLite, console WhatsApp) schedules, sends and settles."""

from __future__ import annotations

import subprocess

import pytest

from tests.utils import PYTHON, REPO, embedded_env

pytestmark = pytest.mark.slow

SCENARIO = """
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.conf import settings
from django.utils import timezone
from execora.models import Business
from reminders.models import Reminder, WhatsAppMessage
from reminders.services import (
    message_status_apply, reminder_deliver, reminder_schedule, reminders_dispatch,
)
from tests.reminders.factories import owing
settings.REMINDER_SEND_FROM, settings.REMINDER_SEND_UNTIL = "00:00", "24:00"
shop = Business.objects.create(name="Embedded", upi_id="shop@upi")
customer = owing(shop)
customer.last_inbound_message_at = timezone.now()
customer.save(update_fields=["last_inbound_message_at"])
reminder = reminder_schedule(business=shop, customer_id=customer.pk, when=None, recurrence="daily")
claimed = []
reminders_dispatch(enqueue=claimed.extend)
print("deliver", [reminder_deliver(reminder_id=pk) for pk in claimed])
reminder.refresh_from_db()
print("reminder", reminder.status, reminder.kind, reminder.wamid.startswith("console."))
print("next", Reminder.objects.filter(previous=reminder).count())
print("body", "₹1,250.00" in WhatsAppMessage.objects.get(reminder=reminder).body)
message_status_apply(status={"id": reminder.wamid, "status": "read", "timestamp": "1700000000"})
reminder.refresh_from_db()
print("after", reminder.status)
"""


def test_a_reminder_goes_and_is_settled_on_sqlite_with_the_console_backend(tmp_path):
    run = subprocess.run(
        [PYTHON, "-c", SCENARIO],
        cwd=REPO,
        env=embedded_env(tmp_path, DJANGO_SETTINGS_MODULE="execora.settings", LOG_LEVEL="warning"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.splitlines() == [
        f"deliver {['sent']}",
        "reminder sent text True",
        "next 1",
        "body True",
        "after read",
    ]
