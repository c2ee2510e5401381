"""docker-compose.yml and the templates of its two env files (deploy/example.env for `.env`,
deploy/example.safeside.env for `safeside.env`) are for users' machines (no Docker engine runs
here): check them statically, against the settings and the code they configure."""

from __future__ import annotations

import fnmatch
import os
import re
import typing
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pytest
from pydantic import SecretStr

from safeside.settings import Settings
from tests.support.compose import (
    API_FROM_DOT_ENV,
    DOT_ENV,
    FROM_DOT_ENV,
    HEALTHY,
    INTERPOLATION,
    ONE_SHOT,
    OTHER_ROLES_PASSWORDS,
    ROOT,
    SAFESIDE_ENV,
    SAFESIDE_SERVICES,
    SAFESIDE_VARIABLE,
    TEMPLATES,
    compose_file,
    compose_services,
    env_files_of,
    environment_of,
    interpolated,
    interpolated_names,
    template_values,
)
from worker import GRACEFUL_SHUTDOWN


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
    services = compose_services()
    assert set(services) >= {"postgres", "temporal", "temporal-ui", *SAFESIDE_SERVICES}
    for name, service in services.items():
        assert "image" in service or "build" in service, f"{name} has neither image nor build"
    for name in SAFESIDE_SERVICES:
        assert services[name]["build"] == "."


def test_every_image_is_pinned_to_a_version() -> None:
    for name, service in compose_services().items():
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
    dot_env = template_values(DOT_ENV, commented_too=False)
    environment = {
        name: interpolated(value, dot_env)
        for name, value in environment_of(compose_services()[service]).items()
    }
    given = template_values(SAFESIDE_ENV, commented_too=True) | environment
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
        assert env_files_of(compose_services()[name]) == ["safeside.env"], name


def test_no_safeside_service_receives_the_other_roles_passwords() -> None:
    for name in SAFESIDE_SERVICES:
        service = compose_services()[name]
        interpolated = interpolated_names(service)
        # Nothing from .env but what the environment passes explicitly.
        assert interpolated == FROM_DOT_ENV | (API_FROM_DOT_ENV if name == "api" else set()), name
        received = set(environment_of(service)) | interpolated
        for env_file in env_files_of(service):
            received |= set(template_values(TEMPLATES[env_file], commented_too=True))
        assert received.isdisjoint(OTHER_ROLES_PASSWORDS), name


def test_the_safeside_services_run_in_the_namespace_temporal_namespace_makes() -> None:
    services = compose_services()
    namespace = "${SAFESIDE_TEMPORAL_NAMESPACE:-default}"
    for name in SAFESIDE_SERVICES:
        assert environment_of(services[name])["SAFESIDE_TEMPORAL_NAMESPACE"] == namespace, name
    assert environment_of(services["temporal-namespace"])["NAMESPACE"] == namespace
    assert environment_of(services["temporal-ui"])["TEMPORAL_DEFAULT_NAMESPACE"] == namespace
    assert Settings.model_fields["temporal_namespace"].default == "default"


def test_dot_env_holds_only_what_compose_interpolates_and_no_safeside_secret() -> None:
    in_dot_env = set(template_values(DOT_ENV, commented_too=True))
    # Anything else in .env would reach no container: compose hands it to none.
    assert in_dot_env <= interpolated_names(compose_file())
    assert in_dot_env.isdisjoint(_secret_settings())
    safeside_names = {name for name in in_dot_env if name.startswith("SAFESIDE_")}
    assert not safeside_names - FROM_DOT_ENV - API_FROM_DOT_ENV
    text = (ROOT / "docker-compose.yml").read_text()
    required = {match[1] for match in INTERPOLATION.finditer(text) if match[2] == ":?"}
    assert required <= set(template_values(DOT_ENV, commented_too=False))


def test_safeside_env_holds_only_safeside_settings_the_compose_file_leaves_to_it() -> None:
    in_safeside_env = set(template_values(SAFESIDE_ENV, commented_too=True))
    assert in_safeside_env
    assert {name for name in in_safeside_env if not name.startswith("SAFESIDE_")} == set()
    # The compose file's environment wins over an env_file, and compose never reads
    # safeside.env to interpolate: a value given for either would be silently ignored.
    set_by_compose = set().union(
        *(environment_of(compose_services()[s]) for s in SAFESIDE_SERVICES)
    )
    assert in_safeside_env.isdisjoint(set_by_compose)
    assert in_safeside_env.isdisjoint(interpolated_names(compose_file()))
    assert set(template_values(SAFESIDE_ENV, commented_too=False)) >= {
        "SAFESIDE_ENCRYPTION_KEY",
        "SAFESIDE_AUTH_TOKEN_SECRET",
    }


