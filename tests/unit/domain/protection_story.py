"""A started placement and the clock, for the protection tests (missing, visitors,
restrictions): decide, fold, and raise what falls due the way the workflow does."""

from datetime import UTC, date, datetime, timedelta

import pytest

from workflows.domain.commands import PlacementCommand, RecordReturn, ReportMissing, StartPlacement
from workflows.domain.common import Actor, MissingKind, PoliceRiskGrade, RiskLevel, Role
from workflows.domain.deadlines import next_wake_at
from workflows.domain.decide import decide, escalations_due
from workflows.domain.errors import DomainError
from workflows.domain.events import DeadlineMissed, EscalationRaised, PlacementEvent
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


def started(policy: Policy = POLICY, *, ukvi_relevant: bool = True) -> PlacementState:
    command = StartPlacement(
        actor=MANAGER,
        placement_id=PLACEMENT,
        case_reference="case-88231",
        unit_id="unit-north-02",
        first_language="Tigrinya",
        looked_after_since=date(2026, 3, 1),
        arrived_at=ARRIVED,
        placing_authority="Example County Council",
        social_worker_reference="sw-3301",
        initial_risk_level=RiskLevel.medium,
        ukvi_relevant=ukvi_relevant,
    )
    state = initial_state(PLACEMENT)
    return fold(decide(state, command, now=ARRIVED, policy=policy), state)


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
    return [
        (event.step_name, event.notify_role)
        if isinstance(event, EscalationRaised)
        else ("missed", None)
        for event in events
        if isinstance(event, EscalationRaised | DeadlineMissed) and event.deadline_id == deadline_id
    ]


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
