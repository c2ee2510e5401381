"""Decisions: a command and the state give new events, or a refusal in plain words.

Nothing here reads the clock or does I/O: `now` is passed in (from `workflow.now()`), and
the events returned are numbered on from `state.version` so they can be appended as-is.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Unpack

from workflows.domain import escalations, start_checks
from workflows.domain.care_plan import decide_care_plan
from workflows.domain.checks import FieldChecks, happened, short_text, since_arrival
from workflows.domain.commands import (
    AcknowledgeEscalation,
    CarePlanCommand,
    EndPlacement,
    MissingCommand,
    OpenBreakGlass,
    PlacementCommand,
    RestrictionCommand,
    StartPlacement,
    VisitorCommand,
)
from workflows.domain.common import CLOCK_ACTOR, Actor, utc
from workflows.domain.deadlines import RunningClock, expiry_due, running_clocks, steps_due
from workflows.domain.errors import DomainError, FieldsRefused
from workflows.domain.events import (
    BreakGlassOpened,
    DeadlineMissed,
    EscalationRaised,
    InterpreterRequested,
    NotificationFailed,
    PlacementEnded,
    PlacementEvent,
    PlacementFacts,
    PlacementStarted,
    PolicyChanged,
)
from workflows.domain.failed_notices import GivenUp, record_given_up
from workflows.domain.ladders import EscalationStep
from workflows.domain.missing import decide_missing
from workflows.domain.policy import Policy
from workflows.domain.restrictions import decide_restrictions
from workflows.domain.state import PlacementState, PlacementStatus
from workflows.domain.stream import header
from workflows.domain.visitors import decide_visitors


def decide(
    state: PlacementState, command: PlacementCommand, *, now: datetime, policy: Policy
) -> list[PlacementEvent]:
    """The events that record `command`, or DomainError saying why it was refused."""
    now = utc(now)
    if isinstance(command, StartPlacement):
        return _start(state, command, now, policy)
    facts = _open_placement(state)
    if isinstance(command, CarePlanCommand):
        return decide_care_plan(state, facts, command, now)
    if isinstance(command, MissingCommand):
        return [decide_missing(state, facts, command, now)]
    if isinstance(command, VisitorCommand):
        return [decide_visitors(state, facts, command, now)]
    if isinstance(command, RestrictionCommand):
        return [decide_restrictions(state, facts, command, now, policy)]
    if isinstance(command, AcknowledgeEscalation):
        return [escalations.acknowledge(state, command, now)]
    return [_end(state, facts, command, now)]


# Break-glass is for cover, not a standing right: at most this long, and a reason to say why.
BREAK_GLASS_LONGEST = timedelta(hours=4)


def open_break_glass(
    state: PlacementState, command: OpenBreakGlass, *, now: datetime
) -> list[PlacementEvent]:
    """Record a break-glass opening of the child's record (DomainError when refused)."""
    now = utc(now)
    _open_placement(state)
    checks = FieldChecks()
    with checks.at("reason"):
        reason = short_text(command.reason, "give the reason for opening this record", "reason")
    with checks.at("until"):
        if not now < command.until <= now + BREAK_GLASS_LONGEST:
            raise DomainError("break-glass lasts at most 4 hours from now: give an earlier end")
    checks.refuse_if_any()
    return [
        BreakGlassOpened(**header(state, now, command.actor), reason=reason, until=command.until)
    ]


def change_policy(
    state: PlacementState, *, now: datetime, actor: Actor, policy: Policy
) -> list[PlacementEvent]:
    """Record that the placement runs under `policy` from now on; nothing if it already does
    (DomainError when the placement is not open)."""
    now = utc(now)
    _open_placement(state)
    if state.policy == policy:
        return []
    return [PolicyChanged(**header(state, now, actor), policy=policy)]


