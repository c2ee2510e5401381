"""Projections: what the handover and dashboards read, kept current by every append and
rebuilt from the events alone."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from activities.event_store import EventStore
from activities.projections import placement_overview
from activities.rebuild import rebuild_projections
from safeside.db import Pool
from tests.integration.activities.placements import (
    ARRIVED,
    POLICY,
    Placement,
    busy_placement,
    start,
)
from tests.support.placements import (
    SOCIAL_WORKER,
    assessment,
    leaflet,
    propose_visitor,
    record_return,
    report_missing,
    return_interview,
    turned_away,
    verify_visitor,
    visit_by,
)
from workflows.domain.common import MissingKind, RiskLevel
from workflows.domain.deadlines import due
from workflows.domain.events import EscalationRaised
from workflows.domain.policy import Policy

_ORDER_BY = {
    "placements": "stream_id",
    "open_deadlines": "stream_id, deadline_id",
    "escalations": "stream_id, event_version",
    "missing_episodes": "stream_id, episode_id",
    "visitors": "stream_id, visitor_ref",
    "placement_snapshots": "stream_id",
    "notifications": "idempotency_key",
}


async def table_rows(pool: Pool) -> dict[str, list[dict[str, Any]]]:
    return {
        table: [dict(row) for row in await pool.fetch(f"SELECT * FROM {table} ORDER BY {order}")]
        for table, order in _ORDER_BY.items()
    }


async def test_an_append_keeps_the_placement_and_its_open_deadlines_current(
    store: EventStore, pool: Pool
) -> None:
    placement = Placement(store)
    stream = placement.stream_id
    await placement.record(start(stream), at=ARRIVED)

    row = await pool.fetchrow("SELECT * FROM placements WHERE stream_id = $1", stream)
    assert (row["unit_id"], row["status"], row["risk_level"], row["missing"], row["version"]) == (
        "UNIT-7",
        "open",
        "medium",
        False,
        2,
    )
    assert row["next_deadline_at"] == ARRIVED + timedelta(hours=24)
    deadlines = {
        r["deadline_id"]
        for r in await pool.fetch(
            "SELECT deadline_id FROM open_deadlines WHERE stream_id = $1", stream
        )
    }
    assert deadlines == {d.deadline_id for d in due(placement.current, ARRIVED, POLICY)}
    assert "leaflet" in deadlines

    later = ARRIVED + timedelta(hours=3)
    await placement.record(leaflet(later), assessment(later, RiskLevel.high), at=later)

    row = await pool.fetchrow("SELECT * FROM placements WHERE stream_id = $1", stream)
    assert (row["risk_level"], row["version"], row["updated_at"]) == ("high", 5, later)
    deadlines = {
        r["deadline_id"]
        for r in await pool.fetch(
            "SELECT deadline_id FROM open_deadlines WHERE stream_id = $1", stream
        )
    }
    assert "leaflet" not in deadlines
    assert "risk_assessment" not in deadlines
    assert "risk_review:1" in deadlines


async def test_the_overdue_count_is_worked_out_when_it_is_read(
    store: EventStore, pool: Pool
) -> None:
    now = datetime.now(UTC)
    long_ago = now - timedelta(days=30)
    neglected = Placement(store)
    await neglected.record(
        start(neglected.stream_id, long_ago, looked_after_since=long_ago.date()), at=long_ago
    )
    just_arrived = Placement(store)
    await just_arrived.record(
        start(just_arrived.stream_id, now, looked_after_since=now.date()), at=now
    )

    neglected_view = await placement_overview(pool, neglected.stream_id)
    fresh_view = await placement_overview(pool, just_arrived.stream_id)

    assert neglected_view is not None
    assert fresh_view is not None
    overdue_now = [d for d in due(neglected.current, datetime.now(UTC), POLICY) if d.overdue]
    assert neglected_view.overdue_count == len(overdue_now) > 0
    assert fresh_view.overdue_count == 0


async def test_escalation_events_are_listed_as_escalations(store: EventStore, pool: Pool) -> None:
    placement = Placement(store)
    await placement.record(start(placement.stream_id), at=ARRIVED)
    events = placement.escalate(ARRIVED + timedelta(hours=20))
    await placement.append(events)
    raised = [event for event in events if isinstance(event, EscalationRaised)]

    rows = await pool.fetch(
        "SELECT * FROM escalations WHERE stream_id = $1 ORDER BY event_version",
        placement.stream_id,
    )
    listed = [
        (r["event_version"], r["deadline_id"], r["step_name"], r["notify_role"]) for r in rows
    ]
    assert listed == [(e.version, e.deadline_id, e.step_name, e.notify_role.value) for e in raised]
    assert {r["deadline_id"] for r in rows} == {"leaflet", "missing_procedures"}


async def test_rebuilt_projections_equal_the_live_ones_after_a_busy_scenario(
    store: EventStore, pool: Pool
) -> None:
    placements = await asyncio.gather(*(busy_placement(store, index) for index in range(12)))
    live = await table_rows(pool)
    assert len(live["placements"]) == 12
    assert {row["status"] for row in live["placements"]} == {"open", "ended"}
    assert len(live["escalations"]) > 12
    assert sum(len(p.events) for p in placements) == await pool.fetchval(
        "SELECT count(*) FROM events"
    )

    await pool.execute("DELETE FROM open_deadlines")  # damage the projections to be sure
    await pool.execute("UPDATE placements SET risk_level = NULL")
    reported: list[tuple[int, int]] = []
    rebuilt_count = await rebuild_projections(
        pool, Policy(), progress=lambda done, total: reported.append((done, total)), report_every=5
    )

    assert rebuilt_count == 12
    assert reported == [(5, 12), (10, 12), (12, 12)]
    assert await table_rows(pool) == live


async def test_a_stale_snapshot_is_refolded_from_the_events(store: EventStore, pool: Pool) -> None:
    placement = Placement(store)
    await placement.record(start(placement.stream_id), at=ARRIVED)
    await pool.execute(
        "UPDATE placement_snapshots SET version = 1, state = '{}'::jsonb WHERE stream_id = $1",
        placement.stream_id,
    )

    later = ARRIVED + timedelta(hours=2)
    await placement.record(leaflet(later), at=later)

    assert await store.load_state(placement.stream_id) == placement.current
    snapshot = await pool.fetchval(
        "SELECT state FROM placement_snapshots WHERE stream_id = $1", placement.stream_id
    )
    assert snapshot == placement.current.model_dump(mode="json")


async def test_missing_episodes_and_visitors_follow_their_events(
    store: EventStore, pool: Pool
) -> None:
    placement = Placement(store)
    stream = placement.stream_id
    hour = timedelta(hours=1)
    await placement.record(start(stream), at=ARRIVED)
    await placement.record(report_missing(ARRIVED + 2 * hour), at=ARRIVED + 3 * hour)
    await placement.record(record_return(ARRIVED + 9 * hour), at=ARRIVED + 10 * hour)
    first = f"{stream}-M1"
    await placement.record(return_interview(first, ARRIVED + 30 * hour), at=ARRIVED + 31 * hour)
    away = report_missing(
        ARRIVED + 40 * hour, kind=MissingKind.away_without_authorisation, whereabouts="WB-REF"
    )
    await placement.record(away, at=ARRIVED + 41 * hour)
    await placement.record(
        turned_away("VIS-1", ARRIVED + 42 * hour),
        propose_visitor("VIS-9"),
        propose_visitor("VIS-1"),
        verify_visitor("VIS-9", ARRIVED + 43 * hour),
        visit_by("VIS-9", ARRIVED + 44 * hour),
        at=ARRIVED + 45 * hour,
    )

    episodes = await pool.fetch("SELECT * FROM missing_episodes ORDER BY episode_id")
    assert [
        (e["episode_id"], e["kind"], e["ended_at"], e["return_interview_held_at"]) for e in episodes
    ] == [
        (first, "missing", ARRIVED + 9 * hour, ARRIVED + 30 * hour),
        (f"{stream}-M2", "away", None, None),
    ]
    assert episodes[0]["police_risk_grade"] == "high"
    assert episodes[0]["last_seen_at"] == ARRIVED + 2 * hour
    # An away child is not "missing" on the dashboard: their whereabouts are known.
    assert (
        await pool.fetchval("SELECT missing FROM placements WHERE stream_id = $1", stream) is False
    )
    visitors = {
        row["visitor_ref"]: row for row in await pool.fetch("SELECT * FROM visitors ORDER BY 1")
    }
    assert (visitors["VIS-9"]["status"], visitors["VIS-9"]["decided_by_ref"]) == (
        "verified",
        SOCIAL_WORKER.reference,
    )
    assert visitors["VIS-9"]["visits"] == 1
    assert (visitors["VIS-1"]["status"], visitors["VIS-1"]["turned_away"]) == ("pending", 1)
    assert visitors["VIS-1"]["stated_relationship"] == "uncle"


async def test_an_open_missing_episode_marks_the_placement_missing(
    store: EventStore, pool: Pool
) -> None:
    placement = Placement(store)
    await placement.record(start(placement.stream_id), at=ARRIVED)
    await placement.record(report_missing(ARRIVED), at=ARRIVED + timedelta(hours=1))
    overview = await placement_overview(pool, placement.stream_id)
    assert overview is not None
    assert overview.missing is True


async def test_the_rebuild_command_reports_progress_and_restores_the_tables(
    store: EventStore, pool: Pool, database_url: str
) -> None:
    for index in range(3):
        await busy_placement(store, index)
    live = await table_rows(pool)
    await pool.execute("TRUNCATE open_deadlines, placements")

    command = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "starter.cli",
        "db",
        "rebuild-projections",
        "--every",
        "2",
        env=os.environ | {"SAFESIDE_DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await command.communicate()

    assert command.returncode == 0, err.decode()
    assert out.decode().splitlines() == [
        "2/3 placements",
        "3/3 placements",
        "rebuilt the projections of 3 placement(s)",
    ]
    assert await table_rows(pool) == live


async def test_a_rebuild_while_placements_are_being_recorded_misses_nothing(
    store: EventStore, pool: Pool
) -> None:
    async def keep_rebuilding() -> None:
        for _ in range(5):
            await rebuild_projections(pool, Policy())
            await asyncio.sleep(0.01)

    await asyncio.gather(keep_rebuilding(), *(busy_placement(store, index) for index in range(6)))
    live = await table_rows(pool)
    await rebuild_projections(pool, Policy())

    assert len(live["placements"]) == 6
    assert await table_rows(pool) == live
