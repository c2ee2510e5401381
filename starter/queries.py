"""Reads over PostgreSQL for lists and audit trails: the projections and the events.

Live state of one placement comes from its workflow (``starter.placements``); what spans many
placements, or must outlive Temporal's history, comes from here. Lists are keyset-paged, so a
page costs the same on the ten-thousandth placement as on the first (indexes in
``0003_api.sql``).
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from activities.contracts import StoredEvent
from activities.projections import STORED_EVENT_COLUMNS, PlacementOverview, read_stored_events
from safeside.db import Pool
from starter.placements import PlacementNotFound

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
DeadlineStatus = Literal["due", "overdue"]

_OVERDUE = (
    "EXISTS (SELECT 1 FROM open_deadlines d WHERE d.stream_id = o.stream_id AND d.due_at < now())"
)


class PlacementPage(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: list[PlacementOverview]
    # Pass as `after` for the next page; None on the last page.
    next_after: str | None


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


class DeadlinePage(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: list[OpenDeadline]
    next_after: str | None


class AuditEntry(BaseModel):
    """One event of the chronology (R15): what happened, when, and who did it."""

    model_config = ConfigDict(frozen=True)

    version: int
    occurred_at: datetime
    event_type: str
    actor_role: str
    actor_ref: str
    details: dict[str, Any]


class AuditPage(BaseModel):
    model_config = ConfigDict(frozen=True)

    placement_id: str
    entries: list[AuditEntry]
    next_after_version: int | None


class ChronologyPage(BaseModel):
    """The audit trail newest first, as a person reads a chronology."""

    model_config = ConfigDict(frozen=True)

    placement_id: str
    entries: list[AuditEntry]
    # Pass as `before_version` for the next (older) page; None on the last page.
    next_before_version: int | None


class BadCursor(ValueError):
    pass


class _Params:
    """Numbered query parameters, so conditions are added only when a filter is used (a
    catch-all ``$1 IS NULL OR ...`` would keep PostgreSQL from choosing the index)."""

    def __init__(self) -> None:
        self.values: list[object] = []

    def __call__(self, value: object) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


async def list_placements(
    pool: Pool,
    *,
    unit: str | None = None,
    overdue: bool = False,
    missing: bool = False,
    after: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> PlacementPage:
    """Placements in id order, filtered; each with its overdue count as of now."""
    param = _Params()
    conditions = []
    if unit is not None:
        conditions.append(f"o.unit_id = {param(unit)}")
    if missing:
        conditions.append("o.missing")
    if overdue:
        conditions.append(_OVERDUE)
    if after is not None:
        conditions.append(f"o.stream_id > {param(after)}")
    where = " AND ".join(conditions) or "true"
    sql = (
        f"SELECT * FROM placement_overview o WHERE {where} "
        f"ORDER BY o.stream_id LIMIT {param(limit + 1)}"
    )
    async with pool.acquire() as con:
        rows = await con.fetch(sql, *param.values)
    items = [PlacementOverview.model_validate(dict(row)) for row in rows[:limit]]
    more = len(rows) > limit
    return PlacementPage(items=items, next_after=items[-1].stream_id if more else None)


async def list_deadlines(
    pool: Pool,
    *,
    status: DeadlineStatus | None = None,
    unit: str | None = None,
    after: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
    due_before: datetime | None = None,
) -> DeadlinePage:
    """Open deadlines across placements, soonest first: all, only those still in time
    (``due``) or only those past due (``overdue``); only those due before ``due_before``."""
    param = _Params()
    conditions = []
    if status == "due":
        conditions.append("d.due_at >= now()")
    elif status == "overdue":
        conditions.append("d.due_at < now()")
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
    where = " AND ".join(conditions) or "true"
    sql = f"""SELECT d.stream_id AS placement_id, d.deadline_id, d.kind, d.requirement, d.due_at,
                     d.responsible_role, d.next_step_name, d.next_step_at,
                     d.due_at < now() AS overdue
                FROM open_deadlines d WHERE {where}
               ORDER BY d.due_at, d.stream_id, d.deadline_id LIMIT {param(limit + 1)}"""
    async with pool.acquire() as con:
        rows = await con.fetch(sql, *param.values)
    items = [OpenDeadline.model_validate(dict(row)) for row in rows[:limit]]
    more = len(rows) > limit
    return DeadlinePage(items=items, next_after=_deadline_cursor(items[-1]) if more else None)


async def audit_trail(
    pool: Pool, placement_id: str, *, after_version: int = 0, limit: int = 100
) -> AuditPage:
    """The placement's events in version order, from PostgreSQL alone: it answers while
    Temporal is down, and for 75 years after Temporal has forgotten the placement."""
    async with pool.acquire() as con:
        events = await read_stored_events(con, placement_id, after_version, limit + 1)
    if not events and after_version == 0:
        raise PlacementNotFound(f"there is no audit trail for placement {placement_id}")
    entries = [_audit_entry(event) for event in events[:limit]]
    more = len(events) > limit
    return AuditPage(
        placement_id=placement_id,
        entries=entries,
        next_after_version=entries[-1].version if more else None,
    )


async def chronology(
    pool: Pool,
    placement_id: str,
    *,
    event_type: str | None = None,
    before_version: int | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> ChronologyPage:
    """The placement's events newest first, only those of ``event_type`` when given, from
    PostgreSQL alone (like ``audit_trail``), a page at a time."""
    param = _Params()
    conditions = [f"stream_id = {param(placement_id)}"]
    if event_type is not None:
        conditions.append(f"event_type = {param(event_type)}")
    if before_version is not None:
        conditions.append(f"version < {param(before_version)}")
    sql = f"""SELECT {STORED_EVENT_COLUMNS}
                FROM events WHERE {" AND ".join(conditions)}
               ORDER BY version DESC LIMIT {param(limit + 1)}"""
    async with pool.acquire() as con:
        rows = await con.fetch(sql, *param.values)
        known = bool(rows) or await con.fetchval(
            "SELECT EXISTS (SELECT 1 FROM events WHERE stream_id = $1)", placement_id
        )
    if not known:
        raise PlacementNotFound(f"there is no audit trail for placement {placement_id}")
    entries = [_audit_entry(StoredEvent.model_validate(dict(row))) for row in rows[:limit]]
    more = len(rows) > limit
    return ChronologyPage(
        placement_id=placement_id,
        entries=entries,
        next_before_version=entries[-1].version if more else None,
    )


_HEADER_FIELDS = frozenset({"stream_id", "version", "occurred_at", "actor"})


def _audit_entry(event: StoredEvent) -> AuditEntry:
    return AuditEntry(
        version=event.version,
        occurred_at=event.occurred_at,
        event_type=event.event_type,
        actor_role=event.actor_role,
        actor_ref=event.actor_ref,
        details={k: v for k, v in event.payload.items() if k not in _HEADER_FIELDS},
    )


def _deadline_cursor(deadline: OpenDeadline) -> str:
    key = [deadline.due_at.isoformat(), deadline.placement_id, deadline.deadline_id]
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def _decode_deadline_cursor(cursor: str) -> tuple[datetime, str, str]:
    try:
        due_at, stream_id, deadline_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return datetime.fromisoformat(due_at), str(stream_id), str(deadline_id)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise BadCursor("not a cursor from a previous page: pass next_after as it came") from exc
