"""A quarter (January to March 2026) of a unit's evidence, appended through the real event
store: two children of the unit (one whose case reference is a marker, one away without
permission), one of another unit; the outbox delivered some notices and gave up on one. For
the integration and browser tests of the inspection evidence and the reg 45 review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from activities.event_store import EventStore
from safeside.db import Pool
from safeside.tokens import Principal
from starter.services import organisation
from tests.integration.activities.placements import Placement, start
from tests.support.placements import KEY_WORKER, record_return, report_missing, return_interview
from workflows.domain.commands import RecordPoliceAcknowledgement
from workflows.domain.common import MissingKind, Role
from workflows.domain.policy import Policy

FIRST, LAST = date(2026, 1, 1), date(2026, 3, 31)
MANAGER = Principal(subject="staff-01", role=Role.registered_manager)
# Planted where only the care roles may see it (the case reference) and where nobody's
# evidence shows it (the place last seen, which goes to the police alone).
CASE_MARKER = "CASE-ZEBRA-7Q"
PLACE_MARKER = "PLACE-KINGFISHER-9"


def _at(day: str, hour: int = 20) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@dataclass
class Unit:
    marked: str  # the child whose case reference is the marker
    other: str  # a second child of the unit
    elsewhere: str  # a child of the other unit


async def _placement(
    store: EventStore, pool: Pool, arrived: str, unit: str, case: str
) -> Placement:
    placement = Placement(store)
    at = _at(arrived, 10)
    command = start(
        placement.stream_id, at, unit_id=unit, looked_after_since=at.date(), case_reference=case
    )
    await placement.record(command, at=at)
    await organisation.house(pool, MANAGER, placement.stream_id, unit, "sw-204")
    return placement


async def a_quarter(pool: Pool, unit: str = "UNIT-7", other_unit: str = "UNIT-OTHER") -> Unit:
    store = EventStore(pool, Policy())
    marked = await _placement(store, pool, "2025-12-01", unit, CASE_MARKER)
    # Missing for 2 days; the police's reference recorded; the return interview in time.
    seen = _at("2026-01-10")
    await marked.record(report_missing(seen, place=PLACE_MARKER), at=seen + timedelta(minutes=30))
    acknowledged = RecordPoliceAcknowledgement(
        actor=KEY_WORKER,
        episode_id=f"{marked.stream_id}-M1",
        police_acknowledged_at=seen + timedelta(hours=1),
        police_reference="CAD-1234",
    )
    await marked.record(acknowledged, at=seen + timedelta(hours=1))
    back = seen + timedelta(days=2)
    await marked.record(record_return(back), at=back)
    interview = return_interview(f"{marked.stream_id}-M1", back + timedelta(hours=30))
    await marked.record(interview, at=back + timedelta(hours=30))

    other = await _placement(store, pool, "2026-01-20", unit, "C20002")
    # Away for 5 hours in February; no return interview, so late by now.
    seen = _at("2026-02-14")
    away = report_missing(seen, kind=MissingKind.away_without_authorisation, whereabouts="AW-1")
    await other.record(away, at=seen + timedelta(minutes=10))
    await other.record(record_return(seen + timedelta(hours=5)), at=seen + timedelta(hours=5))

    elsewhere = await _placement(store, pool, "2026-01-05", other_unit, "C20003")
    seen = _at("2026-02-01")
    await elsewhere.record(report_missing(seen), at=seen + timedelta(minutes=5))

    # The outbox delivered the police's and Ofsted's notices of the first episode, and gave
    # up on the placing authority's.
    await pool.execute(
        """UPDATE notifications SET status = 'delivered', attempts = 1,
                  delivered_at = created_at
            WHERE stream_id = $1 AND recipient IN ('police', 'ofsted')""",
        marked.stream_id,
    )
    await pool.execute(
        """UPDATE notifications SET status = 'failed', attempts = 8
            WHERE stream_id = $1 AND recipient = 'placing_authority'""",
        marked.stream_id,
    )
    return Unit(marked.stream_id, other.stream_id, elsewhere.stream_id)
