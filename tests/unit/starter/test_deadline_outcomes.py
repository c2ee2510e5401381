"""Whether each deadline was met on time, late or is overdue, from a placement's events
alone (the pure fold behind the reg 45 review's deadlines chart)."""

from __future__ import annotations

from datetime import timedelta

from starter.services.deadline_outcomes import deadline_outcomes
from tests.integration.activities.placements import ARRIVED
from tests.support.placements import end, leaflet, new_placement_id, start_command
from workflows.domain.commands import PlacementCommand
from workflows.domain.common import DeadlineKind
from workflows.domain.decide import decide
from workflows.domain.events import PlacementEvent
from workflows.domain.policy import Policy
from workflows.domain.state import evolve, initial_state

POLICY = Policy()


def _events(stream_id: str, *steps: tuple[PlacementCommand, timedelta]) -> list[PlacementEvent]:
    """The events of a placement that arrived at ``ARRIVED``, then of each command decided that
    long after the arrival."""
    state, events = initial_state(stream_id), []
    for command, after in ((start_command(stream_id, ARRIVED), timedelta(0)), *steps):
        for event in decide(state, command, now=ARRIVED + after, policy=POLICY):
            state = evolve(state, event)
            events.append(event)
    return events


def _by_kind(outcomes: list) -> dict[DeadlineKind, str]:
    return {outcome.kind: outcome.outcome for outcome in outcomes}


def test_a_leaflet_delivered_before_it_was_due_was_met_on_time() -> None:
    stream_id = new_placement_id()
    events = _events(stream_id, (leaflet(ARRIVED + timedelta(hours=2)), timedelta(hours=2)))
    outcomes = deadline_outcomes(stream_id, events, POLICY, ARRIVED + timedelta(hours=3))
    assert _by_kind(outcomes) == {DeadlineKind.leaflet: "on_time"}


def test_a_leaflet_delivered_after_it_was_due_was_late_and_one_never_delivered_is_overdue() -> None:
    stream_id = new_placement_id()
    late = ARRIVED + POLICY.leaflet_within + timedelta(hours=1)
    events = _events(stream_id, (leaflet(late), late - ARRIVED))
    outcomes = deadline_outcomes(stream_id, events, POLICY, late)
    assert _by_kind(outcomes)[DeadlineKind.leaflet] == "late"
    overdue = deadline_outcomes(stream_id, _events(stream_id), POLICY, late)
    assert _by_kind(overdue)[DeadlineKind.leaflet] == "overdue"


def test_the_clocks_an_end_stops_were_not_met() -> None:
    stream_id = new_placement_id()
    events = _events(stream_id, (end(ARRIVED + timedelta(hours=1)), timedelta(hours=1)))
    assert deadline_outcomes(stream_id, events, POLICY, ARRIVED + timedelta(days=400)) == []
