"""Placement protections on the dev server with the real activities and PostgreSQL: a full
missing episode (its trail, its notifications delivered once each, its projection row), and
the proof that the place where a child was last seen or found leaks nowhere it should not."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from activities.channels import LogChannel
from activities.event_store import EventStore
from activities.messages import Notification
from safeside.db import Pool
from tests.support.placements import end, record_return, report_missing, return_interview
from tests.support.workers import PlacementHandle, RecordingChannel, placement_on_real_worker
from workflows.domain.common import MissingKind
from workflows.placement import PlacementWorkflow

# Distinctive strings: each is searched for in everything a non-entitled reader can see.
LAST_SEEN = "LASTSEEN-MARKER-5Z Harrow Road bus stop"
FOUND_AT = "FOUNDAT-MARKER-8K Platform 2"
WHEREABOUTS = "WHEREABOUTS-MARKER-3J friend's flat"
MARKERS = ("MARKER-5Z", "MARKER-8K", "MARKER-3J")

MISSING_RECIPIENTS = {
    "police": "missing_children_proforma",
    "ukvi": "missing_reported",
    "social_worker": "missing_reported",
    "placing_authority": "missing_reported",
    "duty_manager": "missing_reported",
    "registered_manager": "missing_reported",
    "ofsted": "reg40_police_involved",
}


class LoggedChannel(RecordingChannel):
    """Remembers what it sent, and logs it as the log channel does (what a log reader sees)."""

    async def send(self, message: Notification) -> None:
        await LogChannel().send(message)
        await super().send(message)


def placement_running(
    env: WorkflowEnvironment, task_queue: str, pool: Pool, channel: LoggedChannel
) -> AbstractAsyncContextManager[tuple[str, PlacementHandle]]:
    arrived = datetime.now(UTC) - timedelta(hours=6)
    return placement_on_real_worker(env.client, pool, channel, arrived, task_queue=task_queue)


async def test_a_missing_episode_end_to_end_notifies_each_party_once_and_is_projected(
    dev_env: WorkflowEnvironment, task_queue: str, pool: Pool, store: EventStore
) -> None:
    channel = LoggedChannel()
    async with placement_running(dev_env, task_queue, pool, channel) as (placement_id, handle):
        now = datetime.now(UTC)
        await handle.execute_update(
            PlacementWorkflow.record, report_missing(now - timedelta(hours=2), place=LAST_SEEN)
        )
        await handle.execute_update(
            PlacementWorkflow.record, record_return(datetime.now(UTC), where=FOUND_AT)
        )
        episode_id = f"{placement_id}-M1"
        await handle.execute_update(
            PlacementWorkflow.record, return_interview(episode_id, datetime.now(UTC))
        )
        await handle.execute_update(PlacementWorkflow.record, end(datetime.now(UTC)))
        await handle.result()

    stored = await store.read_stream(placement_id)
    trail = [event.event_type for event in stored if event.event_type != "escalation_raised"]
    assert trail[2:] == [
        "missing_reported",
        "child_returned",
        "return_interview_held",
        "placement_ended",
    ]
    # R17: the return brought the risk assessment forward, and the key worker was told at once.
    (reminder,) = [e for e in stored if e.event_type == "escalation_raised"]
    assert (reminder.payload["kind"], reminder.payload["notify_role"]) == (
        "risk_assessment",
        "key_worker",
    )
    outbox = await pool.fetch(
        """SELECT idempotency_key, recipient, purpose, status, content FROM notifications
            WHERE stream_id = $1 AND event_version = 3""",
        placement_id,
    )
    assert {row["recipient"]: row["purpose"] for row in outbox} == MISSING_RECIPIENTS
    assert {row["status"] for row in outbox} == {"delivered"}
    every_key = [
        row["idempotency_key"]
        for row in await pool.fetch(
            "SELECT idempotency_key FROM notifications WHERE stream_id = $1", placement_id
        )
    ]
    assert sorted(channel.sent) == sorted(every_key)  # each delivered exactly once

    (police,) = [row for row in outbox if row["recipient"] == "police"]
    proforma = (
        json.loads(police["content"])["details"]
        if isinstance(police["content"], str)
        else police["content"]["details"]
    )
    assert proforma["last_seen_place_reference"] == LAST_SEEN
    assert proforma["clothing_reference"] == "PHIL-2-0042"
    assert proforma["trafficking_concern"] is True
    assert proforma["ukvi_relevant"] is True

    row = await pool.fetchrow(
        "SELECT * FROM missing_episodes WHERE stream_id = $1 AND episode_id = $2",
        placement_id,
        episode_id,
    )
    assert row["kind"] == "missing"
    assert row["police_risk_grade"] == "high"
    assert row["ended_at"] is not None
    assert row["return_interview_held_at"] is not None


class _Everything(logging.Handler):
    """Keeps every record with all its attributes, whatever the formatter would show."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(repr(record.__dict__))


