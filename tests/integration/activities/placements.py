"""Placements driven through the real domain (`decide`, `escalations_due`) and appended to the
event store, the way the placement workflow does it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from activities.event_store import EventStore
from safeside.contracts.activities import AppendBatch, AppendResult, OutboxMessage, StoredEvent
from tests.support.placements import (
    assessment,
    end,
    leaflet,
    new_placement_id,
    observation,
    raise_to_high,
    start_command,
    visit,
)
from workflows.domain.commands import PlacementCommand, StartPlacement
from workflows.domain.common import RiskLevel
from workflows.domain.decide import decide, escalations_due
from workflows.domain.events import PLACEMENT_EVENTS, PlacementEvent
from workflows.domain.notices import notices_for
from workflows.domain.policy import Policy
from workflows.domain.state import PlacementState, evolve, initial_state

POLICY = Policy()
ARRIVED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def stored(event: PlacementEvent) -> StoredEvent:
    return StoredEvent.recording(PLACEMENT_EVENTS, event)


def start(placement_id: str, arrived_at: datetime = ARRIVED, **changes: object) -> StartPlacement:
    """A medium-risk placement, looked after since before ``ARRIVED``; ``changes`` alter its
    facts (validated as a command would be)."""
    facts = start_command(
        placement_id, arrived_at, looked_after_since=date(2026, 2, 28), risk=RiskLevel.medium
    ).model_dump()
    return StartPlacement.model_validate(facts | changes)


def outbox_messages(state_after: PlacementState, event: PlacementEvent) -> list[OutboxMessage]:
    return [
        OutboxMessage.owed(event.stream_id, event.version, notice.recipient.value, notice.purpose)
        for notice in notices_for(state_after, event)
    ]


@dataclass
class Placement:
    """One placement as its workflow sees it: the state in memory, every event it decided."""

    store: EventStore
    stream_id: str = field(default_factory=new_placement_id)
    events: list[PlacementEvent] = field(default_factory=list)
    state: PlacementState | None = None
    state_after: dict[int, PlacementState] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.state = initial_state(self.stream_id)

    @property
    def current(self) -> PlacementState:
        assert self.state is not None
        return self.state

    def decide(self, command: PlacementCommand, now: datetime) -> list[PlacementEvent]:
        events = decide(self.current, command, now=now, policy=POLICY)
        self._apply(events)
        return events

    def escalate(self, now: datetime) -> list[PlacementEvent]:
        events = escalations_due(self.current, now, POLICY)
        self._apply(events)
        return events

    def _apply(self, events: list[PlacementEvent]) -> None:
        for event in events:
            self.state = evolve(self.current, event)
            self.state_after[event.version] = self.state
            self.events.append(event)

    def batch(self, events: list[PlacementEvent]) -> AppendBatch:
        """The batch for `events` (already decided), with the notices each one owes."""
        messages: list[OutboxMessage] = []
        for event in events:
            messages += outbox_messages(self.state_after[event.version], event)
        return AppendBatch(
            stream_id=self.stream_id,
            expected_version=events[0].version - 1 if events else self.current.version,
            events=[stored(event) for event in events],
            notifications=messages,
        )

    async def append(self, events: list[PlacementEvent]) -> AppendResult:
        return await self.store.append(self.batch(events))

    async def record(self, *commands: PlacementCommand, at: datetime) -> AppendResult:
        """Decide each command at `at` and append them all in one batch."""
        events = [event for command in commands for event in self.decide(command, at)]
        return await self.append(events)

    async def escalate_and_append(self, now: datetime) -> AppendResult:
        return await self.append(self.escalate(now))


async def busy_placement(store: EventStore, index: int) -> Placement:
    """A placement with a life of its own: a varied mix of records, escalations and ends."""
    placement = Placement(store)
    arrived = ARRIVED + timedelta(hours=index)
    day = timedelta(days=1)
    await placement.record(
        start(placement.stream_id, arrived, ukvi_relevant=index % 2 == 0), at=arrived
    )
    await placement.escalate_and_append(arrived + timedelta(hours=20))
    await placement.record(leaflet(arrived + timedelta(hours=21)), at=arrived + timedelta(hours=21))
    if index % 2:
        await placement.escalate_and_append(arrived + 3 * day)
    level = RiskLevel.high if index % 3 == 0 else RiskLevel.medium
    at = arrived + 3 * day + timedelta(hours=1)
    await placement.record(assessment(at, level), observation(at, f"LOG-{index}"), at=at)
    if index % 3 == 1:
        await placement.record(raise_to_high(), at=arrived + 5 * day)
    await placement.escalate_and_append(arrived + 9 * day)
    await placement.record(visit(arrived + 9 * day), at=arrived + 9 * day + timedelta(hours=2))
    if index % 4 == 0:
        await placement.record(end(arrived + 10 * day), at=arrived + 10 * day)
    return placement
