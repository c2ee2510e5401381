"""The ``safeside`` command line."""

from __future__ import annotations

import sys

import click
from pydantic import ValidationError

from safeside.log import configure_logging
from safeside.migrate import migrate
from safeside.settings import Settings
from starter.cli_run import BAD_INPUT, run
from starter.placement_cli import deadlines, placement
from starter.security_cli import keys, token
from starter.unit_cli import unit


@click.group(help="Safeside: durable safeguarding workflows for children at risk of trafficking.")
@click.pass_context
def cli(ctx: click.Context) -> None:
    try:
        settings = Settings()
    except ValidationError as error:
        for problem in error.errors():
            name = f"SAFESIDE_{'_'.join(str(part) for part in problem['loc']).upper()}"
            click.echo(f"safeside: {name}: {problem['msg']}", err=True)
        sys.exit(BAD_INPUT)
    configure_logging(settings.log_format, settings.log_level)
    ctx.obj = settings


cli.add_command(placement)
cli.add_command(deadlines)
cli.add_command(unit)
cli.add_command(keys)
cli.add_command(token)


@cli.command(help="Run the whole stack on this machine (embedded Temporal and PostgreSQL).")
@click.pass_obj
def dev(settings: Settings) -> None:
    from starter.dev import run_dev_stack

    run(run_dev_stack(settings))


@cli.command(help="Run a worker against the servers named by the SAFESIDE_ settings.")
@click.pass_obj
def worker(settings: Settings) -> None:
    from worker import run_worker

    run(run_worker(settings))


@cli.group(help="Database administration.")
def db() -> None:
    pass


@db.command("migrate", help="Apply the schema migrations that are not yet applied.")
@click.pass_obj
def db_migrate(settings: Settings) -> None:
    applied = run(migrate(settings.database_dsn))
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

    count = run(rebuild_projections_at(settings, report_every=every, say=click.echo))
    click.echo(f"rebuilt the projections of {count} placement(s)")


@cli.command(help="Serve the HTTP API (OpenAPI at /docs) against the configured servers.")
@click.option("--host", help="Interface to listen on (default: SAFESIDE_API_HOST).")
@click.option("--port", type=click.IntRange(1, 65535), help="Default: SAFESIDE_API_PORT.")
@click.pass_obj
def api(settings: Settings, host: str | None, port: int | None) -> None:
    from starter.api.server import run_api

    run(run_api(settings, host=host or settings.api_host, port=port or settings.api_port))


@cli.command(help="Play a manager's first ten minutes against the running stack, in a minute.")
@click.option(
    "--leaflet-due-in",
    type=click.IntRange(4, 600),
    default=30,
    show_default=True,
    help="Seconds the demo's leaflet clock runs (the demo policy shortens it from 24 hours).",
)
@click.pass_obj
def demo(settings: Settings, leaflet_due_in: int) -> None:
    from starter.demo import run_demo

    run(run_demo(settings, leaflet_due_in=leaflet_due_in, say=click.echo))


def main() -> None:
    cli(prog_name="safeside")


if __name__ == "__main__":
    main()
