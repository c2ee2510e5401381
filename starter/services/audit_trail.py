"""A placement's audit trail (R15), from the events in PostgreSQL alone: it answers while
Temporal is down, and for 75 years after Temporal has forgotten the placement."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from activities.projections import STORED_EVENT_COLUMNS, read_stored_events
from safeside.contracts.activities import StoredEvent
from safeside.db import Pool
from starter.services.paging import DEFAULT_PAGE_SIZE, Params, one_page
from starter.services.placements import PlacementNotFound


class AuditEntry(BaseModel):
    """One event of the chronology (R15): what happened, when, and who did it."""

    model_config = ConfigDict(frozen=True)

    version: int
    occurred_at: datetime
    event_type: str
    actor_role: str
    actor_ref: str
    details: dict[str, Any]
    # A step done before Safeside, recorded by the manager who adopted the placement: the
    # chronology shows it apart from what was recorded as it happened.
    recorded_on_adoption: bool = False


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


async def audit_trail(
    pool: Pool, placement_id: str, *, after_version: int = 0, limit: int = 100
) -> AuditPage:
    """The placement's events in version order."""
    async with pool.acquire() as con:
        events, more = one_page(
            await read_stored_events(con, placement_id, after_version, limit + 1), limit
        )
    if not events and after_version == 0:
        raise _no_trail(placement_id)
    entries = [_audit_entry(event) for event in events]
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
    """The placement's events newest first, only those of ``event_type`` when given, a page
    at a time."""
    param = Params()
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
        raise _no_trail(placement_id)
    page, more = one_page(rows, limit)
    entries = [_audit_entry(StoredEvent.model_validate(dict(row))) for row in page]
    return ChronologyPage(
        placement_id=placement_id,
        entries=entries,
        next_before_version=entries[-1].version if more else None,
    )


def _no_trail(placement_id: str) -> PlacementNotFound:
    return PlacementNotFound(f"there is no audit trail for placement {placement_id}")


_HEADER_FIELDS = frozenset({"stream_id", "version", "occurred_at", "actor", "recorded_on_adoption"})


def _audit_entry(event: StoredEvent) -> AuditEntry:
    return AuditEntry(
        version=event.version,
        occurred_at=event.occurred_at,
        event_type=event.event_type,
        actor_role=event.actor_role,
        actor_ref=event.actor_ref,
        details={k: v for k, v in event.payload.items() if k not in _HEADER_FIELDS},
        recorded_on_adoption=event.payload.get("recorded_on_adoption") is True,
    )
