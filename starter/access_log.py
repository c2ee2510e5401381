"""The access log: every read of a placement, recorded before the answer leaves, and listed
for an auditor a page at a time (``0006_access_log.sql``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from safeside.db import Pool
from safeside.tokens import Principal
from starter.permissions import VIEWS, View, check_view


class AccessEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    read_at: datetime
    subject: str
    role: str
    what: str
    placement_id: str | None
    allowed: bool


class AccessPage(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: list[AccessEntry]
    # Pass as `after` for the next page; None on the last page.
    next_after: int | None


async def record_read(
    pool: Pool, principal: Principal, what: str, placement_id: str | None, *, allowed: bool
) -> None:
    await pool.execute(
        """INSERT INTO access_log (subject, role, what, placement_id, allowed)
           VALUES ($1, $2, $3, $4, $5)""",
        principal.subject,
        principal.role.value,
        what,
        placement_id,
        allowed,
    )


async def read_placement(pool: Pool, caller: Principal, view: View, placement_id: str) -> None:
    """Before reading ``view`` of a placement: record the read in the access log, allowed or
    refused, then Denied when the permission table refuses it. Nothing is read unlogged."""
    allowed = caller.role in VIEWS[view]
    await record_read(pool, caller, view.value, placement_id, allowed=allowed)
    check_view(caller.role, view)


async def list_access_log(
    pool: Pool, *, placement_id: str | None = None, after: int = 0, limit: int = 100
) -> AccessPage:
    """Entries in the order they were written, optionally for one placement."""
    condition = "AND placement_id = $3" if placement_id is not None else ""
    args: list[object] = [after, limit + 1]
    if placement_id is not None:
        args.append(placement_id)
    rows = await pool.fetch(
        f"SELECT * FROM access_log WHERE id > $1 {condition} ORDER BY id LIMIT $2", *args
    )
    items = [AccessEntry.model_validate(dict(row)) for row in rows[:limit]]
    more = len(rows) > limit
    return AccessPage(items=items, next_after=items[-1].id if more else None)
