"""The Safeside worker process: settings, logging, client, worker, graceful shutdown.

Run it with ``python worker.py`` or ``safeside worker``; it serves whatever servers the
``SAFESIDE_`` settings name. Workers keep no state of their own: run as many as the load needs,
all on the same task queue. With ``SAFESIDE_WORKER_HEALTH_PORT`` set it answers health probes
and serves metrics (``safeside.worker_health``); with ``SAFESIDE_TEMPORAL_METRICS_ADDRESS`` set,
the Temporal SDK's own metrics.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import timedelta

from temporalio.client import Client
from temporalio.worker import Worker

from activities.channels import ChannelRouter, open_channels
from activities.registry import build_activities
from safeside.db import Pool, create_pool
from safeside.errors import SafesideError
from safeside.log import configure_logging, get_logger
from safeside.process_exit import leave
from safeside.settings import Settings
from safeside.temporal import connect
from safeside.worker_health import serving_worker_health
from workflows.registry import WORKFLOWS, workflow_runner

log = get_logger("safeside.worker")

# On SIGTERM, activities already running get this long to finish before they are cancelled.
GRACEFUL_SHUTDOWN = timedelta(seconds=20)


def build_worker(
    client: Client, pool: Pool, settings: Settings, *, channels: ChannelRouter | None = None
) -> Worker:
    """The worker; its notification ``channels`` are the caller's to close (``open_channels``),
    or, not given, built from the settings (tests, where they hold no connections)."""
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        workflow_runner=workflow_runner(),
        activities=build_activities(pool, settings, channels=channels),
        graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
        max_cached_workflows=settings.worker_max_cached_workflows,
        # Unset: the SDK's default (100 slots each).
        max_concurrent_activities=settings.worker_max_concurrent_activities,
        max_concurrent_workflow_tasks=settings.worker_max_concurrent_workflow_tasks,
    )


async def serve(client: Client, pool: Pool, settings: Settings, stop: asyncio.Event) -> None:
    """Run a worker until ``stop`` is set, then shut it down gracefully."""
    async with open_channels(settings) as channels:
        await serve_worker(build_worker(client, pool, settings, channels=channels), settings, stop)


async def serve_worker(worker: Worker, settings: Settings, stop: asyncio.Event) -> None:
    """Run ``worker`` until ``stop`` is set, then shut it down gracefully."""
    run = asyncio.create_task(worker.run())
    stopped = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({run, stopped}, return_when=asyncio.FIRST_COMPLETED)
    if run in done:
        stopped.cancel()
        run.result()  # a worker that stopped by itself has failed: say why
        return
    log.info("worker stopping", task_queue=settings.task_queue)
    await worker.shutdown()
    await run


def stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


async def run_worker(settings: Settings) -> None:
    stop = asyncio.Event()
    stop_on_signals(stop)
    client = await connect(settings, serve_sdk_metrics=True)
    pool = await create_pool(settings.database_dsn)
    try:
        async with open_channels(settings) as channels:
            worker = build_worker(client, pool, settings, channels=channels)
            async with serving_worker_health(client, pool, worker, settings) as health_url:
                log.info(
                    "worker started",
                    temporal=settings.temporal_address,
                    namespace=settings.temporal_namespace,
                    task_queue=settings.task_queue,
                    health=health_url,
                    sdk_metrics=settings.temporal_metrics_address,
                )
                await serve_worker(worker, settings, stop)
    finally:
        await pool.close()
    log.info("worker stopped")


def main() -> int:
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    try:
        asyncio.run(run_worker(settings))
    except SafesideError as exc:
        print(f"safeside worker: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    leave(main())
