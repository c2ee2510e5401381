"""Builders shared by the placement domain's tests: one child's start facts, the people who
act, event headers, and deciding, folding and running the clock the way the workflow does."""

from datetime import UTC, date, datetime, timedelta

import pytest

from workflows.domain.commands import (
    PlacementCommand,
    RecordLeafletDelivered,
    RecordReturn,
    RecordRiskAssessment,
    ReportMissing,
    StartPlacement,
)
from workflows.domain.common import Actor, MissingKind, PoliceRiskGrade, RiskLevel, Role
from workflows.domain.deadlines import Deadline, due, next_wake_at
from workflows.domain.decide import decide, escalations_due
from workflows.domain.errors import DomainError, FieldsRefused
from workflows.domain.events import (
    DeadlineMissed,
    EscalationRaised,
    PlacementEvent,
    PlacementStarted,
)
from workflows.domain.policy import Policy
from workflows.domain.state import PlacementState, fold, initial_state

POLICY = Policy()
PLACEMENT = "pl-0001"
# Monday 2 March 2026, 18:30 in London (GMT, so the same in UTC).
ARRIVED = datetime(2026, 3, 2, 18, 30, tzinfo=UTC)
NOW = ARRIVED + timedelta(hours=6)
HOUR = timedelta(hours=1)
MANAGER = Actor(role=Role.registered_manager, reference="staff-017")
KEY_WORKER = Actor(role=Role.key_worker, reference="staff-021")
DUTY_MANAGER = Actor(role=Role.duty_manager, reference="staff-009")
SOCIAL_WORKER = Actor(role=Role.social_worker, reference="sw-3301")
# A distinctive place: tests search every output for it.
PLACE = "PLACE-7Q Harrow Road bus stop"


def in_utc(moment: str) -> datetime:
    """A moment written "2026-03-06 16:45", in UTC."""
    return datetime.fromisoformat(moment).replace(tzinfo=UTC)


def start_facts(**changes: object) -> dict[str, object]:
    """The facts a placement starts with; `changes` replace any of them."""
    facts: dict[str, object] = {
        "placement_id": PLACEMENT,
        "case_reference": "case-88231",
        "unit_id": "unit-north-02",
        "first_language": "Tigrinya",
        "looked_after_since": date(2026, 3, 1),
        "arrived_at": ARRIVED,
        "placing_authority": "Example County Council",
        "social_worker_reference": "sw-3301",
        "initial_risk_level": RiskLevel.medium,
        "ukvi_relevant": True,
    }
    return facts | changes


def start_command(**changes: object) -> StartPlacement:
    """The manager starts the placement; `changes` replace any fact, or the actor."""
    return StartPlacement.model_validate({"actor": MANAGER, **start_facts()} | changes)


def started(policy: Policy = POLICY, **changes: object) -> PlacementState:
    """A placement started on arrival, with the facts `changes` replace."""
    command = start_command(**changes)
    state = initial_state(command.placement_id)
    return fold(decide(state, command, now=command.arrived_at, policy=policy), state)


def event_header(
    version: int = 1, *, actor: Actor = KEY_WORKER, stream_id: str = PLACEMENT
) -> dict[str, object]:
    return {"stream_id": stream_id, "version": version, "occurred_at": ARRIVED, "actor": actor}


def placement_started(
    version: int = 1, *, actor: Actor = KEY_WORKER, **changes: object
) -> PlacementStarted:
    """The start event itself, as stored; `changes` replace any of the start facts."""
    return PlacementStarted.model_validate(
        event_header(version, actor=actor) | start_facts(**changes)
    )


def deadline(state: PlacementState, deadline_id: str, now: datetime = ARRIVED) -> Deadline:
    """The open deadline with this id, as `due` gives it at `now`."""
    (found,) = [item for item in due(state, now, POLICY) if item.deadline_id == deadline_id]
    return found


def assess(state: PlacementState, at: datetime, level: RiskLevel) -> PlacementState:
    command = assessment(
        level=level,
        factors=("phone calls from unknown adults",),
        child_views="wants to phone an aunt",
        assessed_at=at,
    )
    return apply(state, command, now=at)


def assessment(**changes: object) -> RecordRiskAssessment:
    fields: dict[str, object] = {
        "actor": KEY_WORKER,
        "level": RiskLevel.medium,
        "factors": ("unknown adult asked for the child by phone",),
        "child_participated": True,
        "child_views": "wants to stay and go to college",
        "assessed_at": ARRIVED + timedelta(hours=5),
    }
    return RecordRiskAssessment.model_validate(fields | changes)


