"""Decisions: each command is accepted with the right events, or refused in plain words.
Starting and ending a placement here; the care plan and the meetings and visits beside."""

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.unit.domain.builders import (
    ARRIVED,
    MANAGER,
    NOW,
    PLACEMENT,
    POLICY,
    apply,
    assessment,
    refusal,
    start_command,
    started,
)
from workflows.domain.commands import EndPlacement
from workflows.domain.decide import decide
from workflows.domain.errors import DomainError
from workflows.domain.events import (
    InterpreterRequested,
    PlacementEnded,
    PlacementStarted,
)
from workflows.domain.state import initial_state

# Starting a placement


def test_starting_a_placement_records_the_start_and_books_an_interpreter() -> None:
    events = decide(initial_state(PLACEMENT), start_command(), now=ARRIVED, policy=POLICY)

    started_event, interpreter = events
    assert isinstance(started_event, PlacementStarted)
    assert isinstance(interpreter, InterpreterRequested)
    assert interpreter.language == "Tigrinya"
    assert [event.version for event in events] == [1, 2]
    assert {event.occurred_at for event in events} == {ARRIVED}
    assert {event.actor for event in events} == {MANAGER}
    assert started_event.arrived_at == ARRIVED


def test_starting_an_open_placement_again_is_refused() -> None:
    assert refusal(started(), start_command()) == "this placement is already open"


def test_starting_an_ended_placement_is_refused() -> None:
    ended = apply(started(), EndPlacement(actor=MANAGER, reason="moved", ended_at=NOW))
    assert "a new placement needs a new placement id" in refusal(ended, start_command())


def test_starting_with_another_placements_id_is_refused() -> None:
    message = refusal(initial_state("pl-0002"), start_command())
    assert message == "this start is for placement pl-0001, not for placement pl-0002"


def test_starting_before_the_child_has_arrived_is_refused() -> None:
    message = refusal(initial_state(PLACEMENT), start_command(), now=ARRIVED - timedelta(minutes=1))
    assert "the arrival time is in the future" in message


def test_becoming_looked_after_after_arrival_is_refused() -> None:
    command = start_command(looked_after_since=date(2026, 3, 3))
    message = refusal(initial_state(PLACEMENT), command, now=NOW)
    assert "cannot have become looked after later than the day they arrived" in message


def test_becoming_looked_after_on_the_london_day_of_arrival_is_accepted() -> None:
    # 23:30 UTC on 31 May is already 1 June in London.
    arrived = datetime(2026, 5, 31, 23, 30, tzinfo=UTC)
    command = start_command(looked_after_since=date(2026, 6, 1), arrived_at=arrived)
    events = decide(initial_state(PLACEMENT), command, now=arrived, policy=POLICY)
    assert isinstance(events[0], PlacementStarted)


def test_recording_on_a_placement_not_yet_started_is_refused() -> None:
    message = refusal(initial_state(PLACEMENT), assessment())
    assert message == "this placement has not been started: start the placement first"


def test_recording_after_the_placement_ended_is_refused() -> None:
    ended = apply(started(), EndPlacement(actor=MANAGER, reason="discharged", ended_at=NOW))
    message = refusal(ended, assessment())
    assert message == "this placement has ended: nothing more can be recorded on it"


def test_a_time_without_a_zone_for_now_is_refused() -> None:
    with pytest.raises(DomainError, match="without a time zone"):
        decide(started(), assessment(), now=datetime(2026, 3, 3, 9, 0), policy=POLICY)


# Ending the placement


def test_ending_the_placement_is_recorded() -> None:
    command = EndPlacement(actor=MANAGER, reason="turned_18", ended_at=NOW)
    (event,) = decide(started(), command, now=NOW, policy=POLICY)
    assert isinstance(event, PlacementEnded)
    assert event.reason == "turned_18"


def test_ending_before_the_child_arrived_is_refused() -> None:
    command = EndPlacement(actor=MANAGER, reason="moved", ended_at=ARRIVED - timedelta(hours=1))
    assert refusal(started(), command).startswith("the placement's end cannot be before")


def test_ending_in_the_future_is_refused() -> None:
    command = EndPlacement(actor=MANAGER, reason="moved", ended_at=NOW + timedelta(days=1))
    assert "the time of the placement's end is in the future" in refusal(started(), command)
