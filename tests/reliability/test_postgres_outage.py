"""PostgreSQL stops for a while in the middle of a busy scenario: the placements keep accepting
actions, the appends and deliveries retry with backoff, and once PostgreSQL is back every event
lands exactly once and in order, and every notification goes out once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from activities.event_store import EventStore
from safeside.db import create_pool
from safeside.embedded.postgres import EmbeddedPostgres
from safeside.migrate import migrate
from starter.services.placements import current_state, record_action
from tests.support import faults
from tests.support.placements import KEY_WORKER, leaflet, new_placement_id, observation
from tests.support.workers import (
    RecordingChannel,
    end_placements,
    placement_of,
    real_worker,
    start_placements,
)
from workflows.domain.commands import ChangeRiskLevel
from workflows.domain.common import RiskLevel
from workflows.domain.policy import Policy
from workflows.domain.state import PlacementState

pytestmark = pytest.mark.slow

PLACEMENTS = 8
OUTAGE_SECONDS = 10


def actions_during_outage() -> list[object]:
    now = datetime.now(UTC)
    return [
        leaflet(now),
        observation(now, "log p.4"),
        ChangeRiskLevel(actor=KEY_WORKER, to_level=RiskLevel.medium, reason="settling in"),
    ]


async def test_a_postgres_outage_delays_the_trail_but_loses_and_doubles_nothing(
    own_postgres: EmbeddedPostgres, client: Client, keyring_env: dict[str, str], task_queue: str
) -> None:
    url = await own_postgres.ensure_database("safeside")
    await migrate(url)
    pool = await create_pool(url, max_size=8)
    channel = RecordingChannel()
    settings = faults.keyed_settings(keyring_env, database_url=url, task_queue=task_queue)
    ids = [new_placement_id() for _ in range(PLACEMENTS)]
    accepted_during_outage = 0
    async with real_worker(client, pool, channel, task_queue=task_queue, settings=settings):
        arrived = datetime.now(UTC) - timedelta(hours=1)
        handles = await start_placements(
            client, ids, arrived, task_queue=task_queue, policy=Policy()
        )

        async def arrivals_stored() -> bool:
            return all(len(v) >= 2 for v in (await faults.versions_by_stream(pool, ids)).values())

        await faults.eventually(arrivals_stored, 60, "the arrivals reaching PostgreSQL")
        delivered_before = (await faults.outbox_by_status(pool, ids)).get("delivered", set())
        await own_postgres.stop()
        sent_before_outage = set(channel.sent)
        outage_began = asyncio.get_running_loop().time()
        for command in actions_during_outage():
            results = await asyncio.gather(
                *(record_action(client, placement_of(h), command) for h in handles)
            )
            accepted_during_outage += len(results)
        assert all(result.version == 5 for result in results)
        elapsed = asyncio.get_running_loop().time() - outage_began
        await asyncio.sleep(max(0.0, OUTAGE_SECONDS - elapsed))
        await own_postgres.start()

        states: dict[str, PlacementState] = {}

        async def caught_up() -> bool:
            stored = await faults.versions_by_stream(pool, ids)
            for h in handles:
                states[h.id] = await current_state(client, placement_of(h))
            return all(len(stored[s.stream_id]) == s.version for s in states.values())

        await faults.eventually(caught_up, 120, "the trail catching up after the outage")
        outcomes = await end_placements(client, handles)
        finals = [await current_state(client, placement_of(h)) for h in handles]
        histories = [await h.fetch_history() for h in handles]

    store = EventStore(pool, Policy())
    versions = await faults.versions_by_stream(pool, ids)
    for outcome, final in zip(outcomes, finals, strict=True):
        assert versions[outcome.placement_id] == list(range(1, outcome.final_version + 1))
        trail = await store.read_stream(outcome.placement_id)
        assert [e.event_type for e in trail[2:5]] == [
            "leaflet_delivered",
            "observation_recorded",
            "risk_level_changed",
        ]
        # The trail alone rebuilds exactly the state the workflow holds: nothing lost,
        # doubled or out of order.
        assert await store.load_state(outcome.placement_id) == final
    retried_appends = [
        event.activity_task_started_event_attributes.attempt
        for history in histories
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
        and event.activity_task_started_event_attributes.attempt > 1
    ]
    assert retried_appends, "no activity was retried: the outage was not felt"
    outbox = await faults.outbox_by_status(pool, ids)
    await pool.close()
    assert set(outbox) == {"delivered"}
    assert set(channel.sent) == outbox["delivered"]
    resent = {key for key, count in channel.times_sent().items() if count > 1}
    # Sent again only where the outage cut the connection between sending and recording it.
    assert resent <= sent_before_outage - delivered_before
    assert set(channel.times_sent().values()) <= {1, 2}

    faults.FIGURES["faults injected: PostgreSQL stopped"] += 1
    faults.FIGURES["scenarios run"] += 1
    faults.FIGURES["placements checked"] += PLACEMENTS
    faults.FIGURES["updates accepted while PostgreSQL was down"] += accepted_during_outage
    faults.FIGURES["activity retries during the outage"] += len(retried_appends)
    faults.FIGURES["events checked"] += sum(len(v) for v in versions.values())
    faults.FIGURES["notifications checked"] += len(outbox["delivered"])
    faults.FIGURES["notifications resent after the outage (same Idempotency-Key)"] += len(resent)
    faults.FIGURES.update(faults.workflow_task_troubles(histories))
