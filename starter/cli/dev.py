"""``safeside dev``: the whole stack on one machine with only Python.

Starts (unless the settings name existing servers) an embedded PostgreSQL and the Temporal
dev server with its web UI, both under the data folder, and a development identity provider
whose login page lists the demo staff; applies the migrations; makes the small development
organisation if it is not there yet (``organisation_seed``); runs the worker and the HTTP API
(which serves the web page, and the Temporal web UI to managers at /temporal-ui/); prints where
each one listens. A server that stops by itself is started again, after a pause that grows
with each stop in a row (``safeside.embedded.supervisor``). Ctrl-C or SIGTERM stops everything
in reverse order (the API, the worker, then the servers).
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from pathlib import Path

import click
from pydantic import SecretStr

from safeside.db import create_pool
from safeside.embedded.identity_provider import ROLE_CLAIM, STAFF_CLAIM, EmbeddedIdentityProvider
from safeside.embedded.postgres import EmbeddedPostgres
from safeside.embedded.supervisor import kept_running
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
from starter.cli.organisation_seed import (
    DEV_ORGANISATION,
    DEV_SEEDER,
    ensure_organisation,
    provider_users,
)
from starter.services.connection import Services
from starter.web.routes import temporal_ui
from worker import serve, stop_on_signals

log = get_logger("safeside.dev")

DATABASE_NAME = "safeside"
# Any client id and secret will do at the development provider; these name the dev stack.
DEV_CLIENT_ID = "safeside-dev"
DEV_CLIENT_SECRET = "safeside-dev-secret"


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
            await servers.enter_async_context(kept_running("PostgreSQL", postgres, say=_say))
            database_url = await postgres.ensure_database(DATABASE_NAME)
            lines.append(("PostgreSQL", database_url))
        else:
            database_url = settings.database_url
            lines.append(("PostgreSQL", "external (SAFESIDE_DATABASE_URL)"))
        applied = await migrate(database_url)
        lines.append(("migrations", f"{len(applied)} applied now" if applied else "up to date"))

        temporal_ui_url = None
        if settings.temporal_address_is_explicit:
            temporal_address = settings.temporal_address
            lines.append(("Temporal", f"{temporal_address} (external)"))
        else:
            temporal = EmbeddedTemporal(
                data_dir / "temporal.db",
                port=settings.dev_temporal_port,
                ui_port=settings.dev_ui_port,
                namespace=settings.temporal_namespace,
                # The API serves the UI at this same path (starter.web.routes.temporal_ui), so
                # the UI's codec calls go to the page's own origin, with its session cookie.
                ui_public_path=temporal_ui.PATH,
                ui_codec_endpoint="/codec",
            )
            await servers.enter_async_context(
                kept_running("the Temporal server", temporal, say=_say)
            )
            temporal_address = temporal.address
            temporal_ui_url = f"http://127.0.0.1:{settings.dev_ui_port}"
            lines.append(("Temporal", temporal_address))

        if settings.oidc_issuer is None:
            settings = await _start_identity_provider(settings, data_dir, servers)
            lines.append(
                ("sign-in", f"{settings.oidc_issuer}  (the development identity provider)")
            )
        else:
            lines.append(("sign-in", f"{settings.oidc_issuer}  (external identity provider)"))

        client = await connect(settings, address=temporal_address)
        pool = await create_pool(database_url)
        servers.push_async_callback(pool.close)
        await ensure_organisation(pool, DEV_SEEDER, DEV_ORGANISATION)
        lines.append(("units", _organisation_line()))
        lines.append(("worker", f"task queue {settings.task_queue}"))
        services = Services(
            client=client, pool=pool, settings=settings, policy=load_policy(settings)
        )
        await _serve_worker_and_api(services, stop, lines, temporal_ui_url)
    click.echo("safeside dev: stopped", err=True)


def _say(line: str) -> None:
    click.echo(f"safeside dev: {line}", err=True)


def _ensure_dev_secrets(settings: Settings) -> list[tuple[str, str]]:
    """The keyring and the token signing secret, owner-only files in the data folder, made on
    first start unless the settings give them some other way."""
    lines = []
    if settings.encryption_key is None:
        path = keyring_file(settings)
        made = ensure_keyring_file(path)
        lines.append(("keyring", f"{path}{' (created now)' if made else ''}"))
    if settings.auth_token_secret is None:
        path = signing_secret_file(settings)
        made = ensure_signing_secret_file(path)
        lines.append(("signing key", f"{path}{' (created now)' if made else ''}"))
    # People sign in at the web page; a token is for the command line and scripts.
    lines.append(
        (
            "scripts",
            "export SAFESIDE_TOKEN=$(safeside token issue --role registered_manager "
            "--subject staff-01)",
        )
    )
    return lines


async def _start_identity_provider(
    settings: Settings, data_dir: Path, servers: AsyncExitStack
) -> Settings:
    """The development identity provider with the demo staff; the settings that sign in
    through it."""
    provider = EmbeddedIdentityProvider(
        data_dir,
        settings.dev_identity_provider_port,
        users=provider_users(DEV_ORGANISATION),
        api_audience=settings.oidc_api_audience,
    )
    await servers.enter_async_context(kept_running("the identity provider", provider, say=_say))
    return settings.model_copy(
        update={
            "oidc_issuer": provider.issuer,
            "oidc_client_id": DEV_CLIENT_ID,
            "oidc_client_secret": SecretStr(DEV_CLIENT_SECRET),
            "oidc_staff_claim": STAFF_CLAIM,
            "oidc_role_claim": ROLE_CLAIM,
        }
    )


def _organisation_line() -> str:
    people = ", ".join(
        f"{person.staff_ref} ({'/'.join(role.value for role in person.roles)})"
        for person in DEV_ORGANISATION.staff
    )
    return f"{', '.join(DEV_ORGANISATION.units)}, with staff {people}"


async def _serve_worker_and_api(
    services: Services,
    stop: asyncio.Event,
    lines: list[tuple[str, str]],
    temporal_ui_url: str | None,
) -> None:
    """The worker, and the HTTP API in this same event loop; on stop, the API goes first so no
    request is left waiting on a worker that has gone."""
    worker_stop = asyncio.Event()
    worker = asyncio.create_task(
        serve(services.client, services.pool, services.settings, worker_stop)
    )
    app = create_app(services)
    # The embedded dev server's UI, served to signed-in managers through the API's origin.
    app.state.temporal_ui_url = temporal_ui_url
    try:
        async with running_api(
            app,
            "127.0.0.1",
            services.settings.dev_api_port,
            setting="SAFESIDE_DEV_API_PORT",
        ) as api_url:
            lines.append(("HTTP API", f"{api_url}  (OpenAPI: {api_url}/docs)"))
            lines.append(("web page", f"sign in at {api_url}/ as any demo staff member"))
            if temporal_ui_url is not None:
                lines.append(("web UI", f"{api_url}{temporal_ui.PATH}/  (managers, signed in)"))
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
