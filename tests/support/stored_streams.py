"""A stream as PostgreSQL holds it, folded as recovery folds it (``activities.resumption``),
for tests to compare with what a workflow answers."""

from __future__ import annotations

from typing import Any

from activities import resumption
from activities.stream_kinds import stream_kind
from safeside.db import Pool
from workflows.domain.policy import Policy
from workflows.domain.unit.policy import UnitPolicy


async def stored_state(pool: Pool, stream_id: str) -> Any:
    """The placement's or unit's state folded from its stored events (version 0: none)."""
    stored = await resumption.read_stream(pool, stream_id)
    state, _ = stream_kind(stream_id, Policy(), UnitPolicy()).fold(stream_id, stored.events)
    return state


async def stored_version(pool: Pool, stream_id: str) -> int:
    version: int = await pool.fetchval(
        "SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1", stream_id
    )
    return version
