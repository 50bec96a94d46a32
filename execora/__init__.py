"""Execora: the project package (settings, URLs, ASGI, Celery) and the shop model."""

from execora.celery import app as celery_app

__all__ = ("celery_app",)
