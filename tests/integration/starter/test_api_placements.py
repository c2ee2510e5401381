"""The HTTP API's placement routes against the dev server and a real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from safeside.db import Pool
from starter.services.reading import NOT_YOURS
from tests.support.organisation import given_home
from tests.support.placements import new_placement_id
from tests.support.security import bearer
from tests.support.start_facts import start_body
from tests.support.starter import StartedPlacement, eventually, trail_length

pytestmark = pytest.mark.usefixtures("worker")


def field_errors(answer: httpx.Response) -> dict[str, str]:
    """A start refused on its fields (422): the message for each wrong field."""
    assert answer.status_code == 422, answer.text
    return {p["field"]: p["message"] for p in answer.json()["errors"]}


async def test_starting_a_placement_answers_201_and_its_live_state_shows_it_open(
    api: httpx.AsyncClient,
) -> None:
    placement_id = new_placement_id()
    started = await api.post("/placements", json=start_body(placement_id))
    assert started.status_code == 201
    assert started.json() == {"placement_id": placement_id, "status": "open"}
    assert started.headers["Location"] == f"/placements/{placement_id}"

    state = (await api.get(f"/placements/{placement_id}")).json()
    assert state["status"] == "open"
    assert state["facts"]["unit_id"] == "UNIT-7"


async def test_starting_the_same_placement_twice_is_refused_with_409(
    api: httpx.AsyncClient,
) -> None:
    body = start_body(new_placement_id())
    assert (await api.post("/placements", json=body)).status_code == 201
    again = await api.post("/placements", json=body)
    assert again.status_code == 409
    assert "already open" in again.json()["detail"]


async def test_a_start_with_wrong_fields_gets_one_message_per_field_and_never_echoes_them(
    api: httpx.AsyncClient,
) -> None:
    body = start_body("PL-00000001", initial_risk_level="extreme", arrived_at="yesterday")
    del body["unit_id"]
    answer = await api.post("/placements", json=body)
    problems = field_errors(answer)
    assert set(problems) == {"unit_id", "initial_risk_level", "arrived_at"}
    assert "extreme" not in answer.text
    assert "yesterday" not in answer.text


async def nothing_written_for(pool: Pool, placement_id: str) -> bool:
    """No home, no allocation and no event: the refused start left no trace."""
    written = await pool.fetchval(
        """SELECT (SELECT count(*) FROM placement_homes WHERE placement_id = $1)
                + (SELECT count(*) FROM allocations WHERE placement_id = $1)
                + (SELECT count(*) FROM events WHERE stream_id = $1)""",
        placement_id,
    )
    return written == 0


async def test_an_arrival_in_1900_is_a_field_error_and_nothing_starts_or_is_housed(
    api: httpx.AsyncClient, pool: Pool
) -> None:
    placement_id = new_placement_id()
    body = start_body(placement_id, arrived_at="1900-01-01T10:00:00+00:00")
    answer = await api.post("/placements", json=body)
    problems = field_errors(answer)
    assert set(problems) == {"arrived_at"}
    assert "between 2000 and 2100" in problems["arrived_at"]
    assert await nothing_written_for(pool, placement_id)
    # The id was never used: the same placement starts once its arrival is right.
    assert (await api.post("/placements", json=start_body(placement_id))).status_code == 201


async def test_an_arrival_in_the_future_is_a_field_error(api: httpx.AsyncClient) -> None:
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    answer = await api.post("/placements", json=start_body(new_placement_id(), arrived_at=future))
    problems = field_errors(answer)
    assert set(problems) == {"arrived_at"}
    assert "arrival time is in the future" in problems["arrived_at"]


async def test_a_looked_after_date_in_the_future_is_a_field_error_and_nothing_starts(
    api: httpx.AsyncClient, pool: Pool
) -> None:
    placement_id = new_placement_id()
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    answer = await api.post(
        "/placements", json=start_body(placement_id, looked_after_since=tomorrow)
    )
    problems = field_errors(answer)
    assert set(problems) == {"looked_after_since"}
    assert "looked-after date is in the future" in problems["looked_after_since"]
    assert await nothing_written_for(pool, placement_id)


async def test_becoming_looked_after_after_the_arrival_day_is_a_field_error(
    api: httpx.AsyncClient, pool: Pool
) -> None:
    placement_id = new_placement_id()
    arrived = datetime.now(UTC) - timedelta(days=3)
    body = start_body(
        placement_id,
        arrived_at=arrived.isoformat(),
        looked_after_since=(arrived + timedelta(days=2)).date().isoformat(),
    )
    answer = await api.post("/placements", json=body)
    problems = field_errors(answer)
    assert set(problems) == {"looked_after_since"}
    assert "later than the day they arrived" in problems["looked_after_since"]
    assert await nothing_written_for(pool, placement_id)


async def test_a_start_refused_on_its_fields_can_be_sent_corrected_with_the_same_key(
    api: httpx.AsyncClient,
) -> None:
    placement_id = new_placement_id()
    headers = {"Idempotency-Key": f"key-{placement_id}"}
    wrong = start_body(placement_id, arrived_at="1900-01-01T10:00:00+00:00")
    assert (await api.post("/placements", json=wrong, headers=headers)).status_code == 422
    right = await api.post("/placements", json=start_body(placement_id), headers=headers)
    assert right.status_code == 201


async def test_a_retried_start_with_the_same_idempotency_key_gets_the_same_answer(
    api: httpx.AsyncClient,
) -> None:
    placement_id = new_placement_id()
    body = start_body(placement_id)
    headers = {"Idempotency-Key": f"key-{placement_id}"}
    first = await api.post("/placements", json=body, headers=headers)
    retry = await api.post("/placements", json=body, headers=headers)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.headers["Location"] == f"/placements/{placement_id}"


async def test_an_idempotency_key_used_for_another_request_is_refused_with_422(
    api: httpx.AsyncClient,
) -> None:
    headers = {"Idempotency-Key": f"key-{new_placement_id()}"}
    first = await api.post("/placements", json=start_body(new_placement_id()), headers=headers)
    other = await api.post("/placements", json=start_body(new_placement_id()), headers=headers)
    assert first.status_code == 201
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert "different request" in other.json()["errors"][0]["message"]


async def test_an_idempotency_key_replays_a_refusal_too(api: httpx.AsyncClient) -> None:
    body = start_body(new_placement_id())
    assert (await api.post("/placements", json=body)).status_code == 201
    headers = {"Idempotency-Key": f"key-{new_placement_id()}"}
    first = await api.post("/placements", json=body, headers=headers)
    retry = await api.post("/placements", json=body, headers=headers)
    assert (first.status_code, retry.status_code) == (409, 409)
    assert retry.json() == first.json()


async def test_deadlines_and_handover_come_live_from_the_workflow(
    api: httpx.AsyncClient, started: StartedPlacement
) -> None:
    placement_id = await started(hours_ago=30)
    deadlines = (await api.get(f"/placements/{placement_id}/deadlines")).json()
    leaflet = next(d for d in deadlines if d["deadline_id"] == "leaflet")
    assert leaflet["overdue"] is True
    handover = (await api.get(f"/placements/{placement_id}/handover")).json()
    assert "leaflet" in [d["deadline_id"] for d in handover["overdue_deadlines"]]
    assert handover["risk_level"] == "high"


async def test_the_audit_trail_pages_through_the_events_in_order(
    api: httpx.AsyncClient, started: StartedPlacement, pool: Pool
) -> None:
    placement_id = await started()

    async def stored() -> bool:
        return await trail_length(pool, placement_id) >= 2

    await eventually(stored)
    first = (await api.get(f"/placements/{placement_id}/audit", params={"limit": 1})).json()
    assert [e["event_type"] for e in first["entries"]] == ["placement_started"]
    assert first["next_after_version"] == 1
    rest = (await api.get(f"/placements/{placement_id}/audit", params={"after_version": 1})).json()
    assert [e["version"] for e in rest["entries"]] == list(range(2, 2 + len(rest["entries"])))
    assert rest["entries"][0]["event_type"] == "interpreter_requested"
    assert rest["entries"][0]["actor_role"] == "registered_manager"


@pytest.mark.parametrize("route", ["", "/deadlines", "/handover", "/audit"])
async def test_an_unknown_placement_is_refused_as_another_units_child_is(
    api: httpx.AsyncClient, route: str
) -> None:
    """No hint of what exists: the same 403, in the same words, as for a child of a unit the
    caller does not work in."""
    answer = await api.get(f"/placements/PL-never-started{route}")
    assert answer.status_code == 403
    assert answer.json()["detail"] == NOT_YOURS


async def test_a_placement_of_the_callers_unit_whose_workflow_never_started_is_404(
    api: httpx.AsyncClient, pool: Pool
) -> None:
    await given_home(pool, "PL-housed-only")
    answer = await api.get("/placements/PL-housed-only")
    assert answer.status_code == 404
    assert "PL-housed-only" in answer.json()["detail"]


async def test_a_placement_id_that_is_not_opaque_is_422(api: httpx.AsyncClient) -> None:
    answer = await api.get("/placements/Jane Doe 2010")
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "placement_id"


async def test_the_openapi_document_lists_every_route(api: httpx.AsyncClient) -> None:
    spec = (await api.get("/openapi.json")).json()
    assert {"/placements", "/placements/{placement_id}/audit", "/deadlines", "/health"} <= set(
        spec["paths"]
    )
    assert (await api.get("/docs")).status_code == 200


async def test_a_page_cursor_beyond_what_the_store_can_hold_is_a_field_error_not_a_500(
    api: httpx.AsyncClient, pool: Pool
) -> None:
    """Found by the fuzz test: the audit trail's version is a 32-bit column, the access log's
    id a 64-bit one."""
    await given_home(pool, "PL-housed-only")
    audit = await api.get("/placements/PL-housed-only/audit", params={"after_version": 2**31})
    assert set(field_errors(audit)) == {"after_version"}
    logged = await api.get(
        "/access-log", params={"after": 2**63}, headers=bearer("auditor", "audit-1")
    )
    assert set(field_errors(logged)) == {"after"}
