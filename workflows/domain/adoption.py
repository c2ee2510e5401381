"""Adopting a placement: Safeside takes over a child who already lives in the unit.

The adoption is decided into the events live recording would have made: the start, then each
step already done, decided by the same rules as when it is recorded live (the leaflet in the
child's language with an interpreter, the child's views, dates since arrival, …), with its
own date kept in its own field. Every one of them is marked ``recorded_on_adoption``, with the
adopting Registered Manager as the actor, so the chronology shows it apart and it owes nobody
a notice (whoever had to be told was told at the time). The state after adoption is then
exactly the state live recording would have reached, so every clock runs on from the last
step done.

What the clocks say was already due is closed by one ``OverdueAtAdoption``: the deadlines
already past are recorded as missed (shown as overdue, and told once, together, to the unit's
Registered Manager) and every ladder step whose time had passed is recorded as passed, never
raised. From then on the normal ladders apply.
"""

from datetime import datetime

from workflows.domain.adoption_command import AdoptPlacement
from workflows.domain.adoption_events import OverdueAtAdoption, OverdueDeadline
from workflows.domain.adoption_steps import STEPS
from workflows.domain.commands import StartPlacement
from workflows.domain.common import Actor, utc
from workflows.domain.deadlines import expiry_due, running_clocks, steps_due
from workflows.domain.decide import decide
from workflows.domain.errors import DomainError, FieldsRefused
from workflows.domain.events import LookedAfterReviewHeld, PlacementEvent, PlacementFacts
from workflows.domain.policy import Policy
from workflows.domain.state import PlacementState, fold
from workflows.domain.stream import header

_FACT_FIELDS = set(PlacementFacts.model_fields)


def adopt(
    state: PlacementState, command: AdoptPlacement, *, now: datetime, policy: Policy
) -> list[PlacementEvent]:
    """The events adopting the placement records, or DomainError (FieldsRefused naming the
    adoption's own fields, every wrong one at once) when refused."""
    now = utc(now)
    start = StartPlacement.model_validate(
        {**command.model_dump(include=_FACT_FIELDS), "actor": command.actor}
    )
    events = decide(state, start, now=now, policy=policy)
    current = fold(events, state)
    facts = current.facts
    if facts is None:  # decide started it, or refused
        raise DomainError("this placement could not be started")
    problems = _review_count_problems(command)
    problems.extend(
        (step.when, f"give the date of the {step.what}, or leave out its other details")
        for step in STEPS
        if step.stray(command)
    )
    for step in STEPS:
        if not step.given(command):
            continue
        try:
            decided = step.decision(current, facts, command, now, policy)
        except FieldsRefused as refused:
            problems.extend((step.adoption_field(field), why) for field, why in refused.problems)
            continue
        except DomainError as refusal:
            problems.append((step.when, str(refusal)))
            continue
        decided = [_numbered_review(event, command) for event in decided]
        events.extend(decided)
        current = fold(decided, current)
    if problems:
        first: dict[str, str] = {}  # the first problem of each field, in the order found
        for field, why in problems:
            first.setdefault(field, why)
        raise FieldsRefused(first.items())
    adopted = [
        event.model_copy(update={"actor": command.actor, "recorded_on_adoption": True})
        for event in events
    ]
    return [*adopted, *caught_up(current, now, policy, command.actor)]


def _review_count_problems(command: AdoptPlacement) -> list[tuple[str, str]]:
    held, latest = command.looked_after_reviews_held, command.latest_review_held_at
    if held and latest is None:
        return [("latest_review_held_at", "give the date of the latest looked-after review")]
    if latest is not None and not held:
        return [("looked_after_reviews_held", "say how many looked-after reviews were held")]
    return []


def _numbered_review(event: PlacementEvent, command: AdoptPlacement) -> PlacementEvent:
    """The latest review, numbered when earlier ones are not recorded (their dates are in the
    case file): the next review's clock counts them."""
    if isinstance(event, LookedAfterReviewHeld) and command.looked_after_reviews_held > 1:
        return event.model_copy(update={"number": command.looked_after_reviews_held})
    return event


def caught_up(
    state: PlacementState, now: datetime, policy: Policy, actor: Actor
) -> list[PlacementEvent]:
    """What the clocks say was due before now, closed at once (OverdueAtAdoption) rather
    than raised: nothing if nothing was due."""
    overdue: list[OverdueDeadline] = []
    passed: list[tuple[str, int]] = []
    for clock in running_clocks(state, policy):
        if expiry_due(state, clock, now, policy):
            overdue.append(
                OverdueDeadline(deadline_id=clock.deadline_id, kind=clock.kind, due_at=clock.due_at)
            )
        passed.extend(
            (clock.deadline_id, index) for index, _, _ in steps_due(state, clock, now, policy)
        )
    if not overdue and not passed:
        return []
    return [
        OverdueAtAdoption(
            **header(state, now, actor),
            overdue_deadlines=tuple(overdue),
            passed_steps=tuple(sorted(passed)),
        )
    ]
