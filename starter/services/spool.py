"""A durable queue on this machine's disk, where the access log's entries wait, in order, while
PostgreSQL does not answer (``access_log``).

One SQLite file (the standard library's ``sqlite3``) in write-ahead-log mode with
``synchronous=FULL``: an entry is on disk before the read it records is answered (a few
milliseconds, and only while entries wait). The file is made when the first entry waits, readable
by its owner only: an entry names a person and may carry a break-glass reason. Every call is
short and synchronous, on the event loop, so entries come out in the order they went in. A
process of this machine sharing the folder shares the queue: whether entries wait is read from
the file each time.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from safeside.errors import ServiceUnavailable

T = TypeVar("T")

_SCHEMA = """CREATE TABLE IF NOT EXISTS waiting (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    document  TEXT    NOT NULL
)"""


class SpoolUnusable(ServiceUnavailable):
    """The spool cannot be written or read: nothing can be kept there."""


class Spool:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._appended = asyncio.Event()

    def holds_entries(self) -> bool:
        db = self._open(create=False)
        if db is None:
            return False
        held = self._run(lambda: db.execute("SELECT EXISTS (SELECT 1 FROM waiting)").fetchone())
        return bool(held[0])

    def append(self, document: str) -> None:
        """``document`` waits behind every entry before it; on disk when this returns."""
        db = self._open(create=True)
        assert db is not None
        self._run(lambda: db.execute("INSERT INTO waiting (document) VALUES (?)", (document,)))
        self._appended.set()

    def oldest(self, limit: int) -> list[tuple[int, str]]:
        """The first ``limit`` entries waiting, oldest first, each with its place in the queue."""
        db = self._open(create=False)
        if db is None:
            return []
        rows = self._run(
            lambda: db.execute(
                "SELECT seq, document FROM waiting ORDER BY seq LIMIT ?", (limit,)
            ).fetchall()
        )
        return [(int(seq), str(document)) for seq, document in rows]

    def remove_through(self, seq: int) -> None:
        """Every entry up to and including place ``seq`` is stored elsewhere: off the queue."""
        db = self._open(create=False)
        if db is not None:
            self._run(lambda: db.execute("DELETE FROM waiting WHERE seq <= ?", (seq,)))

    async def wait_for_entries(self, *, poll: float) -> None:
        """Until entries wait: at once when this process appends, within ``poll`` seconds when
        another does."""
        while True:
            self._appended.clear()
            if self.holds_entries():
                return
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(poll):
                    await self._appended.wait()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _open(self, *, create: bool) -> sqlite3.Connection | None:
        if self._db is not None:
            return self._db
        if not create and not self.path.exists():
            return None

        def opened() -> sqlite3.Connection:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Owner-only from the start: SQLite gives its -wal and -shm files the same mode.
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
            db = sqlite3.connect(self.path, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute(_SCHEMA)
            return db

        self._db = self._run(opened)
        return self._db

    def _run(self, call: Callable[[], T]) -> T:
        try:
            return call()
        except (sqlite3.Error, OSError) as exc:
            raise SpoolUnusable(
                f"the access log's spool {self.path} cannot be used ({type(exc).__name__}): "
                "check that SAFESIDE_SPOOL_DIR is a writable persistent volume"
            ) from exc
