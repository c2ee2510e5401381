"""``safeside dev``: the whole stack on one machine with only Python.

Starts (unless the settings name existing servers) an embedded PostgreSQL and the Temporal
dev server with its web UI, both under the data folder; applies the migrations; makes the
small development organisation if it is not there yet (``organisation_seed``); runs the
worker and the HTTP API; prints where each one listens. Ctrl-C or SIGTERM stops everything in
reverse order (the API, the worker, then the servers).
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import click

from safeside.db import create_pool
from safeside.embedded.postgres import EmbeddedPostgres
from safeside.embedded.temporal_server import EmbeddedTemporal
from safeside.keyring import ensure_keyring_file, keyring_file
from safeside.log import get_logger
from safeside.migrate import migrate
from safeside.policy_file import load_policy
from safeside.settings import Settings
from safeside.temporal import connect
from safeside.tokens import ensure_signing_secret_file, signing_secret_file
from starter.api.app import create_app
from starter.api.server import running_api
from starter.cli.organisation_seed import DEV_ORGANISATION, DEV_SEEDER, ensure_organisation
from starter.services.connection import Services
from worker import serve, stop_on_signals

log = get_logger("safeside.dev")

DATABASE_NAME = "safeside"


async def run_dev_stack(settings: Settings) -> None:
    stop = asyncio.Event()
    stop_on_signals(stop)
    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    lines: list[tuple[str, str]] = [("data folder", str(data_dir))]
    lines += _ensure_dev_secrets(settings)

    async with AsyncExitStack() as servers:
        if settings.database_url is None:
            postgres = EmbeddedPostgres(data_dir / "postgres", settings.dev_postgres_port)
            await postgres.start()
            servers.push_async_callback(postgres.stop)
            database_url = await postgres.ensure_database(DATABASE_NAME)
            lines.append(("PostgreSQL", database_url))
        else:
            database_url = settings.database_url
            lines.append(("PostgreSQL", "external (SAFESIDE_DATABASE_URL)"))
        applied = await migrate(database_url)
        lines.append(("migrations", f"{len(applied)} applied now" if applied else "up to date"))

        if settings.temporal_address_is_explicit:
            temporal_address = settings.temporal_address
            lines.append(("Temporal", f"{temporal_address} (external)"))
        else:
            temporal = EmbeddedTemporal(
                data_dir / "temporal.db",
                port=settings.dev_temporal_port,
                ui_port=settings.dev_ui_port,
                namespace=settings.temporal_namespace,
                # The UI decodes payloads through the API's codec endpoint (with a token).
                ui_codec_endpoint=f"http://127.0.0.1:{settings.dev_api_port}/codec",
            )
            await temporal.start()
            servers.push_async_callback(temporal.stop)
            temporal_address = temporal.address
            lines.append(("Temporal", temporal_address))
            lines.append(("web UI", f"http://127.0.0.1:{settings.dev_ui_port}"))

        client = await connect(settings, address=temporal_address)
        pool = await create_pool(database_url)
        servers.push_async_callback(pool.close)
        await ensure_organisation(pool, DEV_SEEDER, DEV_ORGANISATION)
        lines.append(("units", _organisation_line()))
        lines.append(("worker", f"task queue {settings.task_queue}"))
        services = Services(
            client=client, pool=pool, settings=settings, policy=load_policy(settings)
        )
        await _serve_worker_and_api(services, stop, lines)
    click.echo("safeside dev: stopped", err=True)


def _ensure_dev_secrets(settings: Settings) -> list[tuple[str, str]]:
    """The keyring and the token signing secret, owner-only files in the data folder, made on
    first start unless the settings give them some other way."""
    lines = []
    if settings.encryption_key is None:
        path = keyring_file(settings)
        made = ensure_keyring_file(path)
        lines.append(("keyring", f"{path}{' (created now)' if made else ''}"))
    if settings.auth_token_secret is None and settings.auth_jwks_url is None:
        path = signing_secret_file(settings)
        made = ensure_signing_secret_file(path)
        lines.append(("signing key", f"{path}{' (created now)' if made else ''}"))
    lines.append(
        (
            "tokens",
            "export SAFESIDE_TOKEN=$(safeside token issue --role registered_manager "
            "--subject staff-01)",
        )
    )
    return lines


def _organisation_line() -> str:
    people = ", ".join(
        f"{person.staff_ref} ({'/'.join(role.value for role in person.roles)})"
        for person in DEV_ORGANISATION.staff
    )
    return f"{', '.join(DEV_ORGANISATION.units)}, with staff {people}"


async def _serve_worker_and_api(
    services: Services, stop: asyncio.Event, lines: list[tuple[str, str]]
) -> None:
    """The worker, and the HTTP API in this same event loop; on stop, the API goes first so no
    request is left waiting on a worker that has gone."""
    worker_stop = asyncio.Event()
    worker = asyncio.create_task(
        serve(services.client, services.pool, services.settings, worker_stop)
    )
    try:
        async with running_api(
            create_app(services),
            "127.0.0.1",
            services.settings.dev_api_port,
            setting="SAFESIDE_DEV_API_PORT",
        ) as api_url:
            lines.append(("HTTP API", f"{api_url}  (OpenAPI: {api_url}/docs)"))
            lines.append(("web page", f"{api_url}/  (sign in with a token, as above)"))
            _print_banner(lines)
            stopped = asyncio.create_task(stop.wait())
            # A worker that stops by itself has failed: stop the API and report it below.
            await asyncio.wait({worker, stopped}, return_when=asyncio.FIRST_COMPLETED)
            stopped.cancel()
            click.echo("safeside dev: stopping…", err=True)
    finally:
        worker_stop.set()
        await worker


def _print_banner(lines: list[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in lines)
    rows = [f"  {name.ljust(width)}  {where}" for name, where in lines]
    # One write, ending in a blank line, so a program reading it sees it whole.
    click.echo("\n".join(["Safeside development stack is running (Ctrl-C to stop):", *rows, ""]))
