from __future__ import annotations

import pytest
from django.db import connections
from django.test import override_settings

from tests.utils import free_port


def test_healthz_answers_without_touching_anything(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_database_and_redis(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": True, "redis": True}


@pytest.fixture
def unreachable_database(django_db_blocker):
    """Point the default connection at a port where nothing listens."""
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    with django_db_blocker.unblock():
        connection.close()
        connection.close_pool()  # the pool was opened with the old address
        pool = saved.get("OPTIONS", {}).get("pool")
        if pool:  # wait 1 s, not DATABASE_POOL_TIMEOUT, for a connection that cannot come
            connection.settings_dict["OPTIONS"] = {
                **saved["OPTIONS"],
                "pool": {**pool, "timeout": 1},
            }
        connection.settings_dict["HOST"] = "127.0.0.1"
        connection.settings_dict["PORT"] = str(free_port())
        try:
            yield
        finally:
            connection.close()
            connection.close_pool()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)


def test_readyz_is_503_when_the_database_is_unreachable(client, unreachable_database):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] is False


@pytest.mark.django_db
def test_readyz_is_503_when_redis_is_unreachable(client):
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "redis": False}
