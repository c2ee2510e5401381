"""The access log: every read of a placement, recorded before the answer leaves, and listed
for an auditor a page at a time (``0006_access_log.sql``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from safeside.db import Connection, Pool
from safeside.tokens import Principal
from starter.services.paging import KeysetPage, one_page


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


async def record_read(
    db: Pool | Connection,
    principal: Principal,
    what: str,
    placement_id: str | None,
    *,
    allowed: bool,
    break_glass_reason: str | None = None,
    unit_id: str | None = None,
) -> None:
    await db.execute(
        """INSERT INTO access_log (subject, role, what, placement_id, allowed,
                                  break_glass_reason, unit_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        principal.subject,
        principal.role.value,
        what,
        placement_id,
        allowed,
        break_glass_reason,
        unit_id,
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
