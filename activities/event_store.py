"""The PostgreSQL event store: the audit trail of every placement and unit, and its projections.

One append path for both kinds of stream; the stream id says which domain folds the events and
which projections they feed (``activities.stream_kinds``).

An append writes a batch of one stream's events, their outbox rows and the projections in one
transaction, under a per-stream lock so appends to one placement take turns:
- events already stored identically (a retried batch) are skipped; all of them: a no-op;
- a different event at a stored version is a conflict, a batch that does not follow on from
  the last stored version is a gap: both non-retryable, since a retry would fail the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar, cast

import asyncpg
from pydantic import BaseModel, ConfigDict, ValidationError

from activities.errors import (
    ActivityError,
    ConcurrentAppend,
    InvalidBatch,
    StoreUnavailable,
    VersionConflict,
    VersionGap,
)
from activities.projections import read_stored_events
from activities.stream_kinds import StreamKind, stream_kind
from safeside.contracts.activities import (
    AppendBatch,
    AppendResult,
    OutboxMessage,
    StoredEvent,
)
from safeside.db import Connection, Pool
from safeside.log import get_logger
from workflows.domain.errors import DomainError
from workflows.domain.policy import Policy
from workflows.domain.state import PlacementState
from workflows.domain.unit.events import unit_stream_id
from workflows.domain.unit.policy import UnitPolicy
from workflows.domain.unit.state import UnitState

log = get_logger(__name__)

# First key of the two-key advisory lock: keeps stream locks apart from other advisory locks.
_STREAM_LOCK_SPACE = 7577


class PositionedEvent(BaseModel):
    """An event with its global position, for readers that follow every stream."""

    model_config = ConfigDict(frozen=True)

    position: int
    event: StoredEvent


def _check_shape(batch: AppendBatch) -> None:
    """Refuse a batch that could never be stored, before touching the database."""
    stream = batch.stream_id
    for event in batch.events:
        if event.stream_id != stream:
            raise InvalidBatch(
                f"a batch for placement {stream} holds event {event.version} "
                f"of placement {event.stream_id}"
            )
    for event in batch.events:
        try:
            json.dumps(event.payload)
        except (TypeError, ValueError) as exc:
            raise InvalidBatch(
                f"event {event.version} of placement {stream} has a payload that is not JSON "
                f"({type(exc).__name__})"
            ) from exc
    versions = [event.version for event in batch.events]
    expected = list(range(batch.expected_version + 1, batch.expected_version + 1 + len(versions)))
    if versions != expected:
        raise VersionGap(
            f"the batch for placement {stream} must number its events on from version "
            f"{batch.expected_version} without gaps: it holds versions {versions}"
        )
    for message in batch.notifications:
        if message.stream_id != stream or message.event_version not in versions:
            raise InvalidBatch(
                f"notification {message.idempotency_key} is not for an event of this batch "
                f"(placement {stream}, versions {versions})"
            )


def _same_event(stored: StoredEvent, given: StoredEvent) -> bool:
    # Compared as stored: the payload as JSON (jsonb keeps no key order), times as instants.
    return (
        stored.event_type == given.event_type
        and stored.schema_version == given.schema_version
        and stored.occurred_at == given.occurred_at
        and stored.actor_role == given.actor_role
        and stored.actor_ref == given.actor_ref
        and stored.payload == json.loads(json.dumps(given.payload))
    )


class EventStore:
    def __init__(self, pool: Pool, policy: Policy, unit_policy: UnitPolicy | None = None) -> None:
        self._pool = pool
        self._policy = policy
        self._unit_policy = unit_policy or UnitPolicy()

    def _kind(self, stream_id: str) -> StreamKind[Any, Any]:
        return stream_kind(stream_id, self._policy, self._unit_policy)

    async def append(self, batch: AppendBatch) -> AppendResult:
        _check_shape(batch)
        try:
            async with self._pool.acquire() as con, con.transaction():
                result = await self._append_locked(con, batch)
        except ActivityError:
            raise
        except asyncpg.UniqueViolationError as exc:
            raise ConcurrentAppend(
                f"another append to placement {batch.stream_id} stored the same versions first"
            ) from exc
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise StoreUnavailable(
                f"the event store could not append to placement {batch.stream_id} "
                f"({type(exc).__name__})"
            ) from exc
        if result.appended:
            log.info(
                "events appended",
                placement_id=batch.stream_id,
                last_version=result.last_version,
                appended=result.appended,
                notifications=len(batch.notifications),
            )
        return result

    async def _append_locked(self, con: Connection, batch: AppendBatch) -> AppendResult:
        stream = batch.stream_id
        kind = self._kind(stream)
        await con.execute(
            "SELECT pg_advisory_xact_lock($1, hashtext($2))", _STREAM_LOCK_SPACE, stream
        )
        # Read before any write: a projection rebuild holds these tables until it commits.
        snapshot = await kind.load_snapshot(con, stream)
        current: int = await con.fetchval(
            "SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1", stream
        )
        if not batch.events:
            return AppendResult(last_version=current, appended=0)
        if batch.expected_version > current:
            raise VersionGap(
                f"placement {stream} is at version {current}: a batch starting at version "
                f"{batch.expected_version + 1} would leave a gap"
            )
        already = [event for event in batch.events if event.version <= current]
        if already:
            stored = await read_stored_events(
                con, stream, after_version=batch.expected_version, limit=len(already)
            )
            for mine, theirs in zip(stored, already, strict=True):
                if not _same_event(mine, theirs):
                    raise VersionConflict(
                        f"placement {stream} already has a different event at version "
                        f"{mine.version}: reload the placement and decide again"
                    )
        new = [event for event in batch.events if event.version > current]
        if not new:
            return AppendResult(last_version=current, appended=0)

        state = snapshot
        if state is None or state.version != current:
            state, _ = kind.fold(stream, await read_stored_events(con, stream))
        typed = {event.version: self._read(kind, event) for event in batch.events}
        state_after: dict[int, Any] = {}
        for event in new:
            state = self._evolve(kind, state, event, typed[event.version])
            state_after[event.version] = state
        await con.executemany(
            """INSERT INTO events (stream_id, version, event_type, schema_version, occurred_at,
                                   actor_role, actor_ref, payload)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
            [
                (
                    e.stream_id,
                    e.version,
                    e.event_type,
                    e.schema_version,
                    e.occurred_at,
                    e.actor_role,
                    e.actor_ref,
                    e.payload,
                )
                for e in new
            ],
        )
        await kind.project(con, state, [typed[event.version] for event in new])
        await self._write_outbox(con, kind, batch.notifications, typed, state_after, state)
        return AppendResult(last_version=state.version, appended=len(new))

    @staticmethod
    def _read(kind: StreamKind[Any, Any], event: StoredEvent) -> Any:
        return _unreadable_as_invalid(kind, event, lambda: kind.read(event))

    @staticmethod
    def _evolve(kind: StreamKind[Any, Any], state: Any, stored: StoredEvent, event: Any) -> Any:
        return _unreadable_as_invalid(kind, stored, lambda: kind.evolve(state, event))

    @staticmethod
    async def _write_outbox(
        con: Connection,
        kind: StreamKind[Any, Any],
        notifications: list[OutboxMessage],
        events: dict[int, Any],
        state_after: dict[int, Any],
        latest: Any,
    ) -> None:
        def row(message: OutboxMessage) -> tuple[object, ...]:
            state = state_after.get(message.event_version, latest)
            content = kind.content(state, events[message.event_version], message)
            return (
                message.idempotency_key,
                message.stream_id,
                message.event_version,
                message.recipient,
                message.purpose,
                content.model_dump(mode="json"),
            )

        await con.executemany(
            """INSERT INTO notifications (idempotency_key, stream_id, event_version, recipient,
                                          purpose, content)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (idempotency_key) DO NOTHING""",
            [row(message) for message in notifications],
        )

    async def read_stream(
        self, stream_id: str, after_version: int = 0, limit: int | None = None
    ) -> list[StoredEvent]:
        """The placement's audit trail in version order."""
        async with self._pool.acquire() as con:
            return await read_stored_events(con, stream_id, after_version, limit)

    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[PositionedEvent]:
        """Every stream's events in the order they were stored, for readers that follow all."""
        async with self._pool.acquire() as con:
            rows = await con.fetch(
                """SELECT position, stream_id, version, event_type, schema_version,
                          occurred_at, actor_role, actor_ref, payload
                     FROM events WHERE position > $1 ORDER BY position LIMIT $2""",
                after_position,
                limit,
            )
        return [
            PositionedEvent(
                position=row["position"],
                event=StoredEvent.model_validate({k: v for k, v in row.items() if k != "position"}),
            )
            for row in rows
        ]

    async def load_state(self, stream_id: str) -> PlacementState:
        """The placement's state folded from PostgreSQL alone (version 0 if it has no events)."""
        state, _ = self._kind(stream_id).fold(stream_id, await self.read_stream(stream_id))
        return cast(PlacementState, state)

    async def load_unit_state(self, unit_id: str) -> UnitState:
        """The unit's state folded from PostgreSQL alone (version 0 if it has no events)."""
        stream_id = unit_stream_id(unit_id)
        state, _ = self._kind(stream_id).fold(stream_id, await self.read_stream(stream_id))
        return cast(UnitState, state)

    async def current_version(self, stream_id: str) -> int:
        async with self._pool.acquire() as con:
            version: int = await con.fetchval(
                "SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1", stream_id
            )
        return version


T = TypeVar("T")


def _unreadable_as_invalid(
    kind: StreamKind[Any, Any], event: StoredEvent, step: Callable[[], T]
) -> T:
    """Run ``step`` (reading or folding ``event``); an event the domain cannot take is a batch
    that can never be stored."""

    def unreadable(reason: str) -> InvalidBatch:
        return InvalidBatch(
            f"event {event.version} of {kind.name} {event.stream_id} "
            f"({event.event_type}) cannot be stored: {reason}"
        )

    try:
        return step()
    except ValidationError as exc:
        # Only where and what kind of problem: the values themselves may be personal.
        problems = (f"{'.'.join(map(str, e['loc']))}: {e['type']}" for e in exc.errors())
        raise unreadable("; ".join(problems)) from exc
    except (DomainError, ValueError) as exc:
        raise unreadable(str(exc)) from exc  # our own messages: ids and versions only
