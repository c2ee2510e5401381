"""The activity calls an event stream makes to store events and deliver notifications, with
their retry policies, in one place. Called from workflow code only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from safeside.contracts import activities as contract
    from workflows.changes import BATCHED_DELIVERIES, has_change
    from workflows.domain.unit.membership import PlacementReport


# Appends wait out a database outage: retry with backoff, never give up (nothing is lost).
APPEND_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
    non_retryable_error_types=["VersionConflict", "VersionGap", "InvalidBatch"],
)
# A delivery that keeps failing is retried with backoff up to a limit, then shown as failed.
DELIVERY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=10),
    maximum_attempts=8,
)
# A delivery heartbeats while it sends: a worker that dies mid-send is noticed this soon and
# the delivery retried, instead of after its start-to-close timeout. (Timeouts are not part
# of what a replay compares, so histories recorded without it still replay.)
DELIVERY_HEARTBEAT_TIMEOUT = timedelta(seconds=10)


@dataclass(frozen=True)
class Appended:
    """What an append leaves to do: the notices still owed, and whether the unit report it
    carried reached the unit."""

    owed: list[contract.OutboxMessage]
    reported: bool = False


async def append_batch(
    stream_id: str,
    events: list[contract.StoredEvent],
    notifications: list[contract.OutboxMessage],
    unit_report: PlacementReport | None = None,
) -> Appended:
    """Store a stream's new events (numbered on from the first) and the notices they owe.
    Since the batched-deliveries change the append also sends them at once, so usually none
    is left to deliver; a placement's report to its unit rides with it the same way."""
    batch = contract.AppendBatch(
        stream_id=stream_id,
        expected_version=events[0].version - 1,
        events=events,
        notifications=notifications,
        unit_report=unit_report,
    )
    if unit_report is not None or (notifications and has_change(BATCHED_DELIVERIES)):
        stored: contract.AppendAndDeliverResult = await workflow.execute_activity(
            contract.ActivityName.APPEND_AND_DELIVER,
            batch,
            result_type=contract.AppendAndDeliverResult,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=APPEND_RETRY,
        )
        delivered = set(stored.delivered)
        return Appended(
            owed=[m for m in notifications if m.idempotency_key not in delivered],
            reported=stored.reported,
        )
    await workflow.execute_activity(
        contract.ActivityName.APPEND_EVENTS,
        batch,
        result_type=contract.AppendResult,
        start_to_close_timeout=timedelta(seconds=30),
        retry_policy=APPEND_RETRY,
    )
    return Appended(owed=list(notifications))


@dataclass(frozen=True)
class Delivery:
    """Notifications delivered by one activity: a whole batch, or (in runs older than the
    batched-deliveries patch, replaying) a single one through the single-message activity."""

    messages: list[contract.OutboxMessage]
    batched: bool


def deliveries_for(messages: list[contract.OutboxMessage]) -> list[Delivery]:
    """How to deliver what one append owes: one activity for the lot, or one each in runs
    recorded before the change (their histories must replay as they were made)."""
    if not messages:
        return []
    if has_change(BATCHED_DELIVERIES):
        return [Delivery(messages=list(messages), batched=True)]
    return [Delivery(messages=[message], batched=False) for message in messages]


async def deliver(delivery: Delivery) -> ActivityError | None:
    """Deliver; the failure after every retry, or None once every message is delivered. A
    retried batch re-sends only what did not get through."""
    try:
        if delivery.batched:
            await workflow.execute_activity(
                contract.ActivityName.DELIVER_NOTIFICATIONS,
                contract.DeliveryBatch(
                    idempotency_keys=[m.idempotency_key for m in delivery.messages]
                ),
                result_type=contract.DeliveryBatchResult,
                start_to_close_timeout=timedelta(seconds=60),
                heartbeat_timeout=DELIVERY_HEARTBEAT_TIMEOUT,
                retry_policy=DELIVERY_RETRY,
            )
        else:
            (message,) = delivery.messages
            await workflow.execute_activity(
                contract.ActivityName.DELIVER_NOTIFICATION,
                contract.DeliveryRequest(idempotency_key=message.idempotency_key),
                result_type=contract.DeliveryResult,
                start_to_close_timeout=timedelta(seconds=60),
                heartbeat_timeout=DELIVERY_HEARTBEAT_TIMEOUT,
                retry_policy=DELIVERY_RETRY,
            )
    except ActivityError as failure:
        return failure
    return None


async def mark_failed(
    message: contract.OutboxMessage, failure: ActivityError
) -> contract.MarkFailedResult:
    """Show a notification given up on as failed in the outbox."""
    result: contract.MarkFailedResult = await workflow.execute_activity(
        contract.ActivityName.MARK_NOTIFICATION_FAILED,
        contract.MarkFailedRequest(
            idempotency_key=message.idempotency_key, reason=str(failure.cause or failure)
        ),
        result_type=contract.MarkFailedResult,
        start_to_close_timeout=timedelta(seconds=30),
        retry_policy=APPEND_RETRY,
    )
    return result
