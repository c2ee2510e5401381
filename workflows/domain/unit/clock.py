"""What the unit's clock raises by itself: an escalation step whose time has come (each step
once per occurrence), and the missing procedure for a child not back when an authorised
absence ended (R4)."""

from datetime import datetime

from workflows.domain.common import CLOCK_ACTOR, Actor, utc
from workflows.domain.stream import header
from workflows.domain.unit.decide import last_seen
from workflows.domain.unit.due import clock_policy, running_clocks, steps
from workflows.domain.unit.events import (
    MissingProcedureRequested,
    UnitDeadlineKind,
    UnitEscalationRaised,
    UnitEvent,
)
from workflows.domain.unit.policy import UnitPolicy
from workflows.domain.unit.state import UnitState


def unit_escalations_due(
    state: UnitState, now: datetime, policy: UnitPolicy, *, actor: Actor = CLOCK_ACTOR
) -> list[UnitEvent]:
    now = utc(now)
    events: list[UnitEvent] = []
    for clock in running_clocks(state, policy):
        if clock.kind is UnitDeadlineKind.authorised_absence:
            resident = None if clock.placement_id is None else state.resident(clock.placement_id)
            if resident is not None and clock.due_at <= now:
                events.append(
                    MissingProcedureRequested(
                        **header(state, now, actor, len(events) + 1),
                        placement_id=resident.placement_id,
                        reason="absence_overran",
                        check_number=max(state.checks_recorded, 1),
                        last_seen_at=last_seen(resident),
                    )
                )
            continue
        unit_clock = clock_policy(policy, clock.kind)
        for index, at, step in steps(state, clock, policy):
            if at > now or unit_clock is None:
                break
            events.append(
                UnitEscalationRaised(
                    **header(state, now, actor, len(events) + 1),
                    deadline_id=clock.deadline_id,
                    kind=clock.kind,
                    step_index=index,
                    step_name=step.name,
                    notify_role=unit_clock.notify_role_for(step),
                    due_at=clock.due_at,
                )
            )
    return events