def _open_placement(state: PlacementState) -> PlacementFacts:
    if state.status is PlacementStatus.ended:
        raise DomainError("this placement has ended: nothing more can be recorded on it")
    if state.status is PlacementStatus.not_started or state.facts is None:
        raise DomainError("this placement has not been started: start the placement first")
    return state.facts


def _start(
    state: PlacementState, command: StartPlacement, now: datetime, policy: Policy
) -> list[PlacementEvent]:
    if state.status is PlacementStatus.open:
        raise DomainError("this placement is already open")
    if state.status is PlacementStatus.ended:
        raise DomainError("this placement has ended: a new placement needs a new placement id")
    if command.placement_id != state.stream_id:
        raise DomainError(
            f"this start is for placement {command.placement_id}, "
            f"not for placement {state.stream_id}"
        )
    problems = start_checks.start_problems(command, now)
    if problems:
        raise FieldsRefused(problems.items())
    facts = command.model_dump(include=set(PlacementFacts.model_fields))
    started: list[PlacementEvent] = [
        PlacementStarted(
            **header(state, now, command.actor, 1),
            **facts,
            phone_held=policy.phone_held_from_arrival,
            policy=policy,
        )
    ]
    if command.interpreter_needed:
        started.append(
            InterpreterRequested(
                **header(state, now, command.actor, 2), language=command.first_language
            )
        )
    return started


def _end(
    state: PlacementState, facts: PlacementFacts, command: EndPlacement, now: datetime
) -> PlacementEnded:
    happened(command.ended_at, now, "placement's end")
    since_arrival(command.ended_at, facts, "placement's end")
    return PlacementEnded(
        **header(state, now, command.actor), reason=command.reason, ended_at=command.ended_at
    )


def notification_failed(state: PlacementState, **given_up: Unpack[GivenUp]) -> list[PlacementEvent]:
    """The event recording that a notification was given up on; nothing if already recorded."""
    return [*record_given_up(state, NotificationFailed, given_up)]


@dataclass(frozen=True)
class _DueStep:
    at: datetime
    clock: RunningClock
    # None stands for the deadline's expiry itself (DeadlineMissed), which comes before
    # any step that falls at the same moment.
    step_index: int | None
    step: EscalationStep | None

    def order(self) -> tuple[datetime, int, str, int]:
        rank = -1 if self.step_index is None else self.step_index
        return (self.at, 0 if self.step_index is None else 1, self.clock.deadline_id, rank)


def escalations_due(
    state: PlacementState, now: datetime, policy: Policy, *, actor: Actor = CLOCK_ACTOR
) -> list[PlacementEvent]:
    """DeadlineMissed and EscalationRaised events for every step whose time has come.

    Each step is raised once: the state remembers what was raised, and a satisfied
    deadline or an ended placement has no running clock.
    """
    now = utc(now)
    pending: list[_DueStep] = []
    for clock in running_clocks(state, policy):
        if expiry_due(state, clock, now, policy):
            pending.append(_DueStep(clock.due_at, clock, None, None))
        for index, at, step in steps_due(state, clock, now, policy):
            pending.append(_DueStep(at, clock, index, step))
    events: list[PlacementEvent] = []
    for position, due_step in enumerate(sorted(pending, key=_DueStep.order), start=1):
        event_header = header(state, now, actor, position)
        clock = due_step.clock
        if due_step.step_index is None or due_step.step is None:
            events.append(
                DeadlineMissed(
                    **event_header,
                    deadline_id=clock.deadline_id,
                    kind=clock.kind,
                    due_at=clock.due_at,
                )
            )
            continue
        clock_policy = policy.clocks.for_kind(clock.kind)
        events.append(
            EscalationRaised(
                **event_header,
                deadline_id=clock.deadline_id,
                kind=clock.kind,
                step_index=due_step.step_index,
                step_name=due_step.step.name,
                notify_role=clock_policy.notify_role_for(due_step.step),
                due_at=clock.due_at,
            )
        )
    return events