def test_the_api_listens_where_its_port_and_health_check_say() -> None:
    api = compose_services()["api"]
    environment = environment_of(api)
    port = int(environment["SAFESIDE_API_PORT"])
    assert environment["SAFESIDE_API_HOST"] == "0.0.0.0"
    assert [container for _, _, container in _published(api)] == [port]
    assert f"http://127.0.0.1:{port}/health/ready" in " ".join(api["healthcheck"]["test"])


def test_the_workers_answer_health_checks_where_their_settings_say() -> None:
    worker = compose_services()["worker"]
    environment = environment_of(worker)
    port = int(environment["SAFESIDE_WORKER_HEALTH_PORT"])
    assert environment["SAFESIDE_WORKER_HEALTH_HOST"] == "0.0.0.0"
    assert f"http://127.0.0.1:{port}/health/ready" in " ".join(worker["healthcheck"]["test"])
    assert environment["SAFESIDE_TEMPORAL_METRICS_ADDRESS"].startswith("0.0.0.0:")
    # Replicas cannot share a host port: workers are reached on the compose network only.
    assert worker["deploy"]["replicas"] >= 2
    assert "ports" not in worker


def test_workers_are_given_time_to_finish_running_activities_on_stop() -> None:
    grace = _duration(compose_services()["worker"]["stop_grace_period"])
    assert grace > GRACEFUL_SHUTDOWN


def test_safeside_health_checks_use_python_not_tools_the_slim_image_lacks() -> None:
    for name in SAFESIDE_SERVICES:
        check = compose_services()[name].get("healthcheck")
        if check is None:
            continue
        command = check["test"]
        assert command[:3] == ["CMD", "python", "-c"], name
        assert "urllib.request" in command[3]


def test_every_dependency_names_a_service_and_waits_for_the_right_condition() -> None:
    services = compose_services()
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
    services = compose_services()
    given = environment_of(services["api"])["SAFESIDE_DATABASE_URL"]
    url = urlsplit(re.sub(r"\$\{[^}]*\}", "from-env", given))  # the password, from .env
    assert url.password == "from-env"
    init = (ROOT / "deploy" / "postgres" / "init-databases.sh").read_text()
    assert url.hostname in services
    assert f"CREATE ROLE {url.username} LOGIN" in init
    assert f"CREATE DATABASE {url.path.lstrip('/')} OWNER {url.username};" in init
    temporal = environment_of(services["temporal"])
    assert f"CREATE ROLE {temporal['POSTGRES_USER']} LOGIN" in init
    assert f"OWNER {temporal['POSTGRES_USER']};" in init


def test_named_volumes_are_declared_and_mounted_files_exist() -> None:
    declared = set(compose_file().get("volumes", {}))
    for name, service in compose_services().items():
        for volume in service.get("volumes", []):
            source = str(volume).split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in declared, f"{name} uses undeclared volume {source}"
    assert "postgres-data" in declared


def test_the_api_keeps_its_access_log_spool_on_a_volume_of_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reads' entries kept through a PostgreSQL outage survive a restart of the container: the
    spool the settings name is a named volume the API alone mounts, on a folder the image
    gives its user."""
    services = compose_services()
    spool_dir = environment_of(services["api"])["SAFESIDE_SPOOL_DIR"]
    mounted = {
        str(volume).split(":")[1]: str(volume).split(":")[0]
        for volume in services["api"]["volumes"]
    }
    volume = mounted[spool_dir]
    assert volume in compose_file()["volumes"]
    for name, service in services.items():
        if name != "api":
            assert all(not str(v).startswith(f"{volume}:") for v in service.get("volumes", []))
    monkeypatch.setenv("SAFESIDE_SPOOL_DIR", spool_dir)
    assert Settings().access_log_spool_file.parent == PurePosixPath(spool_dir)
    dockerfile = (ROOT / "Dockerfile").read_text()
    user = re.findall(r"^USER (\S+)$", dockerfile, flags=re.MULTILINE)[-1]
    owner = user.split(":")
    assert re.search(
        rf"install -d -o {owner[0]} -g {owner[1]} -m 0700 {re.escape(spool_dir)}$",
        dockerfile,
        flags=re.MULTILINE,
    )


def test_published_ports_are_loopback_and_not_the_defaults() -> None:
    for service in compose_services().values():
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
    assert set(template_values(DOT_ENV, commented_too=False)) >= {
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
