"""Channels, against real receivers on loopback: an SMTP sink and an HTTP receiver."""

from __future__ import annotations

import email
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from activities.channels import (
    ChannelConfigError,
    ChannelRouter,
    LogChannel,
    SmtpChannel,
    WebhookChannel,
    build_channels,
)
from activities.errors import DeliveryFailed
from activities.event_store import EventStore
from activities.outbox import Outbox
from safeside.contracts.activities import DeliveryRequest
from safeside.db import Pool
from safeside.embedded.processes import free_port
from safeside.settings import Settings
from tests.integration.activities.placements import ARRIVED, Placement, start


@dataclass
class SmtpSink:
    port: int
    received: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink(port=free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    yield sink
    controller.stop()


@dataclass
class WebhookReceiver:
    url: str
    answers: list[int]  # status codes to answer with, in turn; 200 once they run out
    received: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver: WebhookReceiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            receiver.received.append((dict(self.headers), body))
            status = receiver.answers.pop(0) if receiver.answers else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output to the tests

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = WebhookReceiver(url=f"http://127.0.0.1:{server.server_port}/notify", answers=[])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


async def police_notification(store: EventStore) -> tuple[Placement, str]:
    placement = Placement(store)
    await placement.record(start(placement.stream_id), at=ARRIVED)
    return placement, f"{placement.stream_id}:1:police"


async def test_the_police_get_an_email_whose_message_id_is_the_idempotency_key(
    store: EventStore, pool: Pool, smtp_sink: SmtpSink
) -> None:
    placement, key = await police_notification(store)
    smtp = SmtpChannel(
        host="127.0.0.1",
        port=smtp_sink.port,
        sender="safeside@unit7.example",
        to_by_role={"police": "missing-persons@police.example"},
    )

    await Outbox(pool, ChannelRouter({"police": smtp})).deliver(
        DeliveryRequest(idempotency_key=key)
    )

    [mail] = smtp_sink.received
    assert mail["Message-ID"] == f"<{placement.stream_id}.1.police@unit7.example>"
    assert mail["X-Safeside-Idempotency-Key"] == key
    assert mail["To"] == "missing-persons@police.example"
    assert placement.stream_id in mail["Subject"]
    body = mail.get_payload(decode=True).decode()
    assert f"Case reference: CASE-{placement.stream_id}" in body
    assert "Purpose: placement started" in body


async def test_an_smtp_server_that_cannot_be_reached_fails_the_delivery_for_a_retry(
    store: EventStore, pool: Pool
) -> None:
    _, key = await police_notification(store)
    smtp = SmtpChannel(
        host="127.0.0.1",
        port=free_port(),  # nothing listens there
        sender="safeside@unit7.example",
        to_by_role={"police": "missing-persons@police.example"},
        timeout=2,
    )

    with pytest.raises(DeliveryFailed, match=r"SMTP delivery failed \(ConnectionRefusedError\)"):
        await Outbox(pool, ChannelRouter({"police": smtp})).deliver(
            DeliveryRequest(idempotency_key=key)
        )
    error = await pool.fetchval(
        "SELECT last_error FROM notifications WHERE idempotency_key = $1", key
    )
    assert "police.example" not in error


async def test_a_webhook_receives_the_notification_with_its_idempotency_key_header(
    store: EventStore, pool: Pool, webhook_receiver: WebhookReceiver
) -> None:
    placement, key = await police_notification(store)
    webhook = WebhookChannel({"police": webhook_receiver.url}, token="t0ken")

    await Outbox(pool, ChannelRouter({"police": webhook})).deliver(
        DeliveryRequest(idempotency_key=key)
    )

    [(headers, body)] = webhook_receiver.received
    assert headers["Idempotency-Key"] == key
    assert headers["Authorization"] == "Bearer t0ken"
    assert body["idempotency_key"] == key
    assert body["recipient"] == "police"
    assert body["content"]["case_reference"] == f"CASE-{placement.stream_id}"


async def test_a_webhook_that_answers_an_error_is_retried_until_it_takes_the_message(
    store: EventStore, pool: Pool, webhook_receiver: WebhookReceiver
) -> None:
    _, key = await police_notification(store)
    webhook_receiver.answers = [503]
    outbox = Outbox(
        pool, ChannelRouter({"police": WebhookChannel({"police": webhook_receiver.url})})
    )

    with pytest.raises(DeliveryFailed, match="the webhook answered HTTP 503"):
        await outbox.deliver(DeliveryRequest(idempotency_key=key))
    result = await outbox.deliver(DeliveryRequest(idempotency_key=key))

    assert not result.already_delivered
    keys_received = [headers["Idempotency-Key"] for headers, _ in webhook_receiver.received]
    assert keys_received == [key, key]  # the receiver can tell the second is the same message


def test_a_webhook_must_use_https_unless_it_is_on_this_machine() -> None:
    with pytest.raises(ChannelConfigError, match="webhook for role police must be an https"):
        WebhookChannel({"police": "http://police.example/notify"})
    WebhookChannel({"police": "https://police.example/notify", "ukvi": "http://127.0.0.1:9/x"})


def test_each_role_gets_the_channel_the_settings_name_and_the_log_otherwise() -> None:
    settings = Settings(
        notify_channels={"police": "webhook", "social_worker": "smtp"},
        notify_webhook_urls={"police": "https://police.example/notify"},
        notify_email_to={"social_worker": "duty@council.example"},
    )

    router = build_channels(settings)

    assert isinstance(router.for_recipient("police"), WebhookChannel)
    assert isinstance(router.for_recipient("social_worker"), SmtpChannel)
    assert isinstance(router.for_recipient("ofsted"), LogChannel)


def test_a_role_set_to_email_without_an_address_is_refused_at_start() -> None:
    settings = Settings(notify_channels={"police": "smtp"})

    with pytest.raises(ChannelConfigError, match=r"no address for roles \['police'\]"):
        build_channels(settings)


def test_notification_channels_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SAFESIDE_NOTIFY_CHANNELS", '{"ukvi": "webhook"}')
    monkeypatch.setenv("SAFESIDE_NOTIFY_WEBHOOK_URLS", '{"ukvi": "https://ukvi.example/hook"}')

    router = build_channels(Settings())

    assert isinstance(router.for_recipient("ukvi"), WebhookChannel)
