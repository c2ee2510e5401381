"""Run ``safeside dev`` as a real subprocess, the way a user does."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.client import Client

from safeside.embedded.processes import free_port
from safeside.settings import Settings
from safeside.temporal import data_converter

READY_LINE = b"Safeside development stack is running"


@dataclass
class DevStack:
    data_dir: Path
    temporal_port: int = field(default_factory=free_port)
    ui_port: int = field(default_factory=free_port)
    postgres_port: int = field(default_factory=free_port)
    api_port: int = field(default_factory=free_port)
    identity_provider_port: int = field(default_factory=free_port)
    process: asyncio.subprocess.Process | None = None
    output: bytearray = field(default_factory=bytearray)

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SAFESIDE_")}
        env.update(
            SAFESIDE_DATA_DIR=str(self.data_dir),
            SAFESIDE_DEV_TEMPORAL_PORT=str(self.temporal_port),
            SAFESIDE_DEV_UI_PORT=str(self.ui_port),
            SAFESIDE_DEV_POSTGRES_PORT=str(self.postgres_port),
            SAFESIDE_DEV_API_PORT=str(self.api_port),
            SAFESIDE_DEV_IDENTITY_PROVIDER_PORT=str(self.identity_provider_port),
            SAFESIDE_TASK_QUEUE="safeside-placements",
        )
        return env

    @property
    def temporal_address(self) -> str:
        return f"127.0.0.1:{self.temporal_port}"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.identity_provider_port}"

    @property
    def database_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.postgres_port}/safeside"

    async def spawn(self, stderr: int = asyncio.subprocess.STDOUT) -> asyncio.subprocess.Process:
        """``python -m starter.cli dev`` with this stack's settings; its output piped, and its
        errors with it unless ``stderr`` says otherwise."""
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "starter.cli",
            "dev",
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,
        )

    async def temporal_client(self) -> Client:
        """A client of the stack's Temporal server, with the stack's payload codec."""
        settings = Settings(data_dir=self.data_dir)
        return await Client.connect(self.temporal_address, data_converter=data_converter(settings))

    @asynccontextmanager
    async def running(self, stop_with: int = signal.SIGTERM) -> AsyncIterator[DevStack]:
        """The stack started, then stopped by ``stop_with`` when the block ends: it must stop
        cleanly (exit status 0); its output stays to be read."""
        await self.start()
        try:
            yield self
        finally:
            assert await self.stop(stop_with) == 0

    async def start(self, within: float = 90.0) -> None:
        self.output.clear()
        self.process = await self.spawn()
        await asyncio.wait_for(self._read_until_ready(), within)

    async def _read_until_ready(self) -> None:
        assert self.process is not None
        assert self.process.stdout is not None
        while not self._banner_complete():
            chunk = await self.process.stdout.read(4096)
            if not chunk:
                raise RuntimeError(f"safeside dev exited early:\n{self.output.decode()}")
            self.output += chunk
        # Read on in the background so the child never blocks on a full pipe.
        asyncio.get_running_loop().create_task(self._drain())

    def _banner_complete(self) -> bool:
        start = self.output.find(READY_LINE)
        return start >= 0 and b"\n\n" in self.output[start:]

    async def _drain(self) -> None:
        assert self.process is not None
        assert self.process.stdout is not None
        while chunk := await self.process.stdout.read(4096):
            self.output += chunk

    async def stop(self, sig: int = signal.SIGTERM, within: float = 60.0) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(sig)
        return await asyncio.wait_for(self.process.wait(), within)
