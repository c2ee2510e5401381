"""Helpers for the reliability tests: a webhook receiver that counts deliveries across
processes, a worker in a process of its own that can be killed, and the checks a user relies
on afterwards (a contiguous audit trail, every notification delivered once)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import EventType, TimeoutType, WorkflowTaskFailedCause
from temporalio.client import Client, WorkflowHistory

from safeside.db import Pool
from safeside.settings import Settings
from safeside.temporal import data_converter
from workflows.domain.common import Role

ROOT = Path(__file__).resolve().parents[2]

# The advisory lock space the event store takes per stream (activities/event_store.py).
STREAM_LOCK_SPACE = 7577


@dataclass
class WebhookReceiver:
    """A partner agency's webhook endpoint on 127.0.0.1: it records each request's
    ``Idempotency-Key`` and answers after ``delay`` seconds, so deliveries are in flight."""

    delay: float = 0.0
    received: list[str] = field(default_factory=list)
    in_flight: set[str] = field(default_factory=set)
    _server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def settings_env(self) -> dict[str, str]:
        """SAFESIDE_NOTIFY_* settings sending every role's notifications here."""
        roles = [role.value for role in Role]
        return {
            "SAFESIDE_NOTIFY_CHANNELS": json.dumps(dict.fromkeys(roles, "webhook")),
            "SAFESIDE_NOTIFY_WEBHOOK_URLS": json.dumps({r: f"{self.url}/{r}" for r in roles}),
        }

    def duplicates(self) -> dict[str, int]:
        return {key: n for key, n in Counter(self.received).items() if n > 1}

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        key: str | None = None
        try:
            headers = await _read_request(reader)
            key = headers.get("idempotency-key")
            if key is None:
                writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                return
            self.received.append(key)
            self.in_flight.add(key)
            await asyncio.sleep(self.delay)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the sender died mid-request: what it sent is already counted
        finally:
            if key is not None:
                self.in_flight.discard(key)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


async def _read_request(reader: asyncio.StreamReader) -> dict[str, str]:
    head = await reader.readuntil(b"\r\n\r\n")
    headers = {}
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name:
            headers[name.strip().lower()] = value.strip()
    await reader.readexactly(int(headers.get("content-length", "0")))
    return headers


def clean_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFESIDE_")}
    env.update(settings)
    return env


async def spawn_worker(env: dict[str, str]) -> asyncio.subprocess.Process:
    """``python worker.py`` with exactly ``env``; its standard error (the log, and the one
    line it leaves on a fatal error) piped to the caller."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "worker.py"),
        env=env,
        stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
    )


@dataclass
class WorkerProcess:
    """``python worker.py`` in a process of its own, logging JSON lines."""

    env: dict[str, str]
    logged: list[dict[str, Any]] = field(default_factory=list)
    process: asyncio.subprocess.Process | None = None
    _reading: asyncio.Task[None] | None = None
    _started: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self, within: float = 60.0) -> None:
        self._started.clear()
        self.process = await spawn_worker(self.env | {"SAFESIDE_LOG_FORMAT": "json"})
        self._reading = asyncio.create_task(self._read())
        await asyncio.wait_for(self._started.wait(), within)

    async def _read(self) -> None:
        assert self.process is not None
        assert self.process.stderr is not None
        while line := await self.process.stderr.readline():
            if line.startswith(b"{"):
                record = json.loads(line)
                self.logged.append(record)
                if record.get("event") == "worker started":
                    self._started.set()
        if not self._started.is_set():
            raise AssertionError(f"the worker exited before it started: {self.logged[-5:]}")

    async def kill(self) -> None:
        """SIGKILL: no graceful shutdown, no cleanup, as when a machine loses power."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        assert await self.process.wait() == -signal.SIGKILL
        if self._reading is not None:
            await self._reading

    async def stop(self) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        status = await asyncio.wait_for(self.process.wait(), 60)
        if self._reading is not None:
            await self._reading
        return status


async def versions_by_stream(pool: Pool, streams: list[str]) -> dict[str, list[int]]:
    rows = await pool.fetch(
        """SELECT stream_id, array_agg(version ORDER BY version) AS versions
             FROM events WHERE stream_id = any($1::text[]) GROUP BY stream_id""",
        streams,
    )
    found = {row["stream_id"]: list(row["versions"]) for row in rows}
    return {stream: found.get(stream, []) for stream in streams}


async def outbox_by_status(pool: Pool, streams: list[str]) -> dict[str, set[str]]:
    rows = await pool.fetch(
        "SELECT idempotency_key, status FROM notifications WHERE stream_id = any($1::text[])",
        streams,
    )
    by_status: dict[str, set[str]] = {}
    for row in rows:
        by_status.setdefault(row["status"], set()).add(row["idempotency_key"])
    return by_status


async def eventually(check: Any, within: float, what: str) -> None:
    """Wait until the async ``check()`` is true; real time, since real servers are involved."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"{what} did not happen within {within:.0f} s")
        await asyncio.sleep(0.2)


# Figures for the closing note, printed at the end of the test run (tests/reliability).
FIGURES: Counter[str] = Counter()


def workflow_task_troubles(histories: list[WorkflowHistory]) -> Counter[str]:
    """Workflow tasks that failed or timed out, by cause: a figure that says why, when a
    fault test sees updates refused while a task is retried."""
    troubles: Counter[str] = Counter()
    for history in histories:
        for event in history.events:
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
                cause = event.workflow_task_failed_event_attributes.cause
                troubles[f"workflow tasks failed ({WorkflowTaskFailedCause.Name(cause)})"] += 1
            elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
                kind = event.workflow_task_timed_out_event_attributes.timeout_type
                troubles[f"workflow tasks timed out ({TimeoutType.Name(kind)})"] += 1
    return troubles


def keyed_settings(keyring_env: dict[str, str], **values: Any) -> Settings:
    """Settings with the session's encryption keyring (and ``values``), as a worker has them."""
    return Settings(encryption_key=keyring_env["SAFESIDE_ENCRYPTION_KEY"], **values)


async def connect_client(address: str, keyring_env: dict[str, str]) -> Client:
    return await Client.connect(address, data_converter=data_converter(keyed_settings(keyring_env)))
