"""The Celery app. Configuration comes from Django settings (CELERY_*)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "execora.settings")

app = Celery("execora")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _ensure_broker_folders(sender: Celery, **kwargs: object) -> None:
    """kombu's filesystem transport expects its folders to exist already."""
    from django.conf import settings

    if sender.conf.broker_url.startswith("filesystem"):
        for folder in (settings.CELERY_BROKER_DIR, settings.CELERY_RESULTS_DIR):
            folder.mkdir(parents=True, exist_ok=True)
