"""Serving an ASGI app with uvicorn inside the caller's own event loop: the HTTP API (``safeside
api``, ``safeside dev``) and the worker's health server use it.

The socket is bound here rather than in uvicorn, which exits the process when a port is busy,
and uvicorn's own signal handling is off: the process that embeds it owns Ctrl-C and SIGTERM
and decides the order things stop in.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator

import uvicorn
from starlette.types import ASGIApp

from safeside.errors import StackStartError

# Requests still running at shutdown get this long before their connections are closed.
GRACEFUL_SHUTDOWN_SECONDS = 5


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _listen(host: str, port: int, what: str, remedy: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise StackStartError(
            f"port {port} for {what} cannot be used on {host} ({exc.strerror}): {remedy}"
        ) from None
    return sock


@contextlib.asynccontextmanager
async def serving(
    app: ASGIApp, host: str, port: int, *, what: str, remedy: str, access_log: bool = True
) -> AsyncIterator[str]:
    """Serve ``app`` until the block ends; yields its base URL once it accepts connections.
    A busy port raises ``StackStartError`` naming ``what`` and saying ``remedy``."""
    sock = _listen(host, port, what, remedy)
    config = uvicorn.Config(
        app,
        log_config=None,  # our logging set-up (structlog) stays in charge
        access_log=access_log,
        lifespan="off",  # services are opened by the caller, not by the app
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    server = _EmbeddedServer(config)
    served = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if served.done():
                served.result()  # it failed to start: say why
                raise StackStartError(f"{what} stopped while starting")
            await asyncio.sleep(0.01)
        shown_host = f"[{host}]" if ":" in host else host
        yield f"http://{shown_host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await served
        sock.close()
