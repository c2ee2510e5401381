"""docker-compose.yml is for users' machines (no Docker engine runs here): check it statically."""

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_every_dependency_waits_for_a_healthy_service() -> None:
    services = _compose()["services"]
    for name, service in services.items():
        for dependency, condition in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            assert condition == {"condition": "service_healthy"}
            assert "healthcheck" in services[dependency], f"{dependency} has no health check"


def test_published_ports_are_loopback_and_not_the_defaults() -> None:
    for service in _compose()["services"].values():
        for mapping in service.get("ports", []):
            host, host_port, _ = mapping.split(":")
            assert host == "127.0.0.1"
            assert host_port not in {"5432", "7233", "8080", "8233"}


def test_no_secret_is_written_in_the_file() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    assert "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?" in text
    assert (ROOT / "deploy" / "example.env").is_file()
    assert ".env" in (ROOT / ".gitignore").read_text().splitlines()
