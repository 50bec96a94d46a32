"""Small helpers for driving the admin with Django's test client."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.db import models
from django.http import HttpResponse


def changelist_url(model: type[models.Model]) -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


def change_url(obj: models.Model) -> str:
    return f"{changelist_url(type(obj))}{obj.pk}/change/"


def operation_url(obj: models.Model, segment: str) -> str:
    return f"{changelist_url(type(obj))}{obj.pk}/{segment}/"


def messages_of(response: HttpResponse) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def start_action(client, model: type[models.Model], action: str, objects) -> HttpResponse:
    """Choose an action on the changelist, as the "Go" button does (shows its form)."""
    return client.post(
        changelist_url(model),
        {"action": action, "index": "0", "_selected_action": [str(obj.pk) for obj in objects]},
    )


def apply_action(
    client, model: type[models.Model], action: str, objects, **form: str
) -> HttpResponse:
    """Submit an action's intermediate form for `objects` (ids may be any shop's)."""
    return client.post(
        changelist_url(model),
        {
            "action": action,
            "_selected_action": [str(getattr(obj, "pk", obj)) for obj in objects],
            "apply": "1",
            **form,
        },
    )
