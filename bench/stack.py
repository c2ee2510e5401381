"""The embedded stack every dev-server benchmark runs on, started here: the Temporal dev server
with its SQLite file (WAL), a durable embedded PostgreSQL, and the real worker with the real
activities in this process. Notifications go to a channel that only counts. Payloads are
encrypted with a throwaway keyring, as in production."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from activities.channels import ChannelRouter
from activities.messages import Notification
from bench.baseline_workflow import BaselineWorkflow, noop
from safeside.db import Pool, create_pool
from safeside.embedded.postgres import EmbeddedPostgres
from safeside.embedded.processes import free_port
from safeside.embedded.temporal_server import EmbeddedTemporal
from safeside.keyring import new_keyring
from safeside.log import configure_logging
from safeside.migrate import migrate
from safeside.settings import Settings
from safeside.temporal import connect
from worker import build_worker


class CountingChannel:
    """Counts deliveries; sends nothing anywhere."""

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, message: Notification) -> None:
        self.sent += 1


BASELINE_QUEUE = "bench-baseline"


@dataclass(frozen=True)
class Stack:
    client: Client
    pool: Pool
    task_queue: str


@asynccontextmanager
async def throwaway_database(
    folder: Path, *, durable: bool = True, max_size: int = 10
) -> AsyncIterator[tuple[str, Pool]]:
    """A migrated database (its URL, and a pool on it) on an embedded PostgreSQL kept in
    ``folder``, until the block ends."""
    postgres = EmbeddedPostgres(folder / "postgres", port=free_port(), durable=durable)
    await postgres.start()
    try:
        url = await postgres.ensure_database("bench")
        await migrate(url)
        pool = await create_pool(url, max_size=max_size)
        try:
            yield url, pool
        finally:
            await pool.close()
    finally:
        await postgres.stop()


@asynccontextmanager
async def bench_stack(**worker_settings: Any) -> AsyncIterator[Stack]:
    """The servers and a running worker (and one for the baseline workflow), until the block
    ends; everything is thrown away afterwards. ``worker_settings`` change the worker's
    settings from their defaults."""
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        temporal = EmbeddedTemporal(data / "temporal.db", port=free_port(), ui_port=None)
        async with throwaway_database(data, max_size=20) as (url, pool):
            await temporal.start()
            try:
                settings = Settings(
                    database_url=url,
                    task_queue="bench-placements",
                    encryption_key=new_keyring().to_json(),
                    **worker_settings,
                )
                client = await connect(settings, address=temporal.address)
                # The worker as `safeside worker` builds it (its tuning included); the baseline
                # runs on a worker of its own, with the SDK's defaults.
                worker = build_worker(
                    client, pool, settings, channels=ChannelRouter(default=CountingChannel())
                )
                baseline = Worker(
                    client,
                    task_queue=BASELINE_QUEUE,
                    workflows=[BaselineWorkflow],
                    activities=[noop],
                )
                async with worker, baseline:
                    yield Stack(client=client, pool=pool, task_queue=settings.task_queue)
            finally:
                await temporal.stop()


async def figures_of_new_process(module: str, count: int) -> dict[str, Any]:
    """Run ``python -m module count`` (a benchmark that measures on a stack of its own, so no
    earlier benchmark's memory is counted) and read the figures it prints last, as JSON."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, str(count), stdout=asyncio.subprocess.PIPE
    )
    out, _ = await child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"{module} exited with {child.returncode}")
    figures: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return figures


def print_figures_of_own_stack(
    measure: Callable[[Stack, int], Awaitable[Any]], default_count: int, **worker_settings: Any
) -> None:
    """The new process's side of ``figures_of_new_process``: ``measure`` on a stack of its own
    (its worker's settings changed by ``worker_settings``), with the count the command line
    gives (``default_count`` without one), its figures (a dataclass) printed last as JSON."""
    configure_logging("console", "WARNING")
    count = int(sys.argv[1]) if len(sys.argv) > 1 else default_count

    async def alone() -> Any:
        async with bench_stack(**worker_settings) as stack:
            return await measure(stack, count)

    print(json.dumps(dataclasses.asdict(asyncio.run(alone()))))