def assessed() -> PlacementState:
    return apply(started(), assessment())


def leaflet(**changes: object) -> RecordLeafletDelivered:
    fields: dict[str, object] = {
        "actor": KEY_WORKER,
        "language": "Tigrinya",
        "interpreter_reference": "int-5521",
        "child_understanding": "understood; asked about phones",
        "delivered_at": ARRIVED + timedelta(hours=3),
    }
    return RecordLeafletDelivered.model_validate(fields | changes)


def escalation_raised(
    version: int, *, actor: Actor = KEY_WORKER, **changes: object
) -> EscalationRaised:
    """A step raised for the leaflet's deadline, to the Duty Manager; `changes` say otherwise."""
    fields: dict[str, object] = {
        "deadline_id": "leaflet",
        "kind": "leaflet",
        "step_index": 1,
        "step_name": "duty_manager",
        "notify_role": Role.duty_manager,
        "due_at": ARRIVED,
    }
    return EscalationRaised.model_validate(event_header(version, actor=actor) | fields | changes)


def decided(
    state: PlacementState, command: PlacementCommand, now: datetime = NOW, policy: Policy = POLICY
) -> list[PlacementEvent]:
    return decide(state, command, now=now, policy=policy)


def apply(
    state: PlacementState, command: PlacementCommand, now: datetime = NOW, policy: Policy = POLICY
) -> PlacementState:
    return fold(decided(state, command, now, policy), state)


def refusal(
    state: PlacementState, command: PlacementCommand, now: datetime = NOW, policy: Policy = POLICY
) -> str:
    with pytest.raises(DomainError) as refused:
        decide(state, command, now=now, policy=policy)
    return str(refused.value)


def field_refusals(
    state: PlacementState, command: PlacementCommand, now: datetime = NOW, policy: Policy = POLICY
) -> dict[str, str]:
    """Every field the domain refused in `command`, with what it said."""
    with pytest.raises(FieldsRefused) as refused:
        decide(state, command, now=now, policy=policy)
    return dict(refused.value.problems)


def run_clock(
    state: PlacementState, start: datetime, until: datetime, policy: Policy = POLICY
) -> tuple[PlacementState, list[PlacementEvent]]:
    """Behave like the workflow: raise what is due, then sleep until the next wake time."""
    raised: list[PlacementEvent] = []
    now = start
    while True:
        events = escalations_due(state, now, policy)
        state = fold(events, state)
        raised.extend(events)
        wake = next_wake_at(state, now, policy)
        if wake is None or wake > until:
            return state, raised
        assert wake > now
        now = wake


def steps_for(events: list[PlacementEvent], deadline_id: str) -> list[tuple[str, Role | None]]:
    """Each step raised for the deadline and whom it told; ("missed", None) for its expiry."""
    return [
        (event.step_name, event.notify_role)
        if isinstance(event, EscalationRaised)
        else ("missed", None)
        for event in events
        if isinstance(event, EscalationRaised | DeadlineMissed) and event.deadline_id == deadline_id
    ]


def step_names(events: list[PlacementEvent], deadline_id: str) -> list[str]:
    """The names of the steps raised for the deadline, "missed" for its expiry."""
    return [name for name, _ in steps_for(events, deadline_id)]


def report_missing(**changes: object) -> ReportMissing:
    fields: dict[str, object] = {
        "actor": KEY_WORKER,
        "kind": MissingKind.missing,
        "last_seen_at": NOW - 2 * HOUR,
        "last_seen_place_reference": PLACE,
        "circumstances": "left for college and did not arrive",
        "police_risk_grade": PoliceRiskGrade.high,
        "clothing_reference": "PHIL-2-0042",
        "description_reference": "PHIL-1-0007",
    }
    return ReportMissing.model_validate(fields | changes)


def record_return(**changes: object) -> RecordReturn:
    fields: dict[str, object] = {
        "actor": KEY_WORKER,
        "returned_at": NOW + 10 * HOUR,
        "found_by_reference": "police",
        "where_found_reference": PLACE,
    }
    return RecordReturn.model_validate(fields | changes)


def missing(state: PlacementState | None = None, at: datetime = NOW) -> PlacementState:
    return apply(state or started(), report_missing(), now=at)
