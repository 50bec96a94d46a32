"""Shops with customers who owe, a Graph API stand-in, and settings that send to it."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from reminders import whatsapp
from tests.reminders import graph_standin
from tests.reminders.graph_standin import GraphStandIn

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
# A fixed morning inside the default 09:00–20:00 window, so no test depends on the clock.
MORNING = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=IST)


@pytest.fixture
def standin():
    server = GraphStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def cloud(settings, standin):
    """The cloud backend pointed at the stand-in, with fast retries."""
    settings.WHATSAPP_BACKEND = "cloud"
    settings.WHATSAPP_API_BASE_URL = standin.base_url
    settings.WHATSAPP_API_VERSION = graph_standin.VERSION
    settings.WHATSAPP_PHONE_NUMBER_ID = graph_standin.PHONE_NUMBER_ID
    settings.WHATSAPP_ACCESS_TOKEN = graph_standin.TOKEN
    settings.WHATSAPP_APP_SECRET = graph_standin.APP_SECRET
    settings.WHATSAPP_HTTP_TIMEOUT_SECONDS = 1
    settings.WHATSAPP_MESSAGES_PER_SECOND = 1000
    settings.REMINDER_RETRY_BASE_SECONDS = 2
    yield standin
    whatsapp._clients.clear()


@pytest.fixture
def webhook_secret(settings):
    settings.WHATSAPP_APP_SECRET = graph_standin.APP_SECRET
    settings.WHATSAPP_VERIFY_TOKEN = "verify-me"
    return graph_standin.APP_SECRET
