"""``safeside dev``: the whole stack on one machine with only Python.

Starts (unless the settings name existing servers) an embedded PostgreSQL and the Temporal
dev server with its web UI, both under the data folder; applies the migrations; runs the
worker; prints where each one listens. Ctrl-C or SIGTERM stops everything in reverse order.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import click

from safeside.db import create_pool
from safeside.embedded.postgres import EmbeddedPostgres
from safeside.embedded.temporal_server import EmbeddedTemporal
from safeside.log import get_logger
from safeside.migrate import migrate
from safeside.settings import Settings
from safeside.temporal import connect
from worker import serve, stop_on_signals

log = get_logger("safeside.dev")

DATABASE_NAME = "safeside"


async def run_dev_stack(settings: Settings) -> None:
    stop = asyncio.Event()
    stop_on_signals(stop)
    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    lines: list[tuple[str, str]] = [("data folder", str(data_dir))]

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
            )
            await temporal.start()
            servers.push_async_callback(temporal.stop)
            temporal_address = temporal.address
            lines.append(("Temporal", temporal_address))
            lines.append(("web UI", f"http://127.0.0.1:{settings.dev_ui_port}"))

        client = await connect(settings, address=temporal_address)
        pool = await create_pool(database_url)
        servers.push_async_callback(pool.close)
        lines.append(("worker", f"task queue {settings.task_queue}"))
        _print_banner(lines)
        await serve(client, pool, settings, stop)
        click.echo("safeside dev: stopping…", err=True)
    click.echo("safeside dev: stopped", err=True)


def _print_banner(lines: list[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in lines)
    rows = [f"  {name.ljust(width)}  {where}" for name, where in lines]
    # One write, ending in a blank line, so a program reading it sees it whole.
    click.echo("\n".join(["Safeside development stack is running (Ctrl-C to stop):", *rows, ""]))
