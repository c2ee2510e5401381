"""docker-compose.yml and the templates of its two env files (deploy/example.env for `.env`,
deploy/example.safeside.env for `safeside.env`) are for users' machines (no Docker engine runs
here): check them statically, against the settings and the code they configure."""

from __future__ import annotations

import fnmatch
import os
import re
import typing
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic import SecretStr

from safeside.settings import Settings
from starter.api.codec import router as codec_router
from worker import GRACEFUL_SHUTDOWN

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


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def _services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = _compose()["services"]
    return services


def _environment(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {str(name): str(value) for name, value in environment.items()}


def _env_files(service: dict[str, Any]) -> list[str]:
    env_file = service.get("env_file", [])
    entries = [env_file] if isinstance(env_file, str | dict) else env_file
    return [str(entry["path"] if isinstance(entry, dict) else entry) for entry in entries]


def _example(template: Path, *, commented_too: bool) -> dict[str, str]:
    """An env file template as name -> value; with ``commented_too``, the optional examples."""
    found = {}
    for line in template.read_text().splitlines():
        if commented_too:
            line = line.removeprefix("# ")
        name, equals, value = line.partition("=")
        if equals and re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
            found[name] = value.removeprefix("'").removesuffix("'")
    return found


def _interpolated_names(node: object) -> set[str]:
    """The variables compose interpolates anywhere in ``node`` (keys and values)."""
    if isinstance(node, dict):
        return set().union(*(_interpolated_names([k, v]) for k, v in node.items()))
    if isinstance(node, list):
        return set().union(*(_interpolated_names(item) for item in node))
    return {match[1] for match in INTERPOLATION.finditer(str(node))}


def _interpolated(text: str, variables: dict[str, str]) -> str:
    """``text`` as compose fills it in from ``variables`` (the .env)."""

    def fill(match: re.Match[str]) -> str:
        name, operator, argument = match[1], match[2] or "", match[3]
        value = variables.get(name)
        if value is None or (value == "" and operator.startswith(":")):
            assert not operator.endswith("?"), f"{name} is required but unset: {argument}"
            return argument if operator.endswith("-") else ""
        return value

    return INTERPOLATION.sub(fill, text)


def _secret_settings() -> set[str]:
    return {
        f"SAFESIDE_{name.upper()}"
        for name, field in Settings.model_fields.items()
        if SecretStr in (field.annotation, *typing.get_args(field.annotation))
    }


def _sent_to_docker(path: str) -> bool:
    """Whether .dockerignore lets ``path`` through (the last matching line decides)."""
    sent = True
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        pattern = line.removeprefix("!").strip("/")
        if fnmatch.fnmatchcase(path, pattern) or path.startswith(f"{pattern}/"):
            sent = line.startswith("!")
    return sent


def _published(service: dict[str, Any]) -> list[tuple[str, int, int]]:
    published = []
    for mapping in service.get("ports", []):
        host, host_port, container_port = str(mapping).split(":")
        published.append((host, int(host_port), int(container_port)))
    return published


def _duration(text: str) -> timedelta:
    match = re.fullmatch(r"(\d+)([sm])", text)
    assert match, f"not a duration this test reads: {text}"
    amount, unit = int(match[1]), match[2]
    return timedelta(seconds=amount) if unit == "s" else timedelta(minutes=amount)


def test_every_service_has_an_image_or_a_build() -> None:
    services = _services()
    assert set(services) >= {"postgres", "temporal", "temporal-ui", *SAFESIDE_SERVICES}
    for name, service in services.items():
        assert "image" in service or "build" in service, f"{name} has neither image nor build"
    for name in SAFESIDE_SERVICES:
        assert services[name]["build"] == "."


def test_every_image_is_pinned_to_a_version() -> None:
    for name, service in _services().items():
        image = str(service["image"])
        repository, _, tag = image.rpartition(":")
        assert repository, f"{name}: {image} has no tag"
        assert tag != "latest", f"{name}: {image}"
        assert re.match(r"\d+\.\d+", tag), f"{name}: {image} is not pinned to a version"


def test_every_safeside_variable_is_a_setting_safeside_reads() -> None:
    named = set(SAFESIDE_VARIABLE.findall((ROOT / "docker-compose.yml").read_text()))
    for template in (DOT_ENV, SAFESIDE_ENV):
        named |= set(SAFESIDE_VARIABLE.findall(template.read_text()))
    fields = {f"SAFESIDE_{field.upper()}" for field in Settings.model_fields}
    assert named, "no SAFESIDE_ variable found"
    assert named - fields == set()


@pytest.mark.parametrize("service", SAFESIDE_SERVICES)
def test_the_settings_given_to_each_safeside_service_are_valid(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What the container gets: safeside.env, overridden by the compose file's own environment
    # as filled in from .env.
    dot_env = _example(DOT_ENV, commented_too=False)
    environment = {
        name: _interpolated(value, dot_env)
        for name, value in _environment(_services()[service]).items()
    }
    given = _example(SAFESIDE_ENV, commented_too=True) | environment
    for name in [name for name in os.environ if name.startswith("SAFESIDE_")]:
        monkeypatch.delenv(name)
    for name, value in given.items():
        if name.startswith("SAFESIDE_"):
            monkeypatch.setenv(name, value)
    settings = Settings()
    assert settings.log_format == "json"
    assert settings.temporal_address == "temporal:7233"
    assert settings.temporal_namespace == dot_env["SAFESIDE_TEMPORAL_NAMESPACE"]
    assert urlsplit(settings.database_dsn).password == dot_env["POSTGRES_SAFESIDE_PASSWORD"]
    assert settings.encryption_key is not None
    assert settings.auth_token_secret is not None
    if service == "api":
        assert settings.oidc_issuer == dot_env["OIDC_ISSUER"]
        assert settings.public_url == dot_env["SAFESIDE_PUBLIC_URL"]


def test_the_safeside_services_read_safeside_env_and_never_dot_env() -> None:
    for name in SAFESIDE_SERVICES:
        assert _env_files(_services()[name]) == ["safeside.env"], name


def test_no_safeside_service_receives_the_other_roles_passwords() -> None:
    for name in SAFESIDE_SERVICES:
        service = _services()[name]
        interpolated = _interpolated_names(service)
        # Nothing from .env but what the environment passes explicitly.
        assert interpolated == FROM_DOT_ENV | (API_FROM_DOT_ENV if name == "api" else set()), name
        received = set(_environment(service)) | interpolated
        for env_file in _env_files(service):
            received |= set(_example(TEMPLATES[env_file], commented_too=True))
        assert received.isdisjoint(OTHER_ROLES_PASSWORDS), name


def test_the_safeside_services_run_in_the_namespace_temporal_namespace_makes() -> None:
    services = _services()
    namespace = "${SAFESIDE_TEMPORAL_NAMESPACE:-default}"
    for name in SAFESIDE_SERVICES:
        assert _environment(services[name])["SAFESIDE_TEMPORAL_NAMESPACE"] == namespace, name
    assert _environment(services["temporal-namespace"])["NAMESPACE"] == namespace
    assert _environment(services["temporal-ui"])["TEMPORAL_DEFAULT_NAMESPACE"] == namespace
    assert Settings.model_fields["temporal_namespace"].default == "default"


def test_dot_env_holds_only_what_compose_interpolates_and_no_safeside_secret() -> None:
    in_dot_env = set(_example(DOT_ENV, commented_too=True))
    # Anything else in .env would reach no container: compose hands it to none.
    assert in_dot_env <= _interpolated_names(_compose())
    assert in_dot_env.isdisjoint(_secret_settings())
    safeside_names = {name for name in in_dot_env if name.startswith("SAFESIDE_")}
    assert not safeside_names - FROM_DOT_ENV - API_FROM_DOT_ENV
    text = (ROOT / "docker-compose.yml").read_text()
    required = {match[1] for match in INTERPOLATION.finditer(text) if match[2] == ":?"}
    assert required <= set(_example(DOT_ENV, commented_too=False))


def test_safeside_env_holds_only_safeside_settings_the_compose_file_leaves_to_it() -> None:
    in_safeside_env = set(_example(SAFESIDE_ENV, commented_too=True))
    assert in_safeside_env
    assert {name for name in in_safeside_env if not name.startswith("SAFESIDE_")} == set()
    # The compose file's environment wins over an env_file, and compose never reads
    # safeside.env to interpolate: a value given for either would be silently ignored.
    set_by_compose = set().union(*(_environment(_services()[s]) for s in SAFESIDE_SERVICES))
    assert in_safeside_env.isdisjoint(set_by_compose)
    assert in_safeside_env.isdisjoint(_interpolated_names(_compose()))
    assert set(_example(SAFESIDE_ENV, commented_too=False)) >= {
        "SAFESIDE_ENCRYPTION_KEY",
        "SAFESIDE_AUTH_TOKEN_SECRET",
    }


def test_the_api_listens_where_its_port_and_health_check_say() -> None:
    api = _services()["api"]
    environment = _environment(api)
    port = int(environment["SAFESIDE_API_PORT"])
    assert environment["SAFESIDE_API_HOST"] == "0.0.0.0"
    assert [container for _, _, container in _published(api)] == [port]
    assert f"http://127.0.0.1:{port}/health/ready" in " ".join(api["healthcheck"]["test"])


def test_the_workers_answer_health_checks_where_their_settings_say() -> None:
    worker = _services()["worker"]
    environment = _environment(worker)
    port = int(environment["SAFESIDE_WORKER_HEALTH_PORT"])
    assert environment["SAFESIDE_WORKER_HEALTH_HOST"] == "0.0.0.0"
    assert f"http://127.0.0.1:{port}/health/ready" in " ".join(worker["healthcheck"]["test"])
    assert environment["SAFESIDE_TEMPORAL_METRICS_ADDRESS"].startswith("0.0.0.0:")
    # Replicas cannot share a host port: workers are reached on the compose network only.
    assert worker["deploy"]["replicas"] >= 2
    assert "ports" not in worker


def test_workers_are_given_time_to_finish_running_activities_on_stop() -> None:
    grace = _duration(_services()["worker"]["stop_grace_period"])
    assert grace > GRACEFUL_SHUTDOWN


def test_safeside_health_checks_use_python_not_tools_the_slim_image_lacks() -> None:
    for name in SAFESIDE_SERVICES:
        check = _services()[name].get("healthcheck")
        if check is None:
            continue
        command = check["test"]
        assert command[:3] == ["CMD", "python", "-c"], name
        assert "urllib.request" in command[3]


def test_the_web_ui_signs_in_at_the_api_s_provider_and_decodes_over_https_with_its_token() -> None:
    services = _services()
    dot_env = _example(DOT_ENV, commented_too=False)
    ui = {
        name: _interpolated(value, dot_env)
        for name, value in _environment(services["temporal-ui"]).items()
    }
    api = {
        name: _interpolated(value, dot_env) for name, value in _environment(services["api"]).items()
    }
    # The browser calls the codec with the UI's access token; the UI sends it to https only.
    assert ui["TEMPORAL_CODEC_ENDPOINT"] == f"{api['SAFESIDE_PUBLIC_URL']}{codec_router.prefix}"
    assert ui["TEMPORAL_CODEC_ENDPOINT"].startswith("https://")
    assert ui["TEMPORAL_CODEC_PASS_ACCESS_TOKEN"] == "true"
    origins = yaml.safe_load(api["SAFESIDE_CORS_ORIGINS"])
    assert origins == [dot_env["TEMPORAL_UI_PUBLIC_URL"]]
    # One provider: the tokens the UI gets are the ones the API checks.
    assert ui["TEMPORAL_AUTH_ENABLED"] == "true"
    assert ui["TEMPORAL_AUTH_PROVIDER_URL"] == api["SAFESIDE_OIDC_ISSUER"]
    assert ui["TEMPORAL_AUTH_ISSUER_URL"] == api["SAFESIDE_OIDC_ISSUER"]
    assert ui["TEMPORAL_AUTH_CALLBACK_URL"] == (
        f"{dot_env['TEMPORAL_UI_PUBLIC_URL']}/auth/sso/callback"
    )
    assert ui["TEMPORAL_AUTH_CLIENT_ID"] == dot_env["TEMPORAL_UI_OIDC_CLIENT_ID"]
    assert ui["TEMPORAL_AUTH_CLIENT_SECRET"] == dot_env["TEMPORAL_UI_OIDC_CLIENT_SECRET"]
    assert "openid" in ui["TEMPORAL_AUTH_SCOPES"].split(",")


def test_the_web_ui_offers_no_write_action_to_anyone() -> None:
    ui = _environment(_services()["temporal-ui"])
    # The UI's server refuses every write when this is on; the rest hide the buttons.
    assert ui["TEMPORAL_DISABLE_WRITE_ACTIONS"] == "true"
    for action in ("TERMINATE", "CANCEL", "SIGNAL", "UPDATE", "RESET"):
        assert ui[f"TEMPORAL_WORKFLOW_{action}_DISABLED"] == "true", action
    for name in ("BATCH_ACTIONS", "START_WORKFLOW", "ACTIVITY_COMMANDS"):
        assert ui[f"TEMPORAL_{name}_DISABLED"] == "true", name


def test_every_dependency_names_a_service_and_waits_for_the_right_condition() -> None:
    services = _services()
    for name, service in services.items():
        for dependency, wait in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            condition = wait["condition"]
            assert condition in {HEALTHY, ONE_SHOT}, f"{name} -> {dependency}: {condition}"
            target = services[dependency]
            if condition == HEALTHY:
                assert "healthcheck" in target, f"{dependency} has no health check"
            else:
                assert target.get("restart") == "no", f"{dependency} is not a one-shot job"
    for name in ("worker", "api"):
        assert services[name]["depends_on"]["migrate"] == {"condition": ONE_SHOT}
    assert services["migrate"]["command"] == ["safeside", "db", "migrate"]


def test_safeside_uses_the_database_and_role_the_init_script_creates() -> None:
    services = _services()
    given = _environment(services["api"])["SAFESIDE_DATABASE_URL"]
    url = urlsplit(re.sub(r"\$\{[^}]*\}", "from-env", given))  # the password, from .env
    assert url.password == "from-env"
    init = (ROOT / "deploy" / "postgres" / "init-databases.sh").read_text()
    assert url.hostname in services
    assert f"CREATE ROLE {url.username} LOGIN" in init
    assert f"CREATE DATABASE {url.path.lstrip('/')} OWNER {url.username};" in init
    temporal = _environment(services["temporal"])
    assert f"CREATE ROLE {temporal['POSTGRES_USER']} LOGIN" in init
    assert f"OWNER {temporal['POSTGRES_USER']};" in init


def test_named_volumes_are_declared_and_mounted_files_exist() -> None:
    declared = set(_compose().get("volumes", {}))
    for name, service in _services().items():
        for volume in service.get("volumes", []):
            source = str(volume).split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in declared, f"{name} uses undeclared volume {source}"
    assert "postgres-data" in declared


def test_published_ports_are_loopback_and_not_the_defaults() -> None:
    for service in _services().values():
        for host, host_port, _ in _published(service):
            assert host == "127.0.0.1"
            assert host_port not in {5432, 7233, 8080, 8233, 8280}


def test_no_secret_is_written_in_the_file() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    assert "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?" in text
    for name in ("POSTGRES_TEMPORAL_PASSWORD", "POSTGRES_SAFESIDE_PASSWORD"):
        assert f"${{{name}:?" in text
    # A secret's value is always interpolated from .env (a flag such as "false" is no secret).
    secrets = re.findall(r"^ *\w*(?:PASSWORD|PWD|SECRET|KEY|TOKEN): (.+)$", text, re.MULTILINE)
    assert secrets
    assert [v for v in secrets if not v.startswith("${") and v not in {'"true"', '"false"'}] == []
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    for real, template in TEMPLATES.items():
        assert template.is_file()
        assert real in ignored, f"{real} is not in .gitignore"
        assert not _sent_to_docker(real), f".dockerignore sends {real} to the Docker engine"
    assert set(_example(DOT_ENV, commented_too=False)) >= {
        "POSTGRES_PASSWORD",
        "POSTGRES_TEMPORAL_PASSWORD",
        "POSTGRES_SAFESIDE_PASSWORD",
    }


def test_the_image_runs_as_a_numeric_user_and_builds_from_what_docker_is_sent() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    users = re.findall(r"^USER (\S+)$", dockerfile, flags=re.MULTILINE)
    assert users
    assert re.fullmatch(r"\d+:\d+", users[-1])
    sent = {
        line.removeprefix("!").rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.startswith("!")
    }
    for sources in re.findall(r"^COPY (?!--from)(.+) \S+$", dockerfile, flags=re.MULTILINE):
        for source in sources.split():
            assert source in sent, f"{source} is copied but not sent to the Docker engine"
