from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from tests.utils import REPO


def test_compose_file_has_the_production_shape():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"app", "worker", "beat", "postgres", "redis", "minio", "createbuckets"} <= set(services)
    assert '"uvicorn", "execora.asgi:application"' in (REPO / "Dockerfile").read_text()
    assert services["worker"]["command"][:4] == ["celery", "-A", "execora", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "execora", "beat"]
    assert "mc mb" in services["createbuckets"]["entrypoint"]
    assert services["app"]["environment"]["REDIS_URL"].startswith("redis://redis")


def _compose_command() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


@pytest.mark.skipif(_compose_command() is None, reason="no docker compose client on this machine")
def test_docker_compose_config_parses(tmp_path):
    # A copy beside a throwaway .env, so the check never reads a developer's real one.
    shutil.copy(REPO / "docker-compose.yml", tmp_path / "docker-compose.yml")
    (tmp_path / ".env").write_text(
        "POSTGRES_PASSWORD=x\nMINIO_ROOT_USER=execora\nMINIO_ROOT_PASSWORD=secret123\n"
    )
    run = subprocess.run(
        [*_compose_command(), "-f", "docker-compose.yml", "config", "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
