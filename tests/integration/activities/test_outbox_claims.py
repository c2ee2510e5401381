"""Deliveries outside the transaction (issue 21): a notification's row is claimed and committed,
the message sent with no connection or lock held, and the outcome recorded after; a sender that
dies mid-send loses its claim and the next one sends the same message, with the same key."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import pytest_asyncio
from temporalio.testing import ActivityEnvironment

from activities.channels import ChannelRouter, LogChannel, WebhookChannel, build_channels
from activities.errors import DeliveryFailed
from activities.event_store import EventStore
from activities.outbox import Outbox
from activities.placement_activities import NotificationActivities
from safeside.contracts.activities import DeliveryBatch, DeliveryRequest
from safeside.db import Pool, create_pool
from safeside.settings import Settings
from tests.integration.activities.placements import ARRIVED, Placement, start
from tests.integration.activities.test_notifications import FlakyChannel
from workflows.domain.policy import Policy


@dataclass
class HoldingReceiver:
    """A partner's webhook over HTTP/1.1 (connections kept alive) that holds the first
    ``hold`` requests until ``release`` is set: a slow partner agency."""

    url: str
    hold: int = 0
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    # (the sender's port, its Idempotency-Key header, the body) for each request
    received: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[HoldingReceiver]:
    receiving: HoldingReceiver

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            receiving.received.append(
                (self.client_address[1], self.headers["Idempotency-Key"], body)
            )
            if len(receiving.received) <= receiving.hold:
                receiving.arrived.set()
                receiving.release.wait(10)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output to the tests

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiving = HoldingReceiver(url=f"http://127.0.0.1:{server.server_port}/notify")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiving
    receiving.release.set()
    server.shutdown()
    server.server_close()


@pytest_asyncio.fixture(loop_scope="session")
async def one_connection(database_url: str) -> AsyncIterator[Pool]:
    """A pool of a single connection: a send that held it would stall everything else."""
    pool = await create_pool(database_url, min_size=1, max_size=1)
    yield pool
    await pool.close()


async def started(store: EventStore) -> Placement:
    placement = Placement(store)
    await placement.record(start(placement.stream_id), at=ARRIVED)
    return placement


async def test_a_slow_webhook_holds_no_connection_or_lock_while_the_message_is_on_its_way(
    one_connection: Pool, receiver: HoldingReceiver
) -> None:
    store = EventStore(one_connection, Policy())
    placement = await started(store)
    police, ukvi = f"{placement.stream_id}:1:police", f"{placement.stream_id}:1:ukvi"
    receiver.hold = 1
    webhook = WebhookChannel({"police": receiver.url})
    outbox = Outbox(one_connection, ChannelRouter({"police": webhook}, default=LogChannel()))

    sending = asyncio.create_task(outbox.deliver(DeliveryRequest(idempotency_key=police)))
    assert await asyncio.to_thread(receiver.arrived.wait, 5)

    # While the police's webhook keeps the message, the only connection does other work.
    async with asyncio.timeout(3):
        another = Placement(store)
        appended = await another.record(start(another.stream_id), at=ARRIVED)  # an append
        other = await outbox.deliver(DeliveryRequest(idempotency_key=ukvi))  # another delivery
        async with one_connection.acquire() as con:
            # NOWAIT: a row lock held by the sender would fail this at once.
            status = await con.fetchval(
                "SELECT status FROM notifications WHERE idempotency_key = $1 FOR UPDATE NOWAIT",
                police,
            )
    assert not sending.done()
    assert (status, other.already_delivered) == ("pending", False)
    assert appended.appended == 2

    receiver.release.set()
    sent = await sending
    await webhook.aclose()

    assert not sent.already_delivered
    row = await one_connection.fetchrow(
        "SELECT status, attempts, claimed_until FROM notifications WHERE idempotency_key = $1",
        police,
    )
    assert dict(row) == {"status": "delivered", "attempts": 1, "claimed_until": None}


async def test_a_sender_that_dies_mid_send_is_replaced_once_its_claim_lapses_with_the_same_key(
    database_url: str, pool: Pool, store: EventStore, receiver: HoldingReceiver
) -> None:
    placement = await started(store)
    key = f"{placement.stream_id}:1:police"
    receiver.hold = 1
    claim = timedelta(seconds=1)
    # The dying sender's process goes away mid-send: its connections with it, nothing recorded.
    dying_pool = await create_pool(database_url, max_size=2)
    dying_webhook = WebhookChannel({"police": receiver.url})
    dying = Outbox(dying_pool, ChannelRouter({"police": dying_webhook}), claim_for=claim)
    sending = asyncio.create_task(dying.deliver(DeliveryRequest(idempotency_key=key)))
    assert await asyncio.to_thread(receiver.arrived.wait, 5)
    dying_pool.terminate()
    sending.cancel()
    await asyncio.gather(sending, return_exceptions=True)
    await dying_webhook.aclose()
    left = await pool.fetchrow(
        "SELECT status, attempts, claimed_until IS NOT NULL AS claimed FROM notifications "
        "WHERE idempotency_key = $1",
        key,
    )
    assert dict(left) == {"status": "pending", "attempts": 0, "claimed": True}

    webhook = WebhookChannel({"police": receiver.url})
    survivor = Outbox(pool, ChannelRouter({"police": webhook}), claim_for=claim)
    began = time.monotonic()
    resent = await survivor.deliver(DeliveryRequest(idempotency_key=key))
    waited = time.monotonic() - began
    again = await survivor.deliver(DeliveryRequest(idempotency_key=key))
    await webhook.aclose()

    assert waited < 3 * claim.total_seconds()  # tried again once the claim lapsed, no later
    assert (resent.already_delivered, again.already_delivered) == (False, True)
    assert again.delivered_at == resent.delivered_at
    # The receiver saw the message twice under one key, so it can drop the second.
    assert [(header, body["idempotency_key"]) for _, header, body in receiver.received] == [
        (key, key),
        (key, key),
    ]
    row = await pool.fetchrow(
        "SELECT status, attempts, claimed_until FROM notifications WHERE idempotency_key = $1",
        key,
    )
    assert dict(row) == {"status": "delivered", "attempts": 1, "claimed_until": None}


async def test_a_send_cut_off_by_the_append_frees_its_row_for_the_next_attempt_at_once(
    pool: Pool, store: EventStore
) -> None:
    placement = await started(store)
    key = f"{placement.stream_id}:1:police"
    slow = Outbox(pool, ChannelRouter(default=FlakyChannel(delay=5.0)))

    assert await slow.deliver_at_once([key], within=0.1) == []
    claimed = await pool.fetchval(
        "SELECT claimed_until FROM notifications WHERE idempotency_key = $1", key
    )
    async with asyncio.timeout(1):  # no wait for a claim: the cut-off send released it
        sent = await Outbox(pool, ChannelRouter(default=FlakyChannel())).deliver(
            DeliveryRequest(idempotency_key=key)
        )

    assert claimed is None
    assert not sent.already_delivered


async def test_a_send_slower_than_its_claim_allows_is_cut_off_and_recorded_for_a_retry(
    pool: Pool, store: EventStore
) -> None:
    placement = await started(store)
    key = f"{placement.stream_id}:1:police"
    outbox = Outbox(
        pool, ChannelRouter(default=FlakyChannel(delay=5.0)), claim_for=timedelta(seconds=0.4)
    )

    with pytest.raises(DeliveryFailed, match=r"did not take the message within 0\.3 s"):
        await outbox.deliver(DeliveryRequest(idempotency_key=key))

    row = await pool.fetchrow(
        "SELECT status, attempts, claimed_until FROM notifications WHERE idempotency_key = $1",
        key,
    )
    assert dict(row) == {"status": "pending", "attempts": 1, "claimed_until": None}


async def test_every_webhook_of_a_worker_goes_through_one_http_client_closed_when_it_stops(
    pool: Pool, store: EventStore, receiver: HoldingReceiver
) -> None:
    first, second, later = await started(store), await started(store), await started(store)
    settings = Settings(
        notify_channels={"police": "webhook", "ukvi": "webhook"},
        notify_webhook_urls={"police": receiver.url, "ukvi": receiver.url},
    )
    channels = build_channels(settings)
    outbox = Outbox(pool, channels)
    keys = [f"{p.stream_id}:1:{role}" for p in (first, second) for role in ("police", "ukvi")]

    for key in keys:
        await outbox.deliver(DeliveryRequest(idempotency_key=key))
    await channels.aclose()

    # One kept-alive connection from one client carried every message.
    assert [header for _, header, _ in receiver.received] == keys
    assert len({port for port, _, _ in receiver.received}) == 1
    with pytest.raises(DeliveryFailed, match="the webhook channel is closed"):
        await outbox.deliver(DeliveryRequest(idempotency_key=f"{later.stream_id}:1:police"))


async def test_a_delivery_heartbeats_while_it_sends_so_a_dead_worker_is_noticed_in_seconds(
    pool: Pool, store: EventStore
) -> None:
    placement = await started(store)
    deliver = NotificationActivities(
        Outbox(pool, ChannelRouter(default=FlakyChannel(delay=0.5))), heartbeat_every=0.05
    )
    env = ActivityEnvironment()
    beats: list[object] = []
    env.on_heartbeat = lambda *details: beats.append(details)

    await env.run(
        deliver.deliver_notifications,
        DeliveryBatch(idempotency_keys=[f"{placement.stream_id}:1:police"]),
    )

    assert len(beats) >= 5
