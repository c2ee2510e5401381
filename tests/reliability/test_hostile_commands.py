"""Random command sequences, with hostile text in every free field (empty, blank, control
characters, far too long), against the pure domain, as the workflow drives it: the invariants
a user relies on always hold. Builds on ``tests/unit/domain/command_plans.py`` (the plans,
the driver and the protection invariants of the property tests) and adds the deadline
invariant and hostile text."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.unit.domain.builders import POLICY
from tests.unit.domain.command_plans import (
    ARRIVED,
    FULL_STORY,
    PROTECTION_INVARIANTS,
    PROTECTION_KINDS,
    levels,
    protection_steps,
    run,
    steps,
)
from workflows.domain.deadlines import due
from workflows.domain.decide import escalations_due
from workflows.domain.errors import DomainError
from workflows.domain.events import DeadlineMissed, EscalationRaised, PlacementEvent
from workflows.domain.protection_events import VisitRecorded
from workflows.domain.state import PlacementState, fold

Plan = list[tuple[int, str, int, object, str | None]]

hostile_text = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "\t\n", "\x00", "given", "GIVEN ", "VIS-1", "vis-1"]),
    st.text(max_size=40),
    st.text(min_size=129, max_size=400),
)
hostile_steps = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=72),
        st.sampled_from(
            [*PROTECTION_KINDS, "leaflet", "assessment", "level", "visit", "phone", "end"]
        ),
        st.integers(min_value=0, max_value=3),
        levels,
        hostile_text,
    ),
    max_size=40,
)


def run_hostile(plan: Plan) -> tuple[PlacementState, list[PlacementEvent], datetime]:
    """Like ``run``, but a command that cannot even be built (hostile text refused at the
    boundary, a pydantic ValidationError) is refused as the API refuses it: nothing written.
    Also the time the plan ends at."""
    state, history = run(plan, refused=(DomainError, ValidationError))  # type: ignore[arg-type]
    return state, history, ARRIVED + timedelta(hours=sum(hours for hours, *_ in plan))


def assert_invariants(state: PlacementState, history: list[PlacementEvent]) -> None:
    assert [event.version for event in history] == list(range(1, state.version + 1))
    assert fold(history) == state
    for check in PROTECTION_INVARIANTS.values():
        check(state, history)


def assert_every_expired_deadline_is_done_or_escalated(
    state: PlacementState, history: list[PlacementEvent], now: datetime
) -> None:
    """What the deadlines view shows a manager at ``now``, once the clock has caught up as the
    workflow does on waking: an overdue deadline still open is recorded missed and escalated
    up to ``now``; a missed deadline no longer open was done (late)."""
    caught_up = fold(escalations_due(state, now, POLICY), state)
    for deadline in due(caught_up, now, POLICY):
        clock = POLICY.clocks.for_kind(deadline.kind)
        if deadline.overdue and clock.expires:
            assert deadline.deadline_id in caught_up.deadlines_missed
        assert deadline.next_step_at is None or deadline.next_step_at > now
    missed = {e.deadline_id for e in history if isinstance(e, DeadlineMissed)}
    escalated = {e.deadline_id for e in history if isinstance(e, EscalationRaised)}
    assert missed <= escalated  # a deadline is never missed without someone being told


@settings(max_examples=200, deadline=None)
@given(hostile_steps)
def test_hostile_text_never_breaks_an_invariant(plan: Plan) -> None:
    state, history, now = run_hostile(plan)
    assert_invariants(state, history)
    assert_every_expired_deadline_is_done_or_escalated(state, history, now)


@settings(max_examples=200, deadline=None)
@given(st.one_of(steps, protection_steps))
def test_every_expired_deadline_is_done_or_escalated(plan: Plan) -> None:
    state, history = run(plan)  # type: ignore[arg-type]
    now = ARRIVED + timedelta(hours=sum(hours for hours, *_ in plan))
    assert_every_expired_deadline_is_done_or_escalated(state, history, now)


def test_the_full_protection_story_keeps_every_invariant() -> None:
    state, history, now = run_hostile(FULL_STORY)  # type: ignore[arg-type]
    assert any(isinstance(e, VisitRecorded) for e in history)
    assert_invariants(state, history)
    assert_every_expired_deadline_is_done_or_escalated(state, history, now)
