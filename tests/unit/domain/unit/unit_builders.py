"""Builders shared by the unit domain's tests: a unit opened with the residents given, their
placements and reports, and a whereabouts check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.placements import start_command
from workflows.domain.common import Actor, RiskLevel, Role
from workflows.domain.decide import decide
from workflows.domain.policy import Policy
from workflows.domain.state import PlacementState, fold, initial_state
from workflows.domain.summary import handover_summary
from workflows.domain.unit.commands import (
    CheckEntryGiven,
    RecordUnitCheck,
)
from workflows.domain.unit.decide import open_unit
from workflows.domain.unit.events import (
    UnitEvent,
    Whereabouts,
    unit_stream_id,
)
from workflows.domain.unit.membership import PlacementReport, membership_changes
from workflows.domain.unit.policy import UnitPolicy
from workflows.domain.unit.state import UnitState, evolve_unit, initial_unit_state

OPENED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POLICY = UnitPolicy()
WORKER = Actor(role=Role.residential_worker, reference="staff-17")
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def apply(state: UnitState, events: list[UnitEvent]) -> UnitState:
    for event in events:
        state = evolve_unit(state, event)
    return state


def placement(placement_id: str, arrived: datetime, risk: RiskLevel) -> PlacementState:
    command = start_command(placement_id, arrived, risk=risk)
    return fold(decide(initial_state(placement_id), command, now=arrived, policy=Policy()))


def report(state: PlacementState, at: datetime) -> PlacementReport:
    assert state.facts is not None
    return PlacementReport(
        unit_id="UNIT-7",
        placement_id=state.stream_id,
        version=state.version,
        status=state.status,
        arrived_at=state.facts.arrived_at,
        risk_level=state.risk_level,
        summary=handover_summary(state, at, Policy()),
    )


def unit_with(*residents: tuple[str, RiskLevel], at: datetime = OPENED) -> UnitState:
    state = apply(initial_unit_state(unit_stream_id("UNIT-7")), [])
    state = apply(state, open_unit(state, "UNIT-7", at))
    for placement_id, risk in residents:
        state = apply(
            state, membership_changes(state, report(placement(placement_id, at, risk), at), at)
        )
    return state


def check(state: UnitState, at: datetime, **whereabouts: Whereabouts) -> RecordUnitCheck:
    return RecordUnitCheck(
        actor=WORKER,
        checked_at=at,
        entries=tuple(
            CheckEntryGiven(
                placement_id=r.placement_id,
                whereabouts=whereabouts.get(r.placement_id, Whereabouts.seen),
            )
            for r in state.residents
        ),
    )
