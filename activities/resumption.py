"""A stream's workflow started again from PostgreSQL alone, when Temporal no longer has it
running: its database was lost (``safeside recover``), or the unit's workflow was terminated
and a placement reports to it (``activities.unit_activities``).

PostgreSQL is the system of record, so the new run takes what a run hands the next at
continue-as-new, made from the stored stream: the state folded from every stored event, and
the notices those events owe that are neither delivered nor given up on. It resumes at the
stored version with its clocks; escalations already stored are in the state, so they are not
raised again, and steps that fell due meanwhile are raised once by the workflow's first loop.
What a lost run had decided but not yet stored is gone with it: nothing here can bring it back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from pydantic import ValidationError

from activities.errors import StoreUnavailable, UnreadableStream
from activities.projections import read_stored_events
from activities.stream_kinds import stream_kind
from safeside.contracts.activities import OutboxMessage, StoredEvent
from safeside.contracts.workflows import CarriedOver, CarriedUnit, PlacementInput, UnitInput
from safeside.db import Connection, Pool
from workflows.domain.errors import DomainError
from workflows.domain.policy import Policy
from workflows.domain.state import PlacementState, PlacementStatus
from workflows.domain.unit.events import UNIT_STREAM_PREFIX, is_unit_stream
from workflows.domain.unit.policy import UnitPolicy
from workflows.domain.unit.state import UnitState

_DRIVER_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)


@dataclass(frozen=True)
class StoredStream:
    """One stream as PostgreSQL holds it: every stored event, in version order, and the
    notices they owe still pending (neither delivered nor failed)."""

    stream_id: str
    events: Sequence[StoredEvent]
    undelivered: Sequence[OutboxMessage]

    @property
    def is_unit(self) -> bool:
        return is_unit_stream(self.stream_id)


async def stream_ids(pool: Pool) -> list[str]:
    """Every stream in the event store: the units' first (so each is running before its
    placements report to it), then the placements', each in id order."""
    try:
        async with pool.acquire() as con:
            rows = await con.fetch("SELECT DISTINCT stream_id FROM events")
    except _DRIVER_ERRORS as exc:
        raise StoreUnavailable(f"the event store could not be read ({type(exc).__name__})") from exc
    return sorted((row["stream_id"] for row in rows), key=lambda s: (not is_unit_stream(s), s))


async def read_stream(pool: Pool, stream_id: str) -> StoredStream:
    """The stream's events and pending notices, read in one snapshot so the two agree."""
    try:
        async with (
            pool.acquire() as con,
            con.transaction(isolation="repeatable_read", readonly=True),
        ):
            return StoredStream(
                stream_id=stream_id,
                events=await read_stored_events(con, stream_id),
                undelivered=await _pending_notices(con, stream_id),
            )
    except _DRIVER_ERRORS as exc:
        raise StoreUnavailable(
            f"the stream {stream_id} could not be read ({type(exc).__name__})"
        ) from exc


async def _pending_notices(con: Connection, stream_id: str) -> list[OutboxMessage]:
    rows = await con.fetch(
        """SELECT idempotency_key, stream_id, event_version, recipient, purpose
             FROM notifications
            WHERE stream_id = $1 AND status = 'pending'
            ORDER BY event_version, idempotency_key""",
        stream_id,
    )
    return [OutboxMessage.model_validate(dict(row)) for row in rows]


def placement_input(stored: StoredStream, policy: Policy) -> PlacementInput:
    """The placement's next run, carrying its stored state. ``policy`` counts only for a
    placement begun before its policy was recorded in its stream."""
    state: PlacementState = _folded(stored)
    return PlacementInput(
        placement_id=stored.stream_id,
        policy=policy,
        carried=CarriedOver(state=state, undelivered=list(stored.undelivered)),
    )


def is_open(placement: PlacementInput) -> bool:
    """Whether the stream of a ``placement_input`` says the placement has not ended."""
    carried = placement.carried
    return carried is not None and carried.state.status is not PlacementStatus.ended


def unit_input(stored: StoredStream, policy: UnitPolicy | None = None) -> UnitInput:
    """The unit's next run, carrying its stored state; a unit with nothing stored starts new
    (it opens itself). What placements last reported is not stored: each reports again when
    its own run starts, or at its next change."""
    unit_id = stored.stream_id.removeprefix(UNIT_STREAM_PREFIX)
    policy = policy or UnitPolicy()
    if not stored.events:
        return UnitInput(unit_id=unit_id, policy=policy)
    state: UnitState = _folded(stored)
    return UnitInput(
        unit_id=unit_id,
        policy=policy,
        carried=CarriedUnit(state=state, undelivered=list(stored.undelivered)),
    )


def _folded(stored: StoredStream) -> Any:
    # The policies choose a stream's projections, never its fold.
    kind = stream_kind(stored.stream_id, Policy(), UnitPolicy())
    try:
        state, _ = kind.fold(stored.stream_id, stored.events)
    except ValidationError as exc:
        # Where and what kind of problem only: the values themselves may be personal.
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['type']}" for e in exc.errors())
        raise UnreadableStream(
            f"the {kind.name} stream {stored.stream_id} cannot be folded: {problems}"
        ) from exc
    except (DomainError, ValueError) as exc:  # our own messages: ids and versions only
        raise UnreadableStream(
            f"the {kind.name} stream {stored.stream_id} cannot be folded: {exc}"
        ) from exc
    return state
