"""Placements driven through the real domain (`decide`, `escalations_due`) and appended to the
event store, the way the placement workflow does it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from activities.contracts import AppendBatch, AppendResult, OutboxMessage, StoredEvent
from activities.event_store import EventStore
from workflows.domain.commands import (
    ChangeRiskLevel,
    EndPlacement,
    PlacementCommand,
    ProposeVisitor,
    RecordLeafletDelivered,
    RecordObservation,
    RecordReturn,
    RecordReturnInterview,
    RecordRiskAssessment,
    RecordSocialWorkerVisit,
    RecordUnverifiedVisitAttempt,
    RecordVisit,
    RecordVisitorVerified,
    ReportMissing,
    StartPlacement,
)
from workflows.domain.common import Actor, MissingKind, PoliceRiskGrade, RiskLevel, Role
from workflows.domain.decide import decide, escalations_due
from workflows.domain.events import PlacementEvent, event_to_stored
from workflows.domain.notices import notices_for
from workflows.domain.policy import Policy
from workflows.domain.state import PlacementState, evolve, initial_state

POLICY = Policy()
ARRIVED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MANAGER = Actor(role=Role.registered_manager, reference="staff-01")
KEY_WORKER = Actor(role=Role.key_worker, reference="staff-17")
SOCIAL_WORKER = Actor(role=Role.social_worker, reference="sw-204")


def new_placement_id() -> str:
    return f"PL-{uuid.uuid4().hex[:10]}"


def stored(event: PlacementEvent) -> StoredEvent:
    type_name, schema_version, payload = event_to_stored(event)
    return StoredEvent(
        stream_id=event.stream_id,
        version=event.version,
        event_type=type_name,
        schema_version=schema_version,
        occurred_at=event.occurred_at,
        actor_role=event.actor.role.value,
        actor_ref=event.actor.reference,
        payload=payload,
    )


def start(placement_id: str, arrived_at: datetime = ARRIVED, **changes: object) -> StartPlacement:
    facts: dict[str, object] = {
        "actor": MANAGER,
        "placement_id": placement_id,
        "case_reference": f"CASE-{placement_id}",
        "unit_id": "UNIT-7",
        "first_language": "Tigrinya",
        "looked_after_since": date(2026, 2, 28),
        "arrived_at": arrived_at,
        "placing_authority": "Example Borough Council",
        "social_worker_reference": "sw-204",
        "initial_risk_level": RiskLevel.medium,
        "ukvi_relevant": True,
    }
    return StartPlacement.model_validate(facts | changes)


def leaflet(at: datetime) -> RecordLeafletDelivered:
    return RecordLeafletDelivered(
        actor=KEY_WORKER,
        language="Tigrinya",
        interpreter_reference="INT-55",
        child_understanding="understood, asked about phones",
        delivered_at=at,
    )


def assessment(at: datetime, level: RiskLevel = RiskLevel.medium) -> RecordRiskAssessment:
    return RecordRiskAssessment(
        actor=KEY_WORKER,
        level=level,
        factors=("unknown adult called the unit",),
        child_participated=True,
        child_views="wants to stay",
        assessed_at=at,
    )


def observation(at: datetime, note: str = "LOG-1") -> RecordObservation:
    return RecordObservation(
        actor=KEY_WORKER, category="waiting_car", note_reference_or_text=note, observed_at=at
    )


def visit(at: datetime) -> RecordSocialWorkerVisit:
    return RecordSocialWorkerVisit(
        actor=SOCIAL_WORKER,
        visited_at=at,
        social_worker_reference="sw-204",
        child_seen_alone=True,
    )


def raise_to_high() -> ChangeRiskLevel:
    return ChangeRiskLevel(actor=MANAGER, to_level=RiskLevel.high, reason="car seen twice")


def end(at: datetime) -> EndPlacement:
    return EndPlacement(actor=MANAGER, reason="moved", ended_at=at)


def report_missing(
    last_seen_at: datetime,
    *,
    place: str = "PLACE-REF-1",
    kind: MissingKind = MissingKind.missing,
    whereabouts: str | None = None,
) -> ReportMissing:
    return ReportMissing(
        actor=KEY_WORKER,
        kind=kind,
        last_seen_at=last_seen_at,
        last_seen_place_reference=place,
        circumstances="did not come back from college",
        police_risk_grade=PoliceRiskGrade.high,
        clothing_reference="PHIL-2-0042" if kind is MissingKind.missing else None,
        description_reference="PHIL-1-0007",
        known_whereabouts_reference=whereabouts,
    )


def record_return(returned_at: datetime, *, where: str = "FOUND-REF-1") -> RecordReturn:
    return RecordReturn(
        actor=KEY_WORKER,
        returned_at=returned_at,
        found_by_reference="police",
        where_found_reference=where,
    )


def return_interview(episode_id: str, held_at: datetime) -> RecordReturnInterview:
    return RecordReturnInterview(
        actor=SOCIAL_WORKER,
        episode_id=episode_id,
        held_at=held_at,
        interviewer_reference="RHI-independent-3",
        child_views="was frightened; wants to stay",
    )


def propose_visitor(visitor: str) -> ProposeVisitor:
    return ProposeVisitor(actor=KEY_WORKER, visitor_reference=visitor, stated_relationship="uncle")


def verify_visitor(visitor: str, at: datetime) -> RecordVisitorVerified:
    return RecordVisitorVerified(
        actor=SOCIAL_WORKER,
        visitor_reference=visitor,
        interviewed_at=at,
        identity_established=True,
        relationship_established=True,
        police_check_reference="PNC-778",
    )


def visit_by(visitor: str, at: datetime) -> RecordVisit:
    return RecordVisit(actor=KEY_WORKER, visitor_reference=visitor, visited_at=at)


def turned_away(visitor: str, at: datetime) -> RecordUnverifiedVisitAttempt:
    return RecordUnverifiedVisitAttempt(
        actor=KEY_WORKER, visitor_reference=visitor, attempted_at=at
    )


def outbox_messages(state_after: PlacementState, event: PlacementEvent) -> list[OutboxMessage]:
    return [
        OutboxMessage(
            idempotency_key=OutboxMessage.key_for(event.stream_id, event.version, notice.recipient),
            stream_id=event.stream_id,
            event_version=event.version,
            recipient=notice.recipient.value,
            purpose=notice.purpose,
        )
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
