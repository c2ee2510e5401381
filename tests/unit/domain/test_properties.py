"""Properties that hold for any sequence of commands and passing time."""

from collections import Counter

from hypothesis import given, settings

from tests.unit.domain.command_plans import Plan, run, steps
from workflows.domain.events import (
    DeadlineMissed,
    EscalationRaised,
    event_from_stored,
    event_to_stored,
)
from workflows.domain.state import PlacementState, fold


@settings(max_examples=200, deadline=None)
@given(steps)
def test_versions_are_contiguous_from_one(plan: Plan) -> None:
    state, history = run(plan)
    assert [event.version for event in history] == list(range(1, state.version + 1))


@settings(max_examples=200, deadline=None)
@given(steps)
def test_replaying_the_events_rebuilds_the_state(plan: Plan) -> None:
    state, history = run(plan)
    assert fold(history) == state
    assert PlacementState.model_validate_json(state.model_dump_json()) == state


@settings(max_examples=200, deadline=None)
@given(steps)
def test_no_escalation_step_is_raised_twice_and_no_deadline_missed_twice(plan: Plan) -> None:
    _, history = run(plan)
    steps_raised = Counter(
        (event.deadline_id, event.step_index)
        for event in history
        if isinstance(event, EscalationRaised)
    )
    missed = Counter(event.deadline_id for event in history if isinstance(event, DeadlineMissed))
    assert all(count == 1 for count in steps_raised.values())
    assert all(count == 1 for count in missed.values())


@settings(max_examples=100, deadline=None)
@given(steps)
def test_every_event_survives_storage(plan: Plan) -> None:
    _, history = run(plan)
    for event in history:
        assert event_from_stored(*event_to_stored(event)) == event


@settings(max_examples=100, deadline=None)
@given(steps)
def test_nothing_happens_after_the_placement_ends(plan: Plan) -> None:
    _, history = run(plan)
    ended = [index for index, event in enumerate(history) if event.type == "placement_ended"]
    if ended:
        assert ended == [len(history) - 1]
