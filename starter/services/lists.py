"""Lists across placements, from the projections in PostgreSQL: placements and their open
deadlines, keyset-paged (``starter.services.paging``). Live state of one placement comes from
its workflow (``starter.services.placements``)."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Literal, TypedDict

from pydantic import BaseModel, ConfigDict

from activities.projections import PlacementOverview
from safeside.db import Pool
from safeside.tokens import Principal
from starter.services.paging import DEFAULT_PAGE_SIZE, KeysetPage, Params, one_page
from starter.services.relationships import visible_placements
from workflows.domain.state import PlacementStatus

DeadlineStatus = Literal["due", "overdue"]

# Overdue: past its due time, and not a watch (a missing episode runs until the child returns,
# so nobody can be late for it; Today shows it under "Missing now" with its ladder instead).
_IS_OVERDUE = "(d.due_at < now() AND NOT d.watch)"
_OVERDUE = (
    f"EXISTS (SELECT 1 FROM open_deadlines d WHERE d.stream_id = o.stream_id AND {_IS_OVERDUE})"
)


class PlacementPage(KeysetPage[PlacementOverview, str]):
    pass


class OpenDeadline(BaseModel):
    """A running deadline of an open placement, as the projections hold it."""

    model_config = ConfigDict(frozen=True)

    placement_id: str
    deadline_id: str
    kind: str
    requirement: str
    due_at: datetime
    responsible_role: str
    next_step_name: str | None
    next_step_at: datetime | None
    overdue: bool
    watch: bool


class DeadlinePage(KeysetPage[OpenDeadline, str]):
    pass


class BadCursor(ValueError):
    pass


class PlacementFilters(TypedDict, total=False):
    """What ``list_placements`` takes beside the pool, for a caller to pass on."""

    unit: str | None
    overdue: bool
    missing: bool
    ended: bool | None
    after: str | None
    limit: int


class DeadlineFilters(TypedDict, total=False):
    """What ``list_deadlines`` takes beside the pool, for a caller to pass on."""

    status: DeadlineStatus | None
    unit: str | None
    after: str | None
    limit: int
    due_before: datetime | None


async def list_placements(
    pool: Pool,
    caller: Principal,
    *,
    unit: str | None = None,
    overdue: bool = False,
    missing: bool = False,
    ended: bool | None = None,
    after: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> PlacementPage:
    """The placements the caller may see, in id order, filtered (``ended``: only those that
    ended, or only those that did not); each with its overdue count as of now."""
    param = Params()
    conditions = [visible_placements(caller, "o.stream_id", param)]
    if unit is not None:
        conditions.append(f"o.unit_id = {param(unit)}")
    if missing:
        conditions.append("o.missing")
    if overdue:
        conditions.append(_OVERDUE)
    if ended is not None:
        conditions.append(f"o.status {'=' if ended else '<>'} {param(PlacementStatus.ended.value)}")
    if after is not None:
        conditions.append(f"o.stream_id > {param(after)}")
    where = " AND ".join(conditions)
    sql = (
        f"SELECT * FROM placement_overview o WHERE {where} "
        f"ORDER BY o.stream_id LIMIT {param(limit + 1)}"
    )
    async with pool.acquire() as con:
        rows, more = one_page(await con.fetch(sql, *param.values), limit)
    items = [PlacementOverview.model_validate(dict(row)) for row in rows]
    return PlacementPage(items=items, next_after=items[-1].stream_id if more else None)


async def list_deadlines(
    pool: Pool,
    caller: Principal,
    *,
    status: DeadlineStatus | None = None,
    unit: str | None = None,
    after: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
    due_before: datetime | None = None,
) -> DeadlinePage:
    """Open deadlines across placements, soonest first: all, only those still in time
    (``due``) or only those someone has missed (``overdue``: past due, never a watch); only
    those due before ``due_before``; of the placements the caller may see."""
    param = Params()
    conditions = [visible_placements(caller, "d.stream_id", param)]
    if status == "due":
        conditions.append("d.due_at >= now()")
    elif status == "overdue":
        conditions.append(_IS_OVERDUE)
    if due_before is not None:
        conditions.append(f"d.due_at < {param(due_before)}")
    if unit is not None:
        conditions.append(
            f"EXISTS (SELECT 1 FROM placements p WHERE p.stream_id = d.stream_id "
            f"AND p.unit_id = {param(unit)})"
        )
    if after is not None:
        due_at, stream_id, deadline_id = _decode_deadline_cursor(after)
        conditions.append(
            f"(d.due_at, d.stream_id, d.deadline_id) > "
            f"({param(due_at)}, {param(stream_id)}, {param(deadline_id)})"
        )
    where = " AND ".join(conditions)
    sql = f"""SELECT d.stream_id AS placement_id, d.deadline_id, d.kind, d.requirement, d.due_at,
                     d.responsible_role, d.next_step_name, d.next_step_at,
                     {_IS_OVERDUE} AS overdue, d.watch
                FROM open_deadlines d WHERE {where}
               ORDER BY d.due_at, d.stream_id, d.deadline_id LIMIT {param(limit + 1)}"""
    async with pool.acquire() as con:
        rows, more = one_page(await con.fetch(sql, *param.values), limit)
    items = [OpenDeadline.model_validate(dict(row)) for row in rows]
    return DeadlinePage(items=items, next_after=_deadline_cursor(items[-1]) if more else None)


def _deadline_cursor(deadline: OpenDeadline) -> str:
    key = [deadline.due_at.isoformat(), deadline.placement_id, deadline.deadline_id]
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def _decode_deadline_cursor(cursor: str) -> tuple[datetime, str, str]:
    try:
        due_at, stream_id, deadline_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        when, stream_id, deadline_id = (
            datetime.fromisoformat(due_at),
            str(stream_id),
            str(deadline_id),
        )
    except (binascii.Error, ValueError, TypeError) as exc:
        raise BadCursor("not a cursor from a previous page: pass next_after as it came") from exc
    # Cursors are written with an aware time and ids PostgreSQL's text can hold (no NUL).
    if when.tzinfo is None or "\x00" in stream_id + deadline_id:
        raise BadCursor("not a cursor from a previous page: pass next_after as it came")
    return when, stream_id, deadline_id
