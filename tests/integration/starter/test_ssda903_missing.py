"""The SSDA903 Missing table of a year (April 2025 to March 2026) from PostgreSQL's projections,
through the service, the API and the command line: several children, missing (M) and away (A),
open and closed, episodes crossing both edges of the year; the file passes liiatools' schema,
holds only the children the reader works with, and each child read is in the access log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
import pytest_asyncio

from activities.event_store import EventStore
from safeside.db import Pool
from safeside.tokens import Principal
from starter.services import organisation, ssda903
from starter.services.connection import Services
from starter.services.permissions import View
from starter.services.reading import open_view
from tests.integration.activities.placements import Placement, start
from tests.support import ssda903_schema
from tests.support.organisation import given_staff
from tests.support.placements import record_return, report_missing
from tests.support.security import bearer, token_for
from tests.support.starter import Cli
from workflows.domain.common import MissingKind, Role
from workflows.domain.policy import Policy

FIRST, LAST = date(2025, 4, 1), date(2026, 3, 31)
QUERY = {"from": FIRST.isoformat(), "to": LAST.isoformat()}
MANAGER = Principal(subject="staff-01", role=Role.registered_manager)
# Every line of staff-01's table: the children of UNIT-7, by case reference and start.
EXPECTED = [
    "C10001,14/05/2010,M,30/03/2025,02/04/2025",
    "C10001,14/05/2010,A,10/08/2025,11/08/2025",
    "C10001,14/05/2010,M,30/03/2026,",
    "C10002,02/11/2009,M,01/07/2025,02/07/2025",
    "C10002,02/11/2009,M,24/12/2025,",
    "C10003,20/01/2011,A,05/10/2025,06/10/2025",
]


def _at(day: str, hour: int = 20) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@dataclass
class Year:
    undated: str  # the placement of UNIT-7 whose child has no date of birth recorded
    elsewhere: str  # the placement of UNIT-OTHER, with another social worker


async def _child(
    store: EventStore,
    pool: Pool,
    arrived: str,
    episodes: list[tuple[MissingKind, str, str | None]],
    *,
    unit: str = "UNIT-7",
    social_worker: str = "sw-204",
    **facts: object,
) -> str:
    placement = Placement(store)
    arrived_at = _at(arrived, 10)
    command = start(
        placement.stream_id, arrived_at, unit_id=unit, looked_after_since=arrived_at.date(), **facts
    )
    await placement.record(command, at=arrived_at)
    await organisation.house(pool, MANAGER, placement.stream_id, unit, social_worker)
    for kind, last_seen, returned in episodes:
        whereabouts = "AWAY-REF-1" if kind is MissingKind.away_without_authorisation else None
        seen = _at(last_seen)
        report = report_missing(seen, kind=kind, whereabouts=whereabouts)
        await placement.record(report, at=seen + timedelta(minutes=30))
        if returned is not None:
            back = _at(returned, 9)
            await placement.record(record_return(back), at=back)
    return placement.stream_id


async def _a_year(pool: Pool) -> Year:
    store = EventStore(pool, Policy())
    m, a = MissingKind.missing, MissingKind.away_without_authorisation
    await _child(
        store, pool, "2025-02-01",
        [(m, "2025-03-30", "2025-04-02"), (a, "2025-08-10", "2025-08-11"),
         (m, "2026-03-30", "2026-04-03")],
        case_reference="C10001", date_of_birth=date(2010, 5, 14),
    )  # fmt: skip
    await _child(
        store, pool, "2025-05-01", [(m, "2025-07-01", "2025-07-02"), (m, "2025-12-24", None)],
        case_reference="C10002", date_of_birth=date(2009, 11, 2), age_disputed=True,
        age_assessment="in_progress",
    )  # fmt: skip
    await _child(
        store, pool, "2024-12-01",
        [(m, "2025-01-10", "2025-01-12"), (a, "2025-10-05", "2025-10-06")],
        case_reference="C10003", date_of_birth=date(2011, 1, 20),
    )  # fmt: skip
    undated = await _child(
        store, pool, "2025-06-01", [(m, "2025-09-01", "2025-09-02")], case_reference="C10004"
    )
    elsewhere = await _child(
        store, pool, "2025-06-01", [(m, "2025-09-03", "2025-09-04")], unit="UNIT-OTHER",
        social_worker="sw-999", case_reference="C10005", date_of_birth=date(2012, 3, 3),
    )  # fmt: skip
    return Year(undated=undated, elsewhere=elsewhere)


@pytest_asyncio.fixture(loop_scope="session")
async def year(services: Services, pool: Pool) -> Year:
    await given_staff(pool, "rm-other", [Role.registered_manager], ["UNIT-OTHER"])
    return await _a_year(pool)


def _lines(text: str) -> list[str]:
    header, *lines = text.splitlines()
    assert header == "CHILD,DOB,MISSING,MIS_START,MIS_END"
    return lines


async def test_a_year_of_episodes_exports_a_missing_table_that_passes_the_liiatools_schema(
    services: Services, pool: Pool, year: Year
) -> None:
    read = open_view(services, MANAGER, View.ssda903_missing)
    table = await ssda903.missing_return(read, FIRST, LAST)
    assert ssda903_schema.problems(table.csv) == []
    assert _lines(table.csv) == EXPECTED
    assert table.left_out == (year.undated,)
    # Each child read is in the access log, the one left out too (its rows were read).
    logged = await pool.fetch(
        "SELECT placement_id, allowed FROM access_log WHERE subject = 'staff-01' "
        "AND what = 'ssda903_missing'"
    )
    assert len(logged) == 4
    assert all(row["allowed"] for row in logged)
    assert year.elsewhere not in {row["placement_id"] for row in logged}


async def test_the_api_answers_csv_to_the_manager_and_the_social_worker_each_their_children(
    api: httpx.AsyncClient, year: Year
) -> None:
    answer = await api.get("/reports/ssda903-missing", params=QUERY)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["safeside-left-out"] == "1"
    assert "attachment" in answer.headers["content-disposition"]
    assert ssda903_schema.problems(answer.text) == []
    assert _lines(answer.text) == EXPECTED
    assert answer.text.count("\r\n") == len(EXPECTED) + 1  # CSV's line ends (RFC 4180)

    other = await api.get(
        "/reports/ssda903-missing", params=QUERY, headers=bearer("registered_manager", "rm-other")
    )
    assert _lines(other.text) == ["C10005,03/03/2012,M,03/09/2025,04/09/2025"]
    social_worker = await api.get(
        "/reports/ssda903-missing", params=QUERY, headers=bearer("social_worker", "sw-204")
    )
    assert _lines(social_worker.text) == EXPECTED


@pytest.mark.parametrize(
    "role", [Role.auditor, Role.administrator, Role.key_worker, Role.duty_manager], ids=str
)
async def test_roles_without_the_return_are_refused(
    api: httpx.AsyncClient, year: Year, role: Role
) -> None:
    answer = await api.get("/reports/ssda903-missing", params=QUERY, headers=bearer(role))
    assert answer.status_code == 403
    assert "C1000" not in answer.text


async def test_a_period_that_ends_before_it_starts_is_refused_at_its_end(
    api: httpx.AsyncClient,
) -> None:
    answer = await api.get(
        "/reports/ssda903-missing", params={"from": "2026-03-31", "to": "2025-04-01"}
    )
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["to"]
    missing = await api.get("/reports/ssda903-missing", params={"from": "2025-04-01"})
    assert [e["field"] for e in missing.json()["errors"]] == ["to"]


async def test_the_command_line_prints_the_same_file_and_names_the_child_left_out(
    safeside: Cli, year: Year
) -> None:
    env = {"SAFESIDE_TOKEN": token_for(Role.registered_manager, "staff-01")}
    result = await safeside(
        "report", "ssda903-missing", "--from", FIRST.isoformat(), "--to", LAST.isoformat(), env=env
    )
    assert result.exit_code == 0, result.output
    assert ssda903_schema.problems(result.stdout) == []
    assert _lines(result.stdout) == EXPECTED
    assert f"left out placement {year.undated}" in result.stderr
    refused = await safeside(
        "report", "ssda903-missing", "--from", "2026-03-31", "--to", "2025-04-01", env=env
    )
    assert refused.exit_code == 2
    assert "--to: the period must end on or after the day it starts" in refused.stderr
