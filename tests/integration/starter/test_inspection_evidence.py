"""Inspection evidence and the reg 45 review, from PostgreSQL, through the service, the API and
the command line: the reg 40 register lists each notice to Ofsted, the placing authority and
the police with its delivery; the missing-from-care record each episode with its length, the
police's reference recorded or not and the return interview in time or not; a unit's files
hold only that unit's children, for its managers; a child's, for them and the auditor, who
never sees the planted case reference; the review counts what happened."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
import pytest_asyncio

from safeside.db import Pool
from safeside.tokens import Principal
from starter.services import evidence, quality_review
from starter.services.connection import Services
from starter.services.permissions import Denied, View
from starter.services.reading import open_placement, open_unit
from tests.integration.starter.evidence_quarter import (
    CASE_MARKER,
    FIRST,
    LAST,
    MANAGER,
    PLACE_MARKER,
    Unit,
    a_quarter,
)
from tests.support.security import bearer, token_for
from tests.support.starter import Cli
from workflows.domain.common import Role

QUERY = {"from": FIRST.isoformat(), "to": LAST.isoformat()}
REG40_HEADER = (
    "placement,case reference,event time,event,purpose,recipient,delivery,attempts,delivered at"
)
RECORD_HEADER = (
    "placement,case reference,episode,kind,last seen,returned,minutes away,"
    "police reference recorded,return interview held,return interview within 72 hours"
)


@pytest_asyncio.fixture(loop_scope="session")
async def quarter(services: Services, pool: Pool) -> Unit:
    return await a_quarter(pool)


def _table(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_the_unit_s_register_lists_each_reg40_notice_of_its_children_with_its_delivery(
    services: Services, pool: Pool, quarter: Unit
) -> None:
    read = await open_unit(services, MANAGER, "UNIT-7", View.reg40_register)
    rows = await evidence.reg40_register(read, FIRST, LAST)
    assert {row["recipient"] for row in rows} <= {"ofsted", "placing_authority", "police"}
    assert {row["placement_id"] for row in rows} == {quarter.marked, quarter.other}
    told = {
        (row["recipient"], row["purpose"], row["delivery_status"], row["attempts"])
        for row in rows
        if row["placement_id"] == quarter.marked and row["event_type"] == "missing_reported"
    }
    assert told == {
        ("police", "missing_children_proforma", "delivered", 1),
        ("ofsted", "reg40_police_involved", "delivered", 1),
        ("placing_authority", "missing_reported", "failed", 8),
    }
    assert [row["owed_at"] for row in rows] == sorted(row["owed_at"] for row in rows)
    # The unit's read, and each child's, are in the access log.
    logged = await pool.fetch(
        "SELECT placement_id, unit_id FROM access_log WHERE subject = 'staff-01' "
        "AND what = 'reg40_register' AND allowed"
    )
    assert {row["placement_id"] for row in logged} == {None, quarter.marked, quarter.other}


async def test_the_missing_record_says_how_long_and_whether_the_police_and_interview_were_on_time(
    services: Services, quarter: Unit
) -> None:
    read = await open_unit(services, MANAGER, "UNIT-7", View.missing_record)
    rows = {row["placement_id"]: row for row in await evidence.missing_record(read, FIRST, LAST)}
    assert set(rows) == {quarter.marked, quarter.other}
    marked, other = rows[quarter.marked], rows[quarter.other]
    assert (marked["kind"], marked["missing_minutes"]) == ("missing", 2 * 24 * 60)
    assert marked["police_reference_recorded"] is True
    assert marked["return_interview_in_time"] is True
    assert marked["case_reference"] == CASE_MARKER
    assert (other["kind"], other["missing_minutes"]) == ("away", 5 * 60)
    assert other["police_reference_recorded"] is False
    assert other["return_interview_in_time"] is False


async def test_the_auditor_reads_one_child_s_evidence_without_the_case_reference(
    services: Services, quarter: Unit
) -> None:
    auditor = Principal(subject="audit-01", role=Role.auditor)
    read = await open_placement(services, auditor, View.missing_record, quarter.marked)
    [row] = await evidence.missing_record(read, FIRST, LAST)
    assert row["case_reference"] == "[redacted]"
    assert row["return_interview_in_time"] is True
    assert CASE_MARKER not in str(row)
    assert PLACE_MARKER not in str(row)


UNIT_ROUTES = ["/units/UNIT-7/reg40-register", "/units/UNIT-7/missing-record"]


@pytest.mark.parametrize("route", UNIT_ROUTES)
@pytest.mark.parametrize(
    ("role", "subject", "status"),
    [
        (Role.registered_manager, "staff-test", 200),
        (Role.duty_manager, "staff-test", 200),
        (Role.duty_manager, "dm-other", 403),  # a manager of another unit
        (Role.auditor, "audit-01", 403),  # a unit's list says where each child lives
        (Role.key_worker, "staff-test", 403),
        (Role.residential_worker, "staff-test", 403),
        (Role.social_worker, "sw-204", 403),
        (Role.independent_reviewing_officer, "iro-01", 403),
        (Role.administrator, "admin-01", 403),
    ],
    ids=str,
)
async def test_a_unit_s_evidence_is_for_its_own_managers(
    api: httpx.AsyncClient, quarter: Unit, route: str, role: Role, subject: str, status: int
) -> None:
    answer = await api.get(route, params=QUERY, headers=bearer(role, subject))
    assert answer.status_code == status, answer.text
    if status == 200:
        assert answer.headers["content-type"].startswith("text/csv")
        assert "UNIT-7_20260101-20260331.csv" in answer.headers["content-disposition"]
        assert CASE_MARKER in answer.text
    else:
        assert CASE_MARKER not in answer.text
        assert quarter.marked not in answer.text
    assert PLACE_MARKER not in answer.text


@pytest.mark.parametrize("what", ["reg40-register", "missing-record"])
@pytest.mark.parametrize(
    ("role", "subject", "status"),
    [
        (Role.registered_manager, "staff-test", 200),
        (Role.duty_manager, "staff-test", 200),
        (Role.auditor, "audit-01", 200),
        (Role.duty_manager, "dm-other", 403),
        (Role.key_worker, "staff-test", 403),
        (Role.social_worker, "sw-204", 403),
        (Role.administrator, "admin-01", 403),
    ],
    ids=str,
)
async def test_a_child_s_evidence_is_for_the_unit_s_managers_and_the_auditor(
    api: httpx.AsyncClient, quarter: Unit, what: str, role: Role, subject: str, status: int
) -> None:
    route = f"/placements/{quarter.marked}/{what}"
    answer = await api.get(route, params=QUERY, headers=bearer(role, subject))
    assert answer.status_code == status, answer.text
    shown = role is not Role.auditor and status == 200
    assert (CASE_MARKER in answer.text) is shown
    assert PLACE_MARKER not in answer.text
    if role is Role.auditor:
        assert "[redacted]" in answer.text


async def test_the_csv_files_have_their_header_and_one_line_per_row(
    api: httpx.AsyncClient, quarter: Unit
) -> None:
    register = await api.get("/units/UNIT-7/reg40-register", params=QUERY)
    assert register.text.splitlines()[0] == REG40_HEADER
    lines = _table(register.text)
    assert {line["recipient"] for line in lines} == {"ofsted", "placing authority", "police"}
    failed = [line for line in lines if line["delivery"] == "failed"]
    assert failed
    assert all(line["attempts"] == "8" and not line["delivered at"] for line in failed)
    assert any(line["purpose"] == "reg 40 notice: police involved" for line in lines)
    record = await api.get("/units/UNIT-7/missing-record", params=QUERY)
    assert record.text.splitlines()[0] == RECORD_HEADER
    first = _table(record.text)[0]
    assert first["last seen"] == "2026-01-10T20:00+00:00"
    assert (first["police reference recorded"], first["return interview within 72 hours"]) == (
        "yes",
        "yes",
    )
    assert record.text.count("\r\n") == 3


async def test_a_period_that_ends_before_it_starts_is_refused_at_its_end(
    api: httpx.AsyncClient,
) -> None:
    answer = await api.get(
        "/units/UNIT-7/missing-record", params={"from": "2026-03-31", "to": "2026-01-01"}
    )
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["to"]


async def test_the_command_line_prints_the_same_files(safeside: Cli, quarter: Unit) -> None:
    env = {"SAFESIDE_TOKEN": token_for(Role.registered_manager, "staff-01")}
    period = ("--from", FIRST.isoformat(), "--to", LAST.isoformat())
    register = await safeside("report", "reg40", "--unit", "UNIT-7", *period, env=env)
    assert register.exit_code == 0, register.output
    assert register.stdout.splitlines()[0] == REG40_HEADER
    assert {line["placement"] for line in _table(register.stdout)} == {
        quarter.marked,
        quarter.other,
    }
    record = await safeside(
        "report", "missing-record", "--placement", quarter.other, *period, env=env
    )
    assert record.exit_code == 0, record.output
    assert [line["kind"] for line in _table(record.stdout)] == ["away without permission"]
    both = await safeside(
        "report", "missing-record", "--unit", "UNIT-7", "--placement", quarter.other, *period,
        env=env,
    )  # fmt: skip
    assert both.exit_code == 2
    assert "give exactly one" in both.stderr
    auditor = {"SAFESIDE_TOKEN": token_for(Role.auditor, "audit-01")}
    refused = await safeside("report", "reg40", "--unit", "UNIT-7", *period, env=auditor)
    assert refused.exit_code == 1
    assert CASE_MARKER not in refused.output


async def test_the_review_counts_episodes_deadlines_interviews_and_notices(
    services: Services, quarter: Unit
) -> None:
    read = await open_unit(services, MANAGER, "UNIT-7", View.quality_review)
    review = await quality_review.quality_review(read, FIRST, LAST)
    charts = {chart.key: chart for chart in review.charts}
    months = {row.label: row.counts for row in charts["missing-by-month"].rows}
    assert months == {"Jan 2026": (1, 0), "Feb 2026": (0, 1), "Mar 2026": (0, 0)}
    lengths = {row.label: row.counts[0] for row in charts["missing-lengths"].rows}
    assert (lengths["Under 24 hours"], lengths["1 to 3 days"]) == (1, 1)
    interviews = {row.label: row.counts[0] for row in charts["return-interviews"].rows}
    assert (interviews["Within 72 hours"], interviews["Not held"]) == (1, 1)
    notices = {row.label: row.counts for row in charts["notices"].rows}
    assert notices["Placing authority"][1] >= 1  # failed
    assert notices["Police"][0] >= 1  # delivered
    deadlines = {row.label: row.counts for row in charts["deadlines"].rows}
    assert sum(met + missed for met, missed in deadlines.values()) > 0
    assert "Return interview" in deadlines
    assert CASE_MARKER not in review.model_dump_json()


@pytest.mark.parametrize(
    ("role", "subject", "allowed"),
    [
        (Role.registered_manager, "staff-test", True),
        (Role.duty_manager, "staff-test", False),
        (Role.key_worker, "staff-test", False),
        (Role.auditor, "audit-01", False),
        (Role.registered_manager, "rm-nowhere", False),
    ],
    ids=str,
)
async def test_the_review_is_the_unit_s_registered_manager_s(
    services: Services, pool: Pool, quarter: Unit, role: Role, subject: str, allowed: bool
) -> None:
    caller = Principal(subject=subject, role=role)
    if allowed:
        await open_unit(services, caller, "UNIT-7", View.quality_review)
    else:
        with pytest.raises(Denied):
            await open_unit(services, caller, "UNIT-7", View.quality_review)
    logged = await pool.fetchval(
        "SELECT allowed FROM access_log WHERE subject = $1 AND role = $2 "
        "AND what = 'quality_review' ORDER BY id DESC LIMIT 1",
        subject,
        role.value,
    )
    assert logged is allowed
