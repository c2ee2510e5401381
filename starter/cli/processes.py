"""The commands that run something until stopped or played through: the embedded stack, a
worker, the HTTP API and the demo. Each imports what it runs only when called, so the other
commands start quickly."""

from __future__ import annotations

import click

from safeside.settings import Settings
from starter.cli.running import run


@click.command(help="Run the whole stack on this machine (embedded Temporal and PostgreSQL).")
@click.pass_obj
def dev(settings: Settings) -> None:
    from starter.cli.dev import run_dev_stack

    run(run_dev_stack(settings))


@click.command(help="Run a worker against the servers named by the SAFESIDE_ settings.")
@click.pass_obj
def worker(settings: Settings) -> None:
    from worker import run_worker

    run(run_worker(settings))


@click.command(help="Serve the HTTP API (OpenAPI at /docs) against the configured servers.")
@click.option("--host", help="Interface to listen on (default: SAFESIDE_API_HOST).")
@click.option("--port", type=click.IntRange(1, 65535), help="Default: SAFESIDE_API_PORT.")
@click.pass_obj
def api(settings: Settings, host: str | None, port: int | None) -> None:
    from starter.api.server import run_api

    run(run_api(settings, host=host or settings.api_host, port=port or settings.api_port))


@click.command(help="Play a manager's first ten minutes against the running stack, in a minute.")
@click.option(
    "--leaflet-due-in",
    type=click.IntRange(4, 600),
    default=30,
    show_default=True,
    help="Seconds the demo's leaflet clock runs (the demo policy shortens it from 24 hours).",
)
@click.pass_obj
def demo(settings: Settings, leaflet_due_in: int) -> None:
    from starter.cli.demo import run_demo

    run(run_demo(settings, leaflet_due_in=leaflet_due_in, say=click.echo))
