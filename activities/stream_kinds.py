"""The two kinds of stream in the one event store: a placement's ("PL-2031") and a unit's
("unit:UNIT-7"). An append is the same for both (lock, version checks, insert, outbox); what
differs is the domain that reads and folds the events, the projections they feed and the
notices' content, chosen here by the stream id. Everything past ``read`` works on typed,
upcast events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from activities.messages import NotificationContent
from activities.notifications import build_content
from activities.projections import load_snapshot, project
from activities.unit_projections import load_unit_snapshot, project_unit, unit_content
from safeside.contracts.activities import OutboxMessage, StoredEvent
from safeside.db import Connection
from workflows.domain.events import PLACEMENT_EVENTS
from workflows.domain.policy import Policy
from workflows.domain.state import evolve, initial_state
from workflows.domain.stream import EventCatalog, StreamEvent
from workflows.domain.unit.events import UNIT_EVENTS, is_unit_stream
from workflows.domain.unit.policy import UnitPolicy
from workflows.domain.unit.state import evolve_unit, initial_unit_state

S = TypeVar("S")
E = TypeVar("E", bound=StreamEvent)


@dataclass(frozen=True)
class StreamKind(Generic[S, E]):
    # "placement" or "unit": how error messages name the stream.
    name: str
    catalog: EventCatalog[E]
    initial: Callable[[str], S]
    evolve: Callable[[S, E], S]
    load_snapshot: Callable[[Connection, str], Awaitable[S | None]]
    project: Callable[[Connection, S, Sequence[E]], Awaitable[None]]
    content: Callable[[S, E, OutboxMessage], NotificationContent]

    def read(self, stored: StoredEvent) -> E:
        return stored.read(self.catalog)

    def fold(self, stream_id: str, stored: Sequence[StoredEvent]) -> tuple[S, list[E]]:
        """The state the stored events make, and the events as read."""
        events = [self.read(event) for event in stored]
        state = self.initial(stream_id)
        for event in events:
            state = self.evolve(state, event)
        return state, events


def stream_kind(stream_id: str, policy: Policy, unit_policy: UnitPolicy) -> StreamKind[Any, Any]:
    if is_unit_stream(stream_id):
        return StreamKind(
            name="unit",
            catalog=UNIT_EVENTS,
            initial=initial_unit_state,
            evolve=evolve_unit,
            load_snapshot=load_unit_snapshot,
            project=partial(project_unit, policy=unit_policy),
            content=unit_content,
        )
    return StreamKind(
        name="placement",
        catalog=PLACEMENT_EVENTS,
        initial=initial_state,
        evolve=evolve,
        load_snapshot=load_snapshot,
        project=partial(project, policy=policy),
        content=build_content,
    )
