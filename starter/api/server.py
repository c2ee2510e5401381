"""Serving the app with uvicorn inside our own event loop: by ``safeside api`` and, next to the
worker, by ``safeside dev``."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator

import click
import uvicorn
from fastapi import FastAPI

from safeside.errors import StackStartError
from safeside.log import get_logger
from safeside.settings import Settings
from starter.api.app import create_app
from starter.services import connected
from worker import stop_on_signals

log = get_logger("safeside.api")

# Requests still running at shutdown get this long before their connections are closed.
GRACEFUL_SHUTDOWN_SECONDS = 5


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its own signal handling: the process that embeds it owns Ctrl-C and
    decides the order things stop in (the API before the worker)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _listen(host: str, port: int, setting: str) -> socket.socket:
    """Bind here rather than in uvicorn, which exits the process when a port is busy."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise StackStartError(
            f"port {port} for the HTTP API cannot be used on {host} ({exc.strerror}): stop the "
            f"program using it or choose another port with {setting}"
        ) from None
    return sock


@contextlib.asynccontextmanager
async def running_api(app: FastAPI, host: str, port: int, *, setting: str) -> AsyncIterator[str]:
    """Serve ``app`` until the block ends; yields its base URL once it accepts connections."""
    sock = _listen(host, port, setting)
    config = uvicorn.Config(
        app,
        log_config=None,  # our logging set-up (structlog) stays in charge
        lifespan="off",  # services are opened by the caller, not by the app
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    server = _EmbeddedServer(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if serving.done():
                serving.result()  # it failed to start: say why
                raise StackStartError("the HTTP API stopped while starting")
            await asyncio.sleep(0.01)
        bound_port = sock.getsockname()[1]
        shown_host = f"[{host}]" if ":" in host else host
        yield f"http://{shown_host}:{bound_port}"
    finally:
        server.should_exit = True
        await serving
        sock.close()


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
        await stop.wait()
        click.echo("safeside api: stopping…", err=True)
