"""The outbox: every notification an event owes is written with it, and delivered once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
import pytest_asyncio
import structlog
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import Worker

from activities.channels import ChannelRouter, LogChannel
from activities.errors import ChannelError, DeliveryFailed
from activities.event_store import EventStore
from activities.messages import Notification
from activities.outbox import Outbox
from activities.placement_activities import AppendAndDeliverActivities, NotificationActivities
from activities.registry import build_activities
from safeside.contracts.activities import (
    ActivityName,
    DeliveryBatch,
    DeliveryRequest,
    DeliveryResult,
    MarkFailedRequest,
)
from safeside.db import Pool
from safeside.settings import Settings
from tests.integration.activities.placements import ARRIVED, POLICY, Placement, start
from workflows.domain.summary import handover_summary
from workflows.domain.unit.membership import PlacementReport


class FlakyChannel:
    """Refuses the first `failures` messages, then takes every one (a relay coming back)."""

    def __init__(self, failures: int = 0, delay: float = 0.0) -> None:
        self.failures_left = failures
        self.delay = delay
        self.sent: list[str] = []

    async def send(self, message: Notification) -> None:
        await asyncio.sleep(self.delay)
        if self.failures_left > 0:
            self.failures_left -= 1
            raise ChannelError("the relay is not answering")
        self.sent.append(message.idempotency_key)


async def started_placement_keys(store: EventStore, pool: Pool) -> tuple[Placement, list[str]]:
    placement = Placement(store)
    await placement.record(start(placement.stream_id), at=ARRIVED)
    keys = [
        row["idempotency_key"]
        for row in await pool.fetch(
            "SELECT idempotency_key FROM notifications WHERE stream_id = $1 ORDER BY 1",
            placement.stream_id,
        )
    ]
    return placement, keys


@pytest_asyncio.fixture(loop_scope="session")
async def keys(store: EventStore, pool: Pool) -> list[str]:
    """The idempotency keys of the notifications a placement just started owes, in order."""
    _, owed = await started_placement_keys(store, pool)
    return owed


async def test_a_new_placement_owes_its_partner_agencies_a_notification_each(
    store: EventStore, pool: Pool
) -> None:
    placement, keys = await started_placement_keys(store, pool)
    stream = placement.stream_id

    assert keys == sorted(
        [
            f"{stream}:1:host_local_authority",
            f"{stream}:1:placing_authority",
            f"{stream}:1:police",
            f"{stream}:1:social_worker",
            f"{stream}:1:ukvi",
            f"{stream}:2:interpreting_service",
        ]
    )
    row = await pool.fetchrow(
        "SELECT * FROM notifications WHERE idempotency_key = $1", f"{stream}:1:police"
    )
    assert (row["status"], row["attempts"], row["delivered_at"]) == ("pending", 0, None)
    content = row["content"]
    assert content["placement_id"] == stream
    assert content["case_reference"] == f"CASE-{stream}"
    assert content["unit_id"] == "UNIT-7"
    assert content["risk_level"] == "medium"
    assert content["details"]["ukvi_relevant"] is True


@workflow.defn(sandboxed=False)
class DeliverEverything:
    """Delivers each key the way the placement workflow does: retried with backoff."""

    @workflow.run
    async def run(self, keys: list[str]) -> list[DeliveryResult]:
        results = []
        for key in keys:
            result = await workflow.execute_activity(
                ActivityName.DELIVER_NOTIFICATION,
                DeliveryRequest(idempotency_key=key),
                start_to_close_timeout=timedelta(seconds=10),
                retry_policy=RetryPolicy(
                    initial_interval=timedelta(milliseconds=20),
                    backoff_coefficient=1.5,
                    maximum_attempts=10,
                ),
                result_type=DeliveryResult,
            )
            results.append(result)
        return results


async def test_a_channel_that_fails_for_a_while_then_recovers_delivers_each_notification_once(
    keys: list[str], pool: Pool, dev_env: WorkflowEnvironment, task_queue: str
) -> None:
    channel = FlakyChannel(failures=4)
    activities = build_activities(pool, Settings(), channels=ChannelRouter(default=channel))

    async with Worker(
        dev_env.client, task_queue=task_queue, workflows=[DeliverEverything], activities=activities
    ):
        first = await dev_env.client.execute_workflow(
            DeliverEverything.run, keys, id=f"deliver-{uuid.uuid4()}", task_queue=task_queue
        )
        again = await dev_env.client.execute_workflow(
            DeliverEverything.run, keys, id=f"deliver-{uuid.uuid4()}", task_queue=task_queue
        )

    assert sorted(channel.sent) == keys  # each one, once
    assert [result.already_delivered for result in first] == [False] * len(keys)
    assert [result.already_delivered for result in again] == [True] * len(keys)
    rows = await pool.fetch("SELECT status, attempts FROM notifications")
    assert {row["status"] for row in rows} == {"delivered"}
    assert sum(row["attempts"] for row in rows) == len(keys) + 4


async def test_a_failed_attempt_is_recorded_on_the_outbox_row_and_retried(
    keys: list[str], pool: Pool
) -> None:
    channel = FlakyChannel(failures=1)
    deliver = NotificationActivities(Outbox(pool, ChannelRouter(default=channel)))

    with pytest.raises(ApplicationError) as failed:
        await ActivityEnvironment().run(
            deliver.deliver_notification, DeliveryRequest(idempotency_key=keys[0])
        )
    assert failed.value.type == "DeliveryFailed"
    assert not failed.value.non_retryable
    row = await pool.fetchrow("SELECT * FROM notifications WHERE idempotency_key = $1", keys[0])
    assert (row["status"], row["attempts"], row["last_error"]) == (
        "pending",
        1,
        "the relay is not answering",
    )

    await ActivityEnvironment().run(
        deliver.deliver_notification, DeliveryRequest(idempotency_key=keys[0])
    )
    row = await pool.fetchrow("SELECT * FROM notifications WHERE idempotency_key = $1", keys[0])
    assert (row["status"], row["attempts"], row["last_error"]) == ("delivered", 2, None)


async def unit_never_reached(report: PlacementReport) -> None:
    raise AssertionError("this append carries no report to the unit")


async def test_an_append_delivers_what_it_owes_at_once_and_leaves_what_failed_or_was_slow(
    store: EventStore, pool: Pool
) -> None:
    placement = Placement(store)
    batch = placement.batch(placement.decide(start(placement.stream_id), ARRIVED))
    keys = sorted(message.idempotency_key for message in batch.notifications)
    # One send fails the first time; on the retry the channel is slower than the append waits.
    channel = FlakyChannel(failures=1, delay=0.5)
    append = AppendAndDeliverActivities(
        store,
        Outbox(pool, ChannelRouter(default=channel)),
        report_to_unit=unit_never_reached,
        deliver_within=2.0,
    )

    first = await ActivityEnvironment().run(append.append_and_deliver, batch)
    assert first.appended.appended == len(batch.events)
    assert first.delivered == sorted(channel.sent)
    assert len(first.delivered) == len(keys) - 1  # all but the one that failed

    channel.delay = 5.0
    retried = await ActivityEnvironment().run(append.append_and_deliver, batch)
    assert retried.appended.appended == 0  # the retry stored nothing twice
    assert retried.delivered == first.delivered  # already delivered; the slow one cut off

    rows = await pool.fetch("SELECT idempotency_key, status FROM notifications ORDER BY 1")
    assert [row["idempotency_key"] for row in rows] == keys
    pending = [row["idempotency_key"] for row in rows if row["status"] == "pending"]
    assert pending == sorted(set(keys) - set(first.delivered))


def report_of(placement: Placement) -> PlacementReport:
    state = placement.current
    assert state.facts is not None
    return PlacementReport(
        unit_id=state.facts.unit_id,
        placement_id=state.stream_id,
        version=state.version,
        status=state.status,
        arrived_at=state.facts.arrived_at,
        risk_level=state.risk_level,
        summary=handover_summary(state, ARRIVED, POLICY),
    )


async def test_an_append_reports_to_the_unit_once_stored_and_says_when_it_could_not(
    store: EventStore, pool: Pool
) -> None:
    placement = Placement(store)
    batch = placement.batch(placement.decide(start(placement.stream_id), ARRIVED))
    batch = batch.model_copy(update={"unit_report": report_of(placement)})
    heard: list[tuple[int, int]] = []

    async def unit(report: PlacementReport) -> None:
        stored = await pool.fetchval(
            "SELECT count(*) FROM events WHERE stream_id = $1", report.placement_id
        )
        heard.append((report.version, stored))

    async def unit_down(report: PlacementReport) -> None:
        raise RPCError("the unit's workflow did not answer", RPCStatusCode.UNAVAILABLE, b"")

    outbox = Outbox(pool, ChannelRouter(default=LogChannel()))
    first = await ActivityEnvironment().run(
        AppendAndDeliverActivities(store, outbox, report_to_unit=unit_down).append_and_deliver,
        batch,
    )
    assert first.appended.appended == len(batch.events)  # stored all the same
    assert first.reported is False  # the workflow sends the report by itself

    retried = await ActivityEnvironment().run(
        AppendAndDeliverActivities(store, outbox, report_to_unit=unit).append_and_deliver, batch
    )
    assert retried.reported is True
    # The unit heard where the placement stands after its events were stored.
    assert heard == [(len(batch.events), len(batch.events))]


async def test_a_batch_that_partly_fails_is_retried_for_the_rest_only(
    keys: list[str], pool: Pool
) -> None:
    channel = FlakyChannel(failures=2)
    deliver = NotificationActivities(Outbox(pool, ChannelRouter(default=channel)))
    batch = DeliveryBatch(idempotency_keys=keys)

    with pytest.raises(ApplicationError) as failed:
        await ActivityEnvironment().run(deliver.deliver_notifications, batch)
    assert failed.value.type == "DeliveryFailed"
    assert not failed.value.non_retryable
    assert f"2 of {len(keys)} notifications not delivered" in str(failed.value)
    assert len(channel.sent) == len(keys) - 2

    retried = await ActivityEnvironment().run(deliver.deliver_notifications, batch)

    assert sorted(channel.sent) == keys  # each one, once
    assert sum(not result.already_delivered for result in retried.delivered) == 2
    rows = await pool.fetch("SELECT status FROM notifications")
    assert {row["status"] for row in rows} == {"delivered"}


async def test_a_batch_with_a_key_not_in_the_outbox_is_not_retried(
    keys: list[str], pool: Pool
) -> None:
    deliver = NotificationActivities(Outbox(pool, ChannelRouter(default=FlakyChannel(1))))
    batch = DeliveryBatch(idempotency_keys=[*keys, "PL-none:1:police"])

    with pytest.raises(ApplicationError) as refused:
        await ActivityEnvironment().run(deliver.deliver_notifications, batch)

    assert refused.value.type == "NotificationNotFound"
    assert refused.value.non_retryable


async def test_two_deliveries_of_one_notification_at_once_send_it_once(
    keys: list[str], pool: Pool
) -> None:
    channel = FlakyChannel(delay=0.2)
    outbox = Outbox(pool, ChannelRouter(default=channel))
    request = DeliveryRequest(idempotency_key=keys[0])

    results = await asyncio.gather(outbox.deliver(request), outbox.deliver(request))

    assert channel.sent == [keys[0]]
    assert sorted(result.already_delivered for result in results) == [False, True]


async def test_a_notification_given_up_on_shows_as_failed_but_a_delivered_one_stays_delivered(
    keys: list[str], pool: Pool
) -> None:
    outbox = Outbox(pool, ChannelRouter(default=FlakyChannel(failures=100)))
    with pytest.raises(DeliveryFailed):
        await outbox.deliver(DeliveryRequest(idempotency_key=keys[0]))
    await Outbox(pool, ChannelRouter(default=FlakyChannel())).deliver(
        DeliveryRequest(idempotency_key=keys[1])
    )

    gave_up = await outbox.mark_failed(
        MarkFailedRequest(idempotency_key=keys[0], reason="not delivered after 10 attempts")
    )
    too_late = await outbox.mark_failed(
        MarkFailedRequest(idempotency_key=keys[1], reason="not delivered after 10 attempts")
    )

    assert (gave_up.status, too_late.status) == ("failed", "delivered")
    failed = await pool.fetch(
        "SELECT idempotency_key, last_error FROM notifications WHERE status = 'failed'"
    )
    assert [(row["idempotency_key"], row["last_error"]) for row in failed] == [
        (keys[0], "not delivered after 10 attempts")
    ]


async def test_delivering_a_notification_that_is_not_in_the_outbox_is_not_retried(
    pool: Pool,
) -> None:
    deliver = NotificationActivities(Outbox(pool, ChannelRouter()))

    with pytest.raises(ApplicationError) as refused:
        await ActivityEnvironment().run(
            deliver.deliver_notification, DeliveryRequest(idempotency_key="PL-none:1:police")
        )

    assert refused.value.type == "NotificationNotFound"
    assert refused.value.non_retryable


async def test_the_log_channel_says_which_notification_went_where_and_nothing_more(
    store: EventStore, pool: Pool
) -> None:
    placement, _ = await started_placement_keys(store, pool)

    with structlog.testing.capture_logs() as lines:
        await Outbox(pool, ChannelRouter(default=LogChannel())).deliver(
            DeliveryRequest(idempotency_key=f"{placement.stream_id}:1:police")
        )

    sent = [line for line in lines if line["event"] == "notification sent"]
    assert sent == [
        {
            "event": "notification sent",
            "log_level": "info",
            "channel": "log",
            "idempotency_key": f"{placement.stream_id}:1:police",
            "recipient": "police",
            "purpose": "placement_started",
        }
    ]
