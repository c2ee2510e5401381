"""The ``safeside`` command line."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine
from typing import Any, TypeVar

import click

from safeside.errors import SafesideError
from safeside.log import configure_logging
from safeside.migrate import migrate
from safeside.settings import Settings

T = TypeVar("T")


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine; turn the project's operational errors into one clear line."""
    try:
        return asyncio.run(coro)
    except SafesideError as exc:
        click.echo(f"safeside: {exc}", err=True)
        sys.exit(1)


@click.group(help="Safeside: durable safeguarding workflows for children at risk of trafficking.")
@click.pass_context
def cli(ctx: click.Context) -> None:
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    ctx.obj = settings


@cli.command(help="Run the whole stack on this machine (embedded Temporal and PostgreSQL).")
@click.pass_obj
def dev(settings: Settings) -> None:
    from starter.dev import run_dev_stack

    _run(run_dev_stack(settings))


@cli.command(help="Run a worker against the servers named by the SAFESIDE_ settings.")
@click.pass_obj
def worker(settings: Settings) -> None:
    from worker import run_worker

    _run(run_worker(settings))


@cli.group(help="Database administration.")
def db() -> None:
    pass


@db.command("migrate", help="Apply the schema migrations that are not yet applied.")
@click.pass_obj
def db_migrate(settings: Settings) -> None:
    applied = _run(migrate(settings.database_dsn))
    names = f": {', '.join(applied)}" if applied else ""
    click.echo(f"applied {len(applied)} migration(s){names}")


@db.command(
    "rebuild-projections",
    help="Rebuild the projections (placements, deadlines, escalations...) from the events alone.",
)
@click.option("--every", default=100, show_default=True, help="Report progress every N placements.")
@click.pass_obj
def db_rebuild_projections(settings: Settings, every: int) -> None:
    from starter.db_commands import rebuild_projections_at

    count = _run(rebuild_projections_at(settings, report_every=every, say=click.echo))
    click.echo(f"rebuilt the projections of {count} placement(s)")


def main() -> None:
    cli(prog_name="safeside")


if __name__ == "__main__":
    main()
