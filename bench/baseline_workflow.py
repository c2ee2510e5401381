"""The server's own limit: a workflow that runs one no-op activity and completes.

In a module of its own, because the workflow sandbox re-imports a workflow's module and the
benchmark's module imports things a workflow may not (processes, files).
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow


@activity.defn(name="bench_noop")
async def noop() -> None:
    return None


@workflow.defn(name="BenchBaseline")
class BaselineWorkflow:
    @workflow.run
    async def run(self) -> None:
        await workflow.execute_activity(noop, start_to_close_timeout=timedelta(seconds=30))
