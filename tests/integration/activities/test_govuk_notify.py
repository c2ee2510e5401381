"""GOV.UK Notify as a channel, against a local stand-in for Notify's API that checks the JWT and
the request as Notify does (tests/support/govuk_notify.py), with the real outbox on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment

from activities.channels import build_channels
from activities.errors import DeliveryFailed
from activities.event_store import EventStore
from activities.outbox import Outbox
from activities.placement_activities import NotificationActivities
from safeside.contracts.activities import DeliveryRequest, MarkFailedRequest
from safeside.db import Pool
from safeside.embedded.processes import free_port
from starter.services.placements import start_placement
from tests.integration.activities.placements import ARRIVED, Placement, start
from tests.support.govuk_notify import (
    SERVICE_ID,
    NotifyReceiver,
    Taken,
    notify_receiver,
    templates,
)
from tests.support.placements import (
    end,
    leaflet,
    new_placement_id,
    record_return,
    report_missing,
    start_command,
)
from worker import build_worker
from workflows.domain.common import RiskLevel, Role
from workflows.domain.policy import Policy
from workflows.placement import PlacementWorkflow

POLICE_EMAIL = "missing-persons@police.example"
SOCIAL_WORKER_MOBILE = "07700 900123"


@pytest.fixture
def receiver() -> Iterator[NotifyReceiver]:
    with notify_receiver() as receiver:
        yield receiver


def notify_outbox(pool: Pool, receiver: NotifyReceiver, **changes: object) -> Outbox:
    """The outbox, sending the police an e-mail and the social worker a text through Notify."""
    settings = receiver.settings(
        notify_channels={"police": "govuk_notify", "social_worker": "govuk_notify"},
        notify_email_to={"police": POLICE_EMAIL},
        notify_sms_to={"social_worker": SOCIAL_WORKER_MOBILE},
        govuk_notify_send_as={"social_worker": "sms"},
        **changes,
    )
    return Outbox(pool, build_channels(settings))


async def started(store: EventStore) -> Placement:
    placement = Placement(store)
    await placement.record(start(placement.stream_id), at=ARRIVED)
    return placement


async def start_notice_to(
    role: str, store: EventStore, pool: Pool, receiver: NotifyReceiver
) -> tuple[str, str, Taken]:
    """A placement's start, its notice to ``role`` delivered: the placement's id, the notice's
    idempotency key, and the one message Notify took."""
    placement = await started(store)
    key = f"{placement.stream_id}:1:{role}"
    await notify_outbox(pool, receiver).deliver(DeliveryRequest(idempotency_key=key))
    [message] = receiver.taken
    return placement.stream_id, key, message


@pytest.mark.parametrize(
    ("role", "kind", "to"),
    [("police", "email", POLICE_EMAIL), ("social_worker", "sms", SOCIAL_WORKER_MOBILE)],
)
async def test_notify_sends_each_role_its_email_or_text_with_the_idempotency_key_as_reference(
    store: EventStore, pool: Pool, receiver: NotifyReceiver, role: str, kind: str, to: str
) -> None:
    placement_id, key, message = await start_notice_to(role, store, pool, receiver)
    assert (message.kind, message.to, message.reference) == (kind, to, key)
    assert message.template_id == templates(kind)["placement_started"]
    assert message.personalisation["case_reference"] == f"CASE-{placement_id}"


async def test_the_police_are_told_where_the_child_lives_and_that_immigration_is_relevant(
    store: EventStore, pool: Pool, receiver: NotifyReceiver
) -> None:
    _, _, email = await start_notice_to("police", store, pool, receiver)
    fields = email.personalisation
    assert fields["unit_id"] == "UNIT-7"
    assert fields["details_ukvi_relevant"] == "yes"
    assert "Purpose: placement started" in fields["body"]


async def test_where_a_child_was_found_reaches_the_police_and_not_the_social_worker(
    store: EventStore, pool: Pool, receiver: NotifyReceiver
) -> None:
    placement = await started(store)
    await placement.record(
        report_missing(ARRIVED + timedelta(hours=2)), at=ARRIVED + timedelta(hours=3)
    )
    returned = await placement.record(
        record_return(ARRIVED + timedelta(hours=6), where="FOUND-REF-77"),
        at=ARRIVED + timedelta(hours=6),
    )
    version = returned.last_version
    outbox = notify_outbox(pool, receiver)

    for role in ("police", "social_worker"):
        await outbox.deliver(
            DeliveryRequest(idempotency_key=f"{placement.stream_id}:{version}:{role}")
        )

    police, social_worker = receiver.taken
    assert police.personalisation["details_where_found_reference"] == "FOUND-REF-77"
    assert police.personalisation["unit_id"] == "UNIT-7"
    assert "details_where_found_reference" not in social_worker.personalisation
    assert social_worker.personalisation["unit_id"] == ""
    said = " ".join(social_worker.personalisation.values())
    assert "FOUND-REF-77" not in said
    assert "UNIT-7" not in said


async def test_a_key_notify_refuses_fails_the_attempt_once_and_is_given_up_as_for_any_channel(
    store: EventStore, pool: Pool, receiver: NotifyReceiver
) -> None:
    placement = await started(store)
    key = f"{placement.stream_id}:1:police"
    wrong_secret = f"safeside_test-{SERVICE_ID}-00000000-0000-4000-8000-000000000000"
    deliver = NotificationActivities(
        notify_outbox(pool, receiver, govuk_notify_api_key=wrong_secret)
    )

    for attempt in (1, 2):
        with pytest.raises(ApplicationError) as refused:
            await ActivityEnvironment().run(
                deliver.deliver_notification, DeliveryRequest(idempotency_key=key)
            )
        assert refused.value.type == "DeliveryFailed"
        assert "GOV.UK Notify answered HTTP 403 (AuthError)" in str(refused.value)
        assert len(receiver.refused) == attempt  # the channel does not retry by itself
    row = await pool.fetchrow("SELECT * FROM notifications WHERE idempotency_key = $1", key)
    assert (row["status"], row["attempts"]) == ("pending", 2)
    assert row["last_error"] == "GOV.UK Notify answered HTTP 403 (AuthError)"
    assert "police.example" not in str(refused.value)

    await ActivityEnvironment().run(
        deliver.mark_notification_failed,
        MarkFailedRequest(idempotency_key=key, reason="not delivered after 8 attempts"),
    )

    assert receiver.taken == []
    status = await pool.fetchval("SELECT status FROM notifications WHERE idempotency_key = $1", key)
    assert status == "failed"


async def test_notify_failing_once_is_retried_and_takes_the_notice_once(
    store: EventStore, pool: Pool, receiver: NotifyReceiver
) -> None:
    placement = await started(store)
    key = f"{placement.stream_id}:1:police"
    receiver.answers = [500]
    outbox = notify_outbox(pool, receiver)

    with pytest.raises(DeliveryFailed, match=r"GOV.UK Notify answered HTTP 500 \(Exception\)"):
        await outbox.deliver(DeliveryRequest(idempotency_key=key))
    result = await outbox.deliver(DeliveryRequest(idempotency_key=key))
    again = await outbox.deliver(DeliveryRequest(idempotency_key=key))

    assert (result.already_delivered, again.already_delivered) == (False, True)
    assert receiver.times_taken() == {key: 1}
    assert receiver.refused == [(500, "Exception")]


async def test_notify_that_cannot_be_reached_fails_the_attempt_for_a_retry(
    store: EventStore, pool: Pool, receiver: NotifyReceiver
) -> None:
    placement = await started(store)
    key = f"{placement.stream_id}:1:police"
    # Nothing listens there.
    outbox = notify_outbox(pool, receiver, govuk_notify_base_url=f"http://127.0.0.1:{free_port()}")

    with pytest.raises(
        DeliveryFailed, match=r"request to GOV.UK Notify failed \(ConnectionError\)"
    ):
        await outbox.deliver(DeliveryRequest(idempotency_key=key))


async def test_a_placement_on_a_real_worker_tells_every_partner_through_notify_once_each(
    dev_env: WorkflowEnvironment, task_queue: str, pool: Pool, receiver: NotifyReceiver
) -> None:
    roles = [role.value for role in Role]
    settings = receiver.settings(
        task_queue=task_queue,
        notify_channels=dict.fromkeys(roles, "govuk_notify"),
        notify_email_to={role: f"{role}@partner.example" for role in roles},
        notify_sms_to={"social_worker": SOCIAL_WORKER_MOBILE},
        govuk_notify_send_as={"social_worker": "sms"},
    )
    arrived = datetime.now(UTC) - timedelta(hours=1)
    placement_id = new_placement_id()
    facts = start_command(
        placement_id, arrived, looked_after_since=arrived.date(), risk=RiskLevel.medium
    )

    async with build_worker(dev_env.client, pool, settings):
        handle = await start_placement(
            dev_env.client, facts, policy=Policy(), task_queue=task_queue
        )
        await handle.execute_update(
            PlacementWorkflow.record, leaflet(arrived + timedelta(minutes=30))
        )
        await handle.execute_update(PlacementWorkflow.record, end(datetime.now(UTC)))
        await handle.result()

    outbox = await pool.fetch(
        "SELECT idempotency_key, recipient, status FROM notifications WHERE stream_id = $1",
        placement_id,
    )
    keys = sorted(row["idempotency_key"] for row in outbox)
    assert {row["status"] for row in outbox} == {"delivered"}
    assert receiver.times_taken() == dict.fromkeys(keys, 1)  # each notice once, keyed
    assert f"{placement_id}:1:police" in keys
    texts = [message for message in receiver.taken if message.kind == "sms"]
    assert {message.to for message in texts} == {SOCIAL_WORKER_MOBILE}
    assert {message.reference.rsplit(":", 1)[1] for message in texts} == {"social_worker"}
    assert receiver.refused == []
