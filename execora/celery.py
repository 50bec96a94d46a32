"""The Celery app. Configuration comes from Django settings (CELERY_*)."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import task_prerun

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


@task_prerun.connect
def _fresh_database_connection(task=None, **kwargs: object) -> None:
    """Before each task, drop a database connection past CONN_MAX_AGE or broken, as Django
    does before each request (CELERY_DB_REUSE_MAX stops Celery closing it every task)."""
    if task is not None and getattr(task.request, "is_eager", False):
        return  # inline in the caller, maybe inside its transaction: leave its connection be
    from django.db import close_old_connections

    close_old_connections()
