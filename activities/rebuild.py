"""Rebuilding every projection from the events alone, through each stream's own kind."""

from __future__ import annotations

from collections.abc import Callable

from activities.projections import PROJECTION_TABLES, read_stored_events
from activities.stream_kinds import stream_kind
from activities.unit_projections import UNIT_PROJECTION_TABLES
from safeside.db import Connection, Pool
from workflows.domain.policy import Policy
from workflows.domain.unit.events import is_unit_stream
from workflows.domain.unit.policy import UnitPolicy

ProgressReport = Callable[[int, int], None]


async def rebuild_projections(
    pool: Pool,
    policy: Policy,
    *,
    progress: ProgressReport | None = None,
    report_every: int = 100,
    unit_policy: UnitPolicy | None = None,
) -> int:
    """Empty the projections and refold every placement (then every unit) from ``events``;
    return how many placements.

    One transaction: readers see the old tables until the new ones are complete, and appends
    wait until it commits (TRUNCATE locks the tables, and an append reads its snapshot before
    it writes events), so no event is missed or projected twice.
    """
    async with pool.acquire() as con, con.transaction():
        await con.execute(f"TRUNCATE {', '.join(PROJECTION_TABLES + UNIT_PROJECTION_TABLES)}")
        stream_ids = [
            row["stream_id"]
            for row in await con.fetch("SELECT DISTINCT stream_id FROM events ORDER BY 1")
        ]
        placements = [stream for stream in stream_ids if not is_unit_stream(stream)]
        units = [stream for stream in stream_ids if is_unit_stream(stream)]
        for done, stream_id in enumerate(placements, start=1):
            await _reproject(con, stream_id, policy, unit_policy or UnitPolicy())
            if progress is not None and (done % report_every == 0 or done == len(placements)):
                progress(done, len(placements))
        for stream_id in units:
            await _reproject(con, stream_id, policy, unit_policy or UnitPolicy())
    return len(placements)


async def _reproject(con: Connection, stream_id: str, policy: Policy, unit: UnitPolicy) -> None:
    kind = stream_kind(stream_id, policy, unit)
    state, events = kind.fold(stream_id, await read_stored_events(con, stream_id))
    await kind.project(con, state, events)
