"""What a stream stores in one append: the oldest events first, as many as fit in a payload
Temporal accepts (always at least one), with exactly the notices those events owe."""

from __future__ import annotations

from datetime import timedelta

from safeside.contracts.activities import OutboxMessage
from tests.unit.domain.builders import ARRIVED, KEY_WORKER, POLICY, start_command
from workflows.domain.commands import RecordObservation
from workflows.domain.decide import decide
from workflows.domain.events import PLACEMENT_EVENTS, PlacementEvent
from workflows.domain.notices import notices_for
from workflows.domain.state import evolve, initial_state
from workflows.stream import MAX_PAYLOAD_BYTES, next_batch


def _story(observations: int) -> tuple[list[PlacementEvent], list[OutboxMessage]]:
    """A start and ``observations`` observations, with the notices they owe, as a workflow
    would have them waiting to be stored."""
    state = initial_state("pl-0001")
    events: list[PlacementEvent] = []
    owed: list[OutboxMessage] = []
    commands: list[object] = [start_command()]
    commands += [
        RecordObservation(
            actor=KEY_WORKER,
            category="waiting_car",
            note_reference_or_text=f"LOG-{n}",
            observed_at=ARRIVED + timedelta(minutes=n),
        )
        for n in range(1, observations + 1)
    ]
    for n, command in enumerate(commands):
        for event in decide(state, command, now=ARRIVED + timedelta(minutes=n), policy=POLICY):
            state = evolve(state, event)
            events.append(event)
            owed += [
                OutboxMessage.owed(event.stream_id, event.version, str(n.recipient), n.purpose)
                for n in notices_for(state, event)
            ]
    return events, owed


def test_a_batch_that_fits_is_stored_whole() -> None:
    events, owed = _story(5)
    batch, notices = next_batch(PLACEMENT_EVENTS, events, owed)
    assert [e.version for e in batch] == [e.version for e in events]
    assert notices == owed


def test_a_batch_too_big_for_one_payload_is_split_in_order_with_its_notices() -> None:
    events, owed = _story(40)
    assert owed, "the start owes notices"
    limit = 4_000
    stored: list[int] = []
    sent: list[OutboxMessage] = []
    while events:
        batch, notices = next_batch(PLACEMENT_EVENTS, events, owed, limit=limit)
        assert sum(len(e.model_dump_json()) for e in batch) <= limit or len(batch) == 1
        assert all(m.event_version <= batch[-1].version for m in notices)
        stored += [e.version for e in batch]
        sent += notices
        del events[: len(batch)]
        del owed[: len(notices)]
    assert stored == list(range(1, len(stored) + 1))
    assert len(stored) > 40
    assert not owed
    assert [m.event_version for m in sent] == sorted(m.event_version for m in sent)


def test_an_event_larger_than_the_limit_still_goes_alone() -> None:
    events, owed = _story(2)
    batch, _ = next_batch(PLACEMENT_EVENTS, events, owed, limit=1)
    assert len(batch) == 1
    assert MAX_PAYLOAD_BYTES < 2 * 1024 * 1024  # below Temporal's own limit
