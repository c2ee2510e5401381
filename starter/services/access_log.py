"""The access log: every read of a placement, recorded before the answer leaves, and listed
for an auditor a page at a time (``0006_access_log.sql``).

An entry goes to PostgreSQL. While PostgreSQL does not answer, the API keeps it in its spool on
local disk (``spool``) and the read goes on; while entries wait there, new ones queue behind them,
and ``drain_spool`` stores them oldest first once PostgreSQL answers, so the log keeps the order
of the reads. Each entry carries the time of its read and a random id, unique in the table, so an
entry stored twice (a write that timed out after it committed, a drain stopped between storing
and taking off the spool) is stored once. With no spool (the command line), or one that cannot
be written, the read is refused: no read without its entry.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

from safeside.db import ANSWER_WITHIN, UNREACHABLE, Connection, Pool
from safeside.log import get_logger, server_unreachable
from safeside.tokens import Principal
from starter.services.paging import KeysetPage, one_page
from starter.services.spool import Spool

if TYPE_CHECKING:
    from starter.services.connection import Services

log = get_logger(__name__)

# The drain stores this many entries a transaction; a spool written by another process of this
# machine is looked at this often; a PostgreSQL that does not answer is tried again after 0.5 s,
# then twice as long each time up to 10 s.
DRAIN_BATCH = 500
DRAIN_POLL_SECONDS = 5.0
DRAIN_RETRY_FIRST, DRAIN_RETRY_LONGEST = 0.5, 10.0


class AccessEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    read_at: datetime
    subject: str
    role: str
    what: str
    placement_id: str | None
    allowed: bool
    # Why a record was opened by break-glass; which unit's handover was read.
    break_glass_reason: str | None = None
    unit_id: str | None = None


class AccessPage(KeysetPage[AccessEntry, int]):
    pass


class LoggedRead(BaseModel):
    """One read to log, as it waits in the spool and as it is stored."""

    model_config = ConfigDict(frozen=True)

    entry_id: UUID = Field(default_factory=uuid4)
    read_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    subject: str
    role: str
    what: str
    placement_id: str | None
    allowed: bool
    break_glass_reason: str | None = None
    unit_id: str | None = None


def read_by(
    principal: Principal,
    what: str,
    placement_id: str | None,
    *,
    allowed: bool,
    break_glass_reason: str | None = None,
    unit_id: str | None = None,
) -> LoggedRead:
    """The entry of ``principal``'s read of ``what`` now."""
    return LoggedRead(
        subject=principal.subject,
        role=principal.role.value,
        what=what,
        placement_id=placement_id,
        allowed=allowed,
        break_glass_reason=break_glass_reason,
        unit_id=unit_id,
    )


async def record_read(services: Services, entry: LoggedRead) -> None:
    """Log the read (``read_by``) before its answer leaves: in PostgreSQL, or in the spool
    (above)."""
    spool = services.access_spool
    if spool is not None and spool.holds_entries():
        spool.append(entry.model_dump_json())  # behind the entries waiting: in order
        return
    try:
        async with asyncio.timeout(ANSWER_WITHIN):
            await store(services.pool, entry)
    except UNREACHABLE as lost:
        if spool is None:
            raise
        spool.append(entry.model_dump_json())
        said = "PostgreSQL did not answer: the access log's entries wait in the spool"
        server_unreachable(log, "PostgreSQL", said, error=type(lost).__name__)


async def store(db: Pool | Connection, *entries: LoggedRead) -> None:
    """Store ``entries`` in order (one already stored is left as it is)."""
    await db.executemany(
        """INSERT INTO access_log (entry_id, read_at, subject, role, what, placement_id,
                                  allowed, break_glass_reason, unit_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (entry_id) DO NOTHING""",
        [
            (
                e.entry_id,
                e.read_at,
                e.subject,
                e.role,
                e.what,
                e.placement_id,
                e.allowed,
                e.break_glass_reason,
                e.unit_id,
            )
            for e in entries
        ],
    )


async def store_waiting(pool: Pool, spool: Spool) -> int:
    """Store the spool's oldest entries in one transaction, then take them off it: how many."""
    waiting = spool.oldest(DRAIN_BATCH)
    if not waiting:
        return 0
    entries = [LoggedRead.model_validate_json(document) for _, document in waiting]
    async with pool.acquire() as con, con.transaction():
        await store(con, *entries)
    spool.remove_through(waiting[-1][0])
    return len(entries)


async def drain_spool(pool: Pool, spool: Spool) -> None:
    """Store the spool's entries in PostgreSQL, oldest first, whenever there are any, until
    cancelled; while PostgreSQL does not answer, try again with a growing pause."""
    pause = DRAIN_RETRY_FIRST
    stored = 0
    while True:
        await spool.wait_for_entries(poll=DRAIN_POLL_SECONDS)
        try:
            batch = await store_waiting(pool, spool)
        except UNREACHABLE as lost:
            said = "PostgreSQL did not answer: the access log's spool waits for it"
            server_unreachable(log, "PostgreSQL", said, error=type(lost).__name__)
            await asyncio.sleep(pause)
            pause = min(pause * 2, DRAIN_RETRY_LONGEST)
            continue
        pause = DRAIN_RETRY_FIRST
        stored += batch
        if not spool.holds_entries():
            log.info("access log: the spool's entries are stored", entries=stored)
            stored = 0


@contextlib.asynccontextmanager
async def spool_drained(services: Services) -> AsyncIterator[None]:
    """The API's spool drained in the background while the block runs (``running_api``)."""
    if services.access_spool is None:
        yield
        return
    draining = asyncio.create_task(drain_spool(services.pool, services.access_spool))
    draining.add_done_callback(_said_if_it_failed)
    try:
        yield
    finally:
        draining.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await draining


def _said_if_it_failed(draining: asyncio.Task[None]) -> None:
    """A drain that fails for another reason than PostgreSQL's silence stops (its entries, and
    the new ones queueing behind them, wait in the spool): said at once, loudly."""
    if not draining.cancelled() and draining.exception() is not None:
        log.error(
            "access log: the spool cannot be drained; its entries wait in it until the API is "
            "restarted",
            exc_info=draining.exception(),
        )


async def list_access_log(
    pool: Pool, *, placement_id: str | None = None, after: int = 0, limit: int = 100
) -> AccessPage:
    """Entries in the order they were written, optionally for one placement."""
    condition = "AND placement_id = $3" if placement_id is not None else ""
    args: list[object] = [after, limit + 1]
    if placement_id is not None:
        args.append(placement_id)
    rows, more = one_page(
        await pool.fetch(
            f"SELECT * FROM access_log WHERE id > $1 {condition} ORDER BY id LIMIT $2", *args
        ),
        limit,
    )
    items = [AccessEntry.model_validate(dict(row)) for row in rows]
    return AccessPage(items=items, next_after=items[-1].id if more else None)
