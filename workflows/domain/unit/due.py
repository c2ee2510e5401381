"""What the unit owes and when: pure functions of the state, the time now and the policy.

Three recurring duties (the unit check, the house meeting, the building check), each due a
fixed time after the last one, numbered so one occurrence's escalations never count for the
next; and a watch per authorised absence, which ends the moment the absence should have.
"""

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from workflows.domain.common import Role, UtcDatetime, utc
from workflows.domain.ladders import EscalationStep
from workflows.domain.unit.events import UnitDeadlineKind, Whereabouts
from workflows.domain.unit.policy import UnitClock, UnitPolicy
from workflows.domain.unit.state import Resident, UnitState


class UnitDeadline(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    deadline_id: str
    kind: UnitDeadlineKind
    requirement: str
    due_at: UtcDatetime
    responsible_role: Role
    next_step_name: str | None
    next_step_at: UtcDatetime | None
    overdue: bool


@dataclass(frozen=True)
class UnitClockRunning:
    deadline_id: str
    kind: UnitDeadlineKind
    due_at: datetime
    placement_id: str | None = None


def resident_check_due(state: UnitState, resident: Resident, policy: UnitPolicy) -> datetime:
    """When this child must next be checked: their interval after the later of the last check
    and their joining, but never before their level last changed (a check is then due at
    once if the last one is older than the new, shorter interval)."""
    base = resident.joined_at
    if state.last_check_at is not None:
        base = max(base, state.last_check_at)
    return max(base + policy.check_every.for_level(resident.risk_level), resident.level_since)


def unit_check_due(state: UnitState, policy: UnitPolicy) -> datetime | None:
    """The next unit check: when the most closely watched child is due; none without residents."""
    return min((resident_check_due(state, r, policy) for r in state.residents), default=None)


def running_clocks(state: UnitState, policy: UnitPolicy) -> list[UnitClockRunning]:
    opened = state.opened_at
    if opened is None:
        return []
    clocks = []
    check_due = unit_check_due(state, policy)
    if check_due is not None:
        clocks.append(
            UnitClockRunning(
                f"unit_check:{state.checks_recorded + 1}", UnitDeadlineKind.unit_check, check_due
            )
        )
    if state.residents:
        since = state.last_house_meeting_at or max(
            opened, min(r.joined_at for r in state.residents)
        )
        clocks.append(
            UnitClockRunning(
                f"house_meeting:{state.house_meetings_held + 1}",
                UnitDeadlineKind.house_meeting,
                since + policy.house_meeting_every,
            )
        )
    clocks.append(
        UnitClockRunning(
            f"building_check:{state.building_checks_recorded + 1}",
            UnitDeadlineKind.building_check,
            (state.last_building_check_at or opened) + policy.building_check_every,
        )
    )
    clocks.extend(
        UnitClockRunning(
            f"authorised_absence:{r.placement_id}",
            UnitDeadlineKind.authorised_absence,
            r.away_until,
            r.placement_id,
        )
        for r in absences_watched(state)
        if r.away_until is not None
    )
    return sorted(clocks, key=lambda clock: (clock.due_at, clock.deadline_id))


def absences_watched(state: UnitState) -> list[Resident]:
    return [
        r
        for r in state.residents
        if r.whereabouts is Whereabouts.away_authorised
        and r.away_until is not None
        and not r.missing_requested
    ]


def clock_policy(policy: UnitPolicy, kind: UnitDeadlineKind) -> UnitClock | None:
    return {
        UnitDeadlineKind.unit_check: policy.unit_check,
        UnitDeadlineKind.house_meeting: policy.house_meeting,
        UnitDeadlineKind.building_check: policy.building_check,
    }.get(kind)


def steps(
    state: UnitState, clock: UnitClockRunning, policy: UnitPolicy
) -> list[tuple[int, datetime, EscalationStep]]:
    """The clock's steps not yet raised, in time order (none for an absence watch)."""
    unit_clock = clock_policy(policy, clock.kind)
    if unit_clock is None:
        return []
    start = clock.due_at + unit_clock.grace
    return [
        (index, start + step.offset, step)
        for index, step in enumerate(unit_clock.ladder)
        if not state.escalation_raised(clock.deadline_id, index)
    ]


def due(state: UnitState, now: datetime, policy: UnitPolicy) -> list[UnitDeadline]:
    """Every open unit deadline, soonest first, with its next escalation step."""
    now = utc(now)
    deadlines = []
    for clock in running_clocks(state, policy):
        unit_clock = clock_policy(policy, clock.kind)
        pending = steps(state, clock, policy)
        deadlines.append(
            UnitDeadline(
                deadline_id=clock.deadline_id,
                kind=clock.kind,
                requirement="R4" if unit_clock is None else unit_clock.requirement,
                due_at=clock.due_at,
                responsible_role=(
                    Role.duty_manager if unit_clock is None else unit_clock.responsible_role
                ),
                next_step_name=pending[0][2].name if pending else None,
                next_step_at=pending[0][1] if pending else None,
                overdue=now >= clock.due_at,
            )
        )
    return deadlines


def next_wake_at(state: UnitState, now: datetime, policy: UnitPolicy) -> datetime | None:
    """The earliest moment after `now` at which a step falls or an absence ends."""
    now = utc(now)
    times = []
    for clock in running_clocks(state, policy):
        if clock.kind is UnitDeadlineKind.authorised_absence:
            times.append(clock.due_at)
        times.extend(at for _, at, _ in steps(state, clock, policy)[:1])
    return min((moment for moment in times if moment > now), default=None)
