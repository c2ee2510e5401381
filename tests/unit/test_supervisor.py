"""The dev stack's servers are started again when they stop by themselves, with a pause that
doubles with each failure in a row, one line each time; never once the stack is stopping."""

from __future__ import annotations

import asyncio
import signal

from safeside.embedded.supervisor import how_it_stopped, kept_running
from safeside.errors import StackStartError


class FakeServer:
    """A server whose stops and failed starts the test decides."""

    def __init__(self, failed_starts: int = 0) -> None:
        self.starts = 0
        self.stops = 0
        self.failed_starts = failed_starts
        self._ended: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def start(self) -> None:
        self.starts += 1
        if self.starts > 1 and self.failed_starts:
            self.failed_starts -= 1
            raise StackStartError("port 5432 for PostgreSQL is already in use")
        self._ended = asyncio.get_running_loop().create_future()

    async def stop(self) -> None:
        self.stops += 1

    async def exited(self) -> int:
        return await self._ended

    def dies(self, status: int) -> None:
        self._ended.set_result(status)


async def test_a_server_that_dies_is_started_again_after_a_doubling_pause() -> None:
    said: list[str] = []
    back = asyncio.Event()

    def say(line: str) -> None:
        said.append(line)
        if line.endswith("running again"):
            back.set()

    server = FakeServer(failed_starts=2)
    async with kept_running("PostgreSQL", server, say=say, first_delay=0.01):
        server.dies(-signal.SIGKILL)
        await asyncio.wait_for(back.wait(), 5)
    assert said == [
        "PostgreSQL stopped (SIGKILL): starting it again in 0.01 s",
        "PostgreSQL did not start (port 5432 for PostgreSQL is already in use): "
        "trying again in 0.02 s",
        "PostgreSQL did not start (port 5432 for PostgreSQL is already in use): "
        "trying again in 0.04 s",
        "PostgreSQL is running again",
    ]
    assert server.starts == 4


async def test_a_server_stopped_with_the_stack_is_not_started_again() -> None:
    said: list[str] = []
    server = FakeServer()
    async with kept_running("the Temporal server", server, say=said.append, first_delay=0.01):
        pass
    server.dies(0)  # as the stack's own stop makes it
    await asyncio.sleep(0.05)
    assert (server.starts, server.stops, said) == (1, 1, [])


def test_a_stop_is_told_by_its_status_or_its_signal() -> None:
    assert how_it_stopped(1) == "exit 1"
    assert how_it_stopped(-signal.SIGKILL) == "SIGKILL"
