"""The event store: the audit trail of each placement, appended in batches, read back whole."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import pytest_asyncio
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.errors import InvalidBatch, VersionConflict, VersionGap
from activities.event_store import EventStore
from activities.placement_activities import EventStoreActivities
from safeside.contracts.activities import AppendBatch, StoredEvent
from safeside.db import Pool
from tests.integration.activities.placements import ARRIVED, Placement, start, stored
from tests.support.placements import leaflet, observation
from workflows.domain.state import fold


async def started(store: EventStore) -> Placement:
    placement = Placement(store)
    await placement.record(start(placement.stream_id), at=ARRIVED)
    return placement


@pytest_asyncio.fixture(loop_scope="session")
async def placement(store: EventStore) -> Placement:
    """A placement started (versions 1 and 2 stored), its events and state at hand."""
    return await started(store)


async def test_appending_the_same_batch_twice_stores_one_copy(
    store: EventStore, pool: Pool
) -> None:
    placement = Placement(store)
    batch = placement.batch(placement.decide(start(placement.stream_id), ARRIVED))

    first = await store.append(batch)
    retried = await store.append(batch)

    assert (first.appended, first.last_version) == (2, 2)
    assert (retried.appended, retried.last_version) == (0, 2)
    assert [event.version for event in await store.read_stream(placement.stream_id)] == [1, 2]
    outbox = await pool.fetchval(
        "SELECT count(*) FROM notifications WHERE stream_id = $1", placement.stream_id
    )
    assert outbox == len(batch.notifications) > 0


async def test_a_retry_that_carries_new_events_stores_only_the_new_ones(
    placement: Placement,
) -> None:
    later = ARRIVED + timedelta(hours=2)
    events = placement.decide(leaflet(later), later) + placement.decide(observation(later), later)
    await placement.append(events[:1])

    result = await placement.append(events)

    assert (result.appended, result.last_version) == (1, 4)


async def test_a_batch_that_would_leave_a_gap_is_refused(
    placement: Placement, store: EventStore
) -> None:
    later = ARRIVED + timedelta(hours=2)
    placement.decide(leaflet(later), later)  # decided, never stored: version 3 is missing
    skipped = placement.batch(placement.decide(observation(later), later))

    with pytest.raises(VersionGap, match=rf"placement {placement.stream_id} is at version 2"):
        await store.append(skipped)
    assert await store.current_version(placement.stream_id) == 2


async def test_a_batch_with_a_hole_in_its_versions_is_refused(
    placement: Placement, store: EventStore
) -> None:
    later = ARRIVED + timedelta(hours=2)
    events = placement.decide(leaflet(later), later) + placement.decide(observation(later), later)
    holed = placement.batch(events).model_copy(update={"events": [stored(events[1])]})

    with pytest.raises(VersionGap, match=r"without gaps: it holds versions \[4\]"):
        await store.append(holed)


async def test_a_different_event_at_a_stored_version_is_refused(
    placement: Placement, store: EventStore
) -> None:
    later = ARRIVED + timedelta(hours=2)
    await placement.record(observation(later, "LOG-1"), at=later)
    rival = Placement(store, stream_id=placement.stream_id)
    rival.decide(start(placement.stream_id), ARRIVED)
    other = rival.batch(rival.decide(observation(later, "LOG-2"), later))

    with pytest.raises(
        VersionConflict,
        match=rf"placement {placement.stream_id} already has a "
        r"different event at version 3",
    ):
        await store.append(other)
    trail = await store.read_stream(placement.stream_id)
    assert trail[-1].payload["note_reference_or_text"] == "LOG-1"


async def test_refusals_reach_the_workflow_as_non_retryable_errors_of_a_named_type(
    placement: Placement, store: EventStore
) -> None:
    gap = AppendBatch(
        stream_id=placement.stream_id,
        expected_version=5,
        events=[stored(placement.events[0]).model_copy(update={"version": 6})],
    )

    with pytest.raises(ApplicationError) as refused:
        await ActivityEnvironment().run(EventStoreActivities(store).append_events, gap)

    assert refused.value.type == "VersionGap"
    assert refused.value.non_retryable


async def test_an_event_the_domain_cannot_read_is_refused_without_quoting_it(
    placement: Placement, store: EventStore
) -> None:
    unreadable = StoredEvent(
        stream_id=placement.stream_id,
        version=3,
        event_type="observation_recorded",
        schema_version=1,
        occurred_at=ARRIVED,
        actor_role="key_worker",
        actor_ref="staff-17",
        payload={"category": "phone", "note_reference_or_text": "Amina rang 07700 900123"},
    )
    batch = AppendBatch(stream_id=placement.stream_id, expected_version=2, events=[unreadable])

    with pytest.raises(InvalidBatch, match="observed_at: missing") as refused:
        await store.append(batch)
    assert "Amina" not in str(refused.value)
    assert "07700" not in str(refused.value)
    assert await store.current_version(placement.stream_id) == 2


async def test_concurrent_appends_to_one_placement_take_turns(
    placement: Placement, store: EventStore, pool: Pool
) -> None:
    stream = placement.stream_id
    writers = 16
    at = ARRIVED + timedelta(hours=1)

    async def record_observation(note: str) -> int:
        # Like a workflow whose state is stale: decide on what is stored, retry on a conflict.
        for _ in range(writers * 2):
            writer = Placement(store, stream_id=stream)
            writer.state = await store.load_state(stream)
            try:
                result = await writer.append(writer.decide(observation(at, note), at))
            except VersionConflict:
                continue
            return result.last_version
        raise AssertionError(f"{note} was never stored")

    versions = await asyncio.gather(*(record_observation(f"LOG-{n}") for n in range(writers)))

    trail = await store.read_stream(stream)
    assert [event.version for event in trail] == list(range(1, writers + 3))
    notes = sorted(event.payload["note_reference_or_text"] for event in trail[2:])
    assert notes == sorted(f"LOG-{n}" for n in range(writers))
    assert sorted(versions) == list(range(3, writers + 3))
    assert await pool.fetchval("SELECT version FROM placements WHERE stream_id = $1", stream) == (
        writers + 2
    )


async def test_one_batch_appended_twice_at_once_is_stored_once(store: EventStore) -> None:
    placement = Placement(store)
    batch = placement.batch(placement.decide(start(placement.stream_id), ARRIVED))

    results = await asyncio.gather(store.append(batch), store.append(batch))

    assert sorted(result.appended for result in results) == [0, 2]
    assert len(await store.read_stream(placement.stream_id)) == 2


async def test_the_audit_trail_reads_back_in_order_and_folds_to_the_workflows_state(
    store: EventStore, pool: Pool
) -> None:
    from tests.integration.activities.placements import busy_placement

    placement = await busy_placement(store, index=1)

    trail = await store.read_stream(placement.stream_id)
    assert [event.version for event in trail] == list(range(1, len(placement.events) + 1))
    assert trail == [stored(event) for event in placement.events]
    expected_state = fold(placement.events)
    assert await store.load_state(placement.stream_id) == expected_state
    assert expected_state == placement.current
    snapshot = await pool.fetchval(
        "SELECT state FROM placement_snapshots WHERE stream_id = $1", placement.stream_id
    )
    assert snapshot == expected_state.model_dump(mode="json")


async def test_readers_follow_every_placement_in_the_order_events_were_stored(
    store: EventStore,
) -> None:
    first = await started(store)
    second = await started(store)
    await first.record(observation(ARRIVED + timedelta(hours=1)), at=ARRIVED + timedelta(hours=1))

    everything = await store.read_all(after_position=0, limit=100)
    tail = await store.read_all(after_position=everything[1].position, limit=100)

    assert [(e.event.stream_id, e.event.version) for e in everything] == [
        (first.stream_id, 1),
        (first.stream_id, 2),
        (second.stream_id, 1),
        (second.stream_id, 2),
        (first.stream_id, 3),
    ]
    assert tail == everything[2:]
