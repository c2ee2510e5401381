"""Serving the app inside our own event loop (``safeside.http_server``): by ``safeside api``
and, next to the worker, by ``safeside dev``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import click
from fastapi import FastAPI

from safeside.http_server import serving
from safeside.log import get_logger
from safeside.settings import Settings
from starter.api.app import create_app
from starter.services import access_log
from starter.services.connection import connected
from worker import stop_on_signals

log = get_logger("safeside.api")


@contextlib.asynccontextmanager
async def running_api(app: FastAPI, host: str, port: int, *, setting: str) -> AsyncIterator[str]:
    """Serve ``app`` until the block ends; yields its base URL once it accepts connections.
    Meanwhile the access log's entries kept through a PostgreSQL outage are stored as soon as
    it answers (``access_log.spool_drained``), from before the first request to after the last."""
    async with (
        access_log.spool_drained(app.state.services),
        serving(
            app,
            host,
            port,
            what="the HTTP API",
            remedy=f"stop the program using it or choose another port with {setting}",
        ) as url,
    ):
        yield url


async def run_api(settings: Settings, *, host: str, port: int) -> None:
    """``safeside api``: the app against the servers the settings name, until Ctrl-C."""
    stop = asyncio.Event()
    stop_on_signals(stop)
    async with (
        connected(settings) as services,
        running_api(create_app(services), host, port, setting="SAFESIDE_API_PORT") as url,
    ):
        log.info("api serving", url=url, task_queue=settings.task_queue)
        click.echo(f"Safeside HTTP API at {url} (OpenAPI: {url}/docs); Ctrl-C to stop")
        click.echo(f"The web page: {url}/ (sign in with a token from `safeside token issue`)")
        await stop.wait()
        click.echo("safeside api: stopping…", err=True)
