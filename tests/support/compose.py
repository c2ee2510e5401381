"""docker-compose.yml and its env file templates, read as compose reads them, for the tests that
check them statically (no Docker engine runs here)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SAFESIDE_VARIABLE = re.compile(r"\bSAFESIDE_[A-Z0-9_]+\b")
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}, as compose reads them.
INTERPOLATION = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")
# `.env`: read by compose for interpolation only; `safeside.env`: the Safeside containers' own.
DOT_ENV = ROOT / "deploy" / "example.env"
SAFESIDE_ENV = ROOT / "deploy" / "example.safeside.env"
TEMPLATES = {".env": DOT_ENV, "safeside.env": SAFESIDE_ENV}
# Only PostgreSQL and Temporal may see these; Safeside has its own role's password, in its URL.
OTHER_ROLES_PASSWORDS = {"POSTGRES_PASSWORD", "POSTGRES_TEMPORAL_PASSWORD"}
# What the Safeside services take from .env, each by an explicit ${...}; the API also takes
# the identity provider and the addresses staff reach, which the Temporal web UI shares.
FROM_DOT_ENV = {"POSTGRES_SAFESIDE_PASSWORD", "SAFESIDE_TEMPORAL_NAMESPACE"}
API_FROM_DOT_ENV = {"OIDC_ISSUER", "SAFESIDE_PUBLIC_URL", "TEMPORAL_UI_PUBLIC_URL"}
# Services built from this checkout's Dockerfile.
SAFESIDE_SERVICES = ("migrate", "worker", "api")
ONE_SHOT = "service_completed_successfully"
HEALTHY = "service_healthy"


def compose_file() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def compose_services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = compose_file()["services"]
    return services


def environment_of(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {str(name): str(value) for name, value in environment.items()}


def env_files_of(service: dict[str, Any]) -> list[str]:
    env_file = service.get("env_file", [])
    entries = [env_file] if isinstance(env_file, str | dict) else env_file
    return [str(entry["path"] if isinstance(entry, dict) else entry) for entry in entries]


def template_values(template: Path, *, commented_too: bool) -> dict[str, str]:
    """An env file template as name -> value; with ``commented_too``, the optional examples."""
    found = {}
    for line in template.read_text().splitlines():
        if commented_too:
            line = line.removeprefix("# ")
        name, equals, value = line.partition("=")
        if equals and re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
            found[name] = value.removeprefix("'").removesuffix("'")
    return found


def interpolated_names(node: object) -> set[str]:
    """The variables compose interpolates anywhere in ``node`` (keys and values)."""
    if isinstance(node, dict):
        return set().union(*(interpolated_names([k, v]) for k, v in node.items()))
    if isinstance(node, list):
        return set().union(*(interpolated_names(item) for item in node))
    return {match[1] for match in INTERPOLATION.finditer(str(node))}


def interpolated(text: str, variables: dict[str, str]) -> str:
    """``text`` as compose fills it in from ``variables`` (the .env)."""

    def fill(match: re.Match[str]) -> str:
        name, operator, argument = match[1], match[2] or "", match[3]
        value = variables.get(name)
        if value is None or (value == "" and operator.startswith(":")):
            assert not operator.endswith("?"), f"{name} is required but unset: {argument}"
            return argument if operator.endswith("-") else ""
        return value

    return INTERPOLATION.sub(fill, text)
