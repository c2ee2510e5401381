"""The two kinds of stream in the one event store: a placement's ("PL-2031") and a unit's
("unit:UNIT-7"). An append is the same for both (lock, version checks, insert, outbox); what
differs is the domain that folds the events, the projections they feed and the notices'
content, chosen here by the stream id."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from activities.contracts import OutboxMessage, StoredEvent, from_stored_event
from activities.messages import NotificationContent
from activities.notifications import build_content
from activities.projections import Connection, fold_stored, load_snapshot, project
from activities.unit_projections import (
    evolve_unit_stored,
    fold_unit_stored,
    load_unit_snapshot,
    project_unit,
    unit_content,
)
from workflows.domain.policy import Policy
from workflows.domain.state import evolve
from workflows.domain.unit.events import is_unit_stream
from workflows.domain.unit.policy import UnitPolicy


@dataclass(frozen=True)
class StreamKind:
    # "placement" or "unit": how error messages name the stream.
    name: str
    load_snapshot: Callable[[Connection, str], Awaitable[Any]]
    fold: Callable[[str, Sequence[StoredEvent]], Any]
    evolve: Callable[[Any, StoredEvent], Any]
    project: Callable[[Connection, Any, Sequence[StoredEvent]], Awaitable[None]]
    content: Callable[[Any, StoredEvent, OutboxMessage], NotificationContent]


def _evolve_placement(state: Any, event: StoredEvent) -> Any:
    return evolve(state, from_stored_event(event))


def stream_kind(stream_id: str, policy: Policy, unit_policy: UnitPolicy) -> StreamKind:
    if is_unit_stream(stream_id):
        return StreamKind(
            name="unit",
            load_snapshot=load_unit_snapshot,
            fold=fold_unit_stored,
            evolve=evolve_unit_stored,
            project=partial(project_unit, policy=unit_policy),
            content=unit_content,
        )
    return StreamKind(
        name="placement",
        load_snapshot=load_snapshot,
        fold=fold_stored,
        evolve=_evolve_placement,
        project=partial(project, policy=policy),
        content=build_content,
    )
