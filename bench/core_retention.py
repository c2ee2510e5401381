"""What the SDK keeps for a cached workflow run, by what its history holds: the experiment
behind the one-marker-a-run and the history-bytes limit (``bench/LEVERS.md``).

On a dev server of its own, with a worker of its own (no sandbox, as the product's worker): for
each case, ``count`` workflows that each ask ``workflow.patched`` about some changes, or run
some activities, or receive some signals, then wait. Printed: the worker process's resident
memory each workflow added while cached.

Run alone: ``.venv/bin/python -m bench.core_retention [COUNT]`` (each case in a process of its
own; a few minutes).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from bench.open_placements import resident_mib
from bench.throughput import gather_limited
from safeside.embedded.processes import free_port
from safeside.embedded.temporal_server import EmbeddedTemporal

KB = 1000


@activity.defn
async def take(text: str) -> int:
    return len(text)


@workflow.defn
class Holder:
    def __init__(self) -> None:
        self.signals = 0

    @workflow.run
    async def run(self, patches: int, activities: int, size: int) -> None:
        for number in range(patches):
            workflow.patched(f"change-{number}")
        for number in range(activities):
            await workflow.execute_activity(
                take, "x" * size + str(number), start_to_close_timeout=timedelta(seconds=30)
            )
        await workflow.wait_condition(lambda: False)

    @workflow.signal
    def hit(self, text: str) -> None:
        self.signals += 1


# (what the case is, patches, activities, signals, payload size)
CASES = [
    ("nothing", 0, 0, 0, 0),
    ("1 change asked", 1, 0, 0, 0),
    ("3 changes asked", 3, 0, 0, 0),
    ("4 activities of 10 kB", 0, 4, 0, 10 * KB),
    ("10 signals of 5 kB", 0, 0, 10, 5 * KB),
]


async def case(address: str, count: int, patches: int, acts: int, signals: int, size: int) -> str:
    client = await Client.connect(address)
    queue = f"retention-{uuid.uuid4().hex[:8]}"
    worker = Worker(
        client,
        task_queue=queue,
        workflows=[Holder],
        activities=[take],
        workflow_runner=UnsandboxedWorkflowRunner(),
    )
    async with worker:
        empty = resident_mib()
        handles = []

        async def start(number: int) -> None:
            handles.append(
                await client.start_workflow(
                    Holder.run, args=[patches, acts, size], id=f"{queue}-{number}", task_queue=queue
                )
            )

        await gather_limited([lambda n=n: start(n) for n in range(count)])
        await gather_limited(
            [
                lambda h=h, n=n: h.signal(Holder.hit, "x" * size + str(n))
                for h in handles
                for n in range(signals)
            ]
        )
        await asyncio.sleep(3 + count * (acts + signals) / 200)
        cached = resident_mib()
    return f"{(cached - empty) * 1024 / count:6.1f} KiB a workflow, cached"


async def one_case(number: int, count: int) -> None:
    name, patches, acts, signals, size = CASES[number]
    with tempfile.TemporaryDirectory() as folder:
        server = EmbeddedTemporal(Path(folder) / "temporal.db", port=free_port(), ui_port=None)
        await server.start()
        try:
            figures = await case(server.address, count, patches, acts, signals, size)
        finally:
            await server.stop()
    print(f"{name:>24}: {figures}", flush=True)


def main(count: int) -> None:
    """Each case in a process of its own, so no case's memory is counted in another's."""
    for number in range(len(CASES)):
        subprocess.run(
            [sys.executable, "-m", "bench.core_retention", str(count), str(number)], check=True
        )


if __name__ == "__main__":
    arguments = [int(argument) for argument in sys.argv[1:]]
    if len(arguments) == 2:
        asyncio.run(one_case(arguments[1], arguments[0]))
    else:
        main(arguments[0] if arguments else 500)
