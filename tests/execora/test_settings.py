"""Settings switch backends by environment variable, and refuse what they do not know."""

from __future__ import annotations

import json
import re
import secrets
import subprocess

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from tests.utils import PYTHON, REPO, embedded_env

PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'db': s.DATABASES['default']['ENGINE'], "
    "'layer': s.CHANNEL_LAYERS['default']['BACKEND'], 'cache': s.CACHES['default']['BACKEND'], "
    "'broker': s.CELERY_BROKER_URL, 'results': s.CELERY_RESULT_BACKEND, "
    "'storage': s.STORAGES['default']['BACKEND'], 'whatsapp': s.WHATSAPP_BACKEND, "
    "'stt': s.STT_PROVIDER, 'intent': s.INTENT_PROVIDER, 'tts': s.TTS_PROVIDER}))"
)


def _settings_with(tmp_path, **env: str) -> dict:
    run = subprocess.run(
        [PYTHON, "-c", PROBE],
        cwd=REPO,
        env=embedded_env(tmp_path, DJANGO_SETTINGS_MODULE="execora.settings", **env),
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def _settings_error(tmp_path, **env: str) -> str:
    run = subprocess.run(
        [PYTHON, "-c", PROBE],
        cwd=REPO,
        env=embedded_env(tmp_path, DJANGO_SETTINGS_MODULE="execora.settings", **env),
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    return run.stderr


def test_embedded_defaults_need_no_server(tmp_path):
    chosen = _settings_with(tmp_path)
    assert chosen == {
        "db": "django.db.backends.sqlite3",
        "layer": "channels.layers.InMemoryChannelLayer",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "broker": "filesystem://",
        "results": f"file://{tmp_path / 'celery' / 'results'}",
        "storage": "django.core.files.storage.FileSystemStorage",
        "whatsapp": "console",
        "stt": "local",
        "intent": "local",
        "tts": "local",
    }


def test_database_redis_and_s3_urls_switch_backends(tmp_path):
    chosen = _settings_with(
        tmp_path,
        DATABASE_URL="postgres://u:p@db.internal:5432/execora",
        REDIS_URL="redis://cache.internal:6379/0",
        S3_BUCKET="execora",
        S3_ENDPOINT_URL="http://127.0.0.1:9000",
    )
    assert chosen["db"] == "django.db.backends.postgresql"
    assert chosen["layer"] == "channels_redis.core.RedisChannelLayer"
    assert chosen["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert chosen["broker"] == chosen["results"] == "redis://cache.internal:6379/0"
    assert chosen["storage"] == "storages.backends.s3.S3Storage"


@pytest.mark.parametrize(
    ("variable", "value"),
    [("STT_PROVIDER", "lcoal"), ("DJANGO_DEBUG", "yes"), ("SECURE_HSTS_SECONDS", "a year")],
)
def test_a_typo_in_a_variable_fails_at_start(tmp_path, variable, value):
    assert variable in _settings_error(tmp_path, **{variable: value})


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    assert "DJANGO_SECRET_KEY" in _settings_error(tmp_path, DJANGO_DEBUG="0")


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    run = subprocess.run(
        [PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=embedded_env(
            tmp_path,
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="shop.example.com",
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues" in run.stdout


def test_migrations_match_the_models(tmp_path):
    run = subprocess.run(
        [PYTHON, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=REPO,
        env=embedded_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_env_example_documents_every_variable_settings_read():
    source = (REPO / "execora" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:str|bool|int|choice|list)\(\s*"([A-Z0-9_]+)"', source))
    documented = set(re.findall(r"^([A-Z0-9_]+)=", (REPO / ".env.example").read_text(), re.M))
    assert read, "no variables found: the pattern is out of date"
    assert read - documented == set()


@pytest.mark.django_db
def test_the_suite_itself_runs_on_postgresql_and_redis():
    assert connection.vendor == "postgresql"
    assert settings.REDIS_URL.startswith("redis://")
    cache.set("execora-test-probe", "here", 10)
    assert cache.get("execora-test-probe") == "here"
    assert settings.CELERY_BROKER_URL == settings.REDIS_URL