@contextmanager
def every_log_line() -> Iterator[list[str]]:
    """Every record at INFO and above, the default level. (At DEBUG the SDK dumps activity
    payloads, which in production are encrypted by the payload codec before they leave the
    worker; these tests' client has no codec.)"""
    root = logging.getLogger()
    handler = _Everything()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _leaks(text: str) -> list[str]:
    return [marker for marker in MARKERS if marker in text]


async def _refusal(handle: WorkflowHandle[Any, Any], command: object) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(PlacementWorkflow.record, command)
    cause = refused.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == "DomainError"
    return f"{refused.value} {cause.message} {cause.details!r}"


async def test_no_query_notification_log_line_or_error_carries_the_place(
    dev_env: WorkflowEnvironment, task_queue: str, pool: Pool
) -> None:
    channel = LoggedChannel()
    with every_log_line() as log_lines:
        async with placement_running(dev_env, task_queue, pool, channel) as (placement_id, h):
            now = datetime.now(UTC)
            away = report_missing(
                now - timedelta(hours=3),
                place=LAST_SEEN,
                kind=MissingKind.away_without_authorisation,
                whereabouts=WHEREABOUTS,
            )
            await h.execute_update(PlacementWorkflow.record, away)
            errors = [
                await _refusal(h, report_missing(now - timedelta(hours=1), place=LAST_SEEN)),
                await _refusal(h, record_return(datetime.now(UTC), where=FOUND_AT * 10)),
                await _refusal(h, return_interview(FOUND_AT, datetime.now(UTC))),
            ]
            await h.execute_update(
                PlacementWorkflow.record, record_return(datetime.now(UTC), where=FOUND_AT)
            )
            queries = [
                (await h.query(PlacementWorkflow.current_state)).model_dump_json(),
                (await h.query(PlacementWorkflow.handover)).model_dump_json(),
                json.dumps(
                    [
                        d.model_dump(mode="json")
                        for d in await h.query(PlacementWorkflow.open_deadlines)
                    ]
                ),
            ]
            await h.execute_update(PlacementWorkflow.record, end(datetime.now(UTC)))
            await h.result()

    for text in errors + queries:
        assert _leaks(text) == [], text
    assert [line for line in log_lines if _leaks(line)] == []
    assert log_lines, "the test saw no log lines at all"

    rows = await pool.fetch(
        "SELECT recipient, content FROM notifications WHERE stream_id = $1", placement_id
    )
    police = [json.dumps(r["content"]) for r in rows if r["recipient"] == "police"]
    others = [json.dumps(r["content"]) for r in rows if r["recipient"] != "police"]
    assert others
    assert police
    assert [text for text in others if _leaks(text)] == []
    # The police are entitled: the proforma and the return notice carry the places.
    assert set(_leaks(" ".join(police))) == set(MARKERS)
    # Read models hold no place either.
    for table in ("missing_episodes", "placements", "open_deadlines", "placement_snapshots"):
        dump = json.dumps(
            [dict(r) for r in await pool.fetch(f"SELECT * FROM {table}")], default=str
        )
        assert _leaks(dump) == [], table
