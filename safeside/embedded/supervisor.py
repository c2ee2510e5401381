"""Keeping the development stack's servers running: one watch per server, which starts it
again when it stops by itself, waiting a little longer after each stop in a row, and says so
in one line each time (only the server's name and how it stopped: never what it was serving).

The stack's own stop ends a server's watch before it stops the server, so a server stopped on
purpose is not started again.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Callable
from typing import Protocol

from safeside.errors import StackStartError

FIRST_DELAY = 1.0
LONGEST_DELAY = 30.0
# A server that ran this long before stopping gets the first delay again, not the last one.
SETTLED = 60.0


class Server(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def exited(self) -> int: ...


@contextlib.asynccontextmanager
async def kept_running(
    name: str,
    server: Server,
    *,
    say: Callable[[str], None],
    first_delay: float = FIRST_DELAY,
    longest_delay: float = LONGEST_DELAY,
) -> AsyncIterator[None]:
    """``server`` started, and started again whenever it stops by itself, until the block ends:
    then its watch ends first and the server is stopped. ``name`` is how the lines about it
    call it ("PostgreSQL")."""
    await server.start()
    try:
        watch = asyncio.create_task(_keep_running(name, server, say, first_delay, longest_delay))
        try:
            yield
        finally:
            watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watch
    finally:
        await server.stop()


async def _keep_running(
    name: str,
    server: Server,
    say: Callable[[str], None],
    first_delay: float,
    longest_delay: float,
) -> None:
    delay = first_delay
    loop = asyncio.get_running_loop()
    while True:
        running_since = loop.time()
        how = how_it_stopped(await server.exited())
        if loop.time() - running_since >= SETTLED:
            delay = first_delay
        say(f"{name} stopped ({how}): starting it again in {delay:g} s")
        while True:
            await asyncio.sleep(delay)
            delay = min(delay * 2, longest_delay)
            try:
                await server.start()
                break
            except (StackStartError, OSError) as exc:
                # E.g. its port still held by what is left of the old one: later, then.
                await server.stop()
                say(f"{name} did not start ({exc}): trying again in {delay:g} s")
        say(f"{name} is running again")


def how_it_stopped(status: int) -> str:
    """``exit 1``, or the signal that ended it (``SIGKILL``)."""
    if status >= 0:
        return f"exit {status}"
    try:
        return signal.Signals(-status).name
    except ValueError:
        return f"signal {-status}"
