"""One route per action of the domain's command union: recorded, refused, or bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from starter.command_fields import ACTIONS
from starter.services.reading import NOT_YOURS
from tests.support.placements import new_placement_id
from tests.support.start_facts import start_body
from tests.support.starter import StartedPlacement, record_observation

pytestmark = pytest.mark.usefixtures("worker")


def leaflet(**changes: object) -> dict[str, object]:
    """The body of a leaflet delivery: the actor is the caller (the `api` fixture's token)."""
    return {
        "language": "Tigrinya",
        "interpreter_reference": "INT-55",
        "child_understanding": "understood",
        "delivered_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
    } | changes


async def test_every_command_of_the_union_has_its_own_route(api: httpx.AsyncClient) -> None:
    paths = (await api.get("/openapi.json")).json()["paths"]
    for name in ACTIONS:
        assert f"/placements/{{placement_id}}/actions/{name}" in paths


async def test_a_recorded_action_answers_with_the_events_written(
    api: httpx.AsyncClient, started: StartedPlacement
) -> None:
    placement_id = await started()
    answer = await api.post(f"/placements/{placement_id}/actions/leaflet-delivered", json=leaflet())
    assert answer.status_code == 200
    assert answer.json()["events"] == ["leaflet_delivered"]
    deadlines = (await api.get(f"/placements/{placement_id}/deadlines")).json()
    assert "leaflet" not in [d["deadline_id"] for d in deadlines]


async def test_the_audit_trail_read_straight_after_an_action_holds_it(
    api: httpx.AsyncClient, started: StartedPlacement
) -> None:
    placement_id = await started()
    for _ in range(3):  # each time, not by luck once
        version = await record_observation(api, placement_id)
        trail = (await api.get(f"/placements/{placement_id}/audit")).json()
        assert version in [entry["version"] for entry in trail["entries"]]


async def test_an_action_the_domain_refuses_is_409_with_its_reason_and_writes_nothing(
    api: httpx.AsyncClient, started: StartedPlacement
) -> None:
    placement_id = await started()
    before = (await api.get(f"/placements/{placement_id}")).json()["version"]
    answer = await api.post(
        f"/placements/{placement_id}/actions/leaflet-delivered",
        json=leaflet(interpreter_reference=None),
    )
    assert answer.status_code == 409
    assert answer.json()["detail"] == (
        "the leaflet must be explained with an interpreter: give the interpreter's reference"
    )
    assert (await api.get(f"/placements/{placement_id}")).json()["version"] == before


async def test_every_field_the_domain_refuses_is_in_the_409_at_once(
    api: httpx.AsyncClient, started: StartedPlacement
) -> None:
    placement_id = await started()  # the child's first language is not English
    before = (await api.get(f"/placements/{placement_id}")).json()["version"]
    answer = await api.post(
        f"/placements/{placement_id}/actions/leaflet-delivered",
        json=leaflet(interpreter_reference=None, language="French"),
    )
    assert answer.status_code == 409
    interpreter = (
        "the leaflet must be explained with an interpreter: give the interpreter's reference"
    )
    language = (
        "the leaflet must be in the child's own language, "
        "the first language recorded when the placement started"
    )
    assert answer.json() == {
        "detail": f"{interpreter}; {language}",
        "errors": [
            {"field": "interpreter_reference", "message": interpreter},
            {"field": "language", "message": language},
        ],
    }
    assert (await api.get(f"/placements/{placement_id}")).json()["version"] == before


async def test_a_refusal_of_the_whole_action_has_no_field_errors(
    api: httpx.AsyncClient, started: StartedPlacement
) -> None:
    placement_id = await started()
    path = f"/placements/{placement_id}/actions/leaflet-delivered"
    assert (await api.post(path, json=leaflet())).status_code == 200
    again = await api.post(path, json=leaflet())
    assert again.status_code == 409
    assert again.json() == {"detail": "the leaflet delivery is already recorded"}


async def test_an_action_with_wrong_fields_gets_a_message_per_field(
    api: httpx.AsyncClient, started: StartedPlacement
) -> None:
    placement_id = await started()
    body = leaflet(delivered_at="2026-03-02T10:00:00", colour="blue")
    del body["language"]
    answer = await api.post(f"/placements/{placement_id}/actions/leaflet-delivered", json=body)
    assert answer.status_code == 422
    fields = sorted(p["field"] for p in answer.json()["errors"])
    assert fields == ["colour", "delivered_at", "language"]


async def test_an_action_on_an_unknown_placement_is_refused_with_no_hint(
    api: httpx.AsyncClient,
) -> None:
    answer = await api.post(
        "/placements/PL-never-started/actions/leaflet-delivered", json=leaflet()
    )
    assert answer.status_code == 403
    assert answer.json()["detail"] == NOT_YOURS


async def test_an_unknown_action_is_404(api: httpx.AsyncClient, started: StartedPlacement) -> None:
    placement_id = await started()
    answer = await api.post(f"/placements/{placement_id}/actions/teleport", json={})
    assert answer.status_code == 404


async def test_an_action_on_an_ended_placement_is_refused_with_409(
    api: httpx.AsyncClient, started: StartedPlacement
) -> None:
    placement_id = await started()
    end = {"reason": "moved", "ended_at": datetime.now(UTC).isoformat()}
    ended = await api.post(f"/placements/{placement_id}/actions/end-placement", json=end)
    assert ended.status_code == 200
    answer = await api.post(f"/placements/{placement_id}/actions/leaflet-delivered", json=leaflet())
    assert answer.status_code == 409
    assert "ended" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("facts", "needed"),
    [
        ({"first_language": "English"}, False),
        ({"first_language": "Tigrinya", "needs_interpreter": False}, False),
        ({"first_language": "Tigrinya"}, True),
    ],
)
async def test_the_leaflet_needs_an_interpreters_reference_only_for_a_child_who_needs_one(
    api: httpx.AsyncClient, facts: dict[str, object], needed: bool
) -> None:
    placement_id = new_placement_id()
    started = await api.post("/placements", json=start_body(placement_id, **facts))
    assert started.status_code == 201, started.text
    body = leaflet(language=facts["first_language"], interpreter_reference=None)
    answer = await api.post(f"/placements/{placement_id}/actions/leaflet-delivered", json=body)
    if needed:
        assert answer.status_code == 409
        assert "interpreter" in answer.json()["detail"]
        return
    assert answer.status_code == 200, answer.text
    trail = (await api.get(f"/placements/{placement_id}/audit")).json()["entries"]
    assert [e["event_type"] for e in trail] == ["placement_started", "leaflet_delivered"]
    assert trail[-1]["details"]["interpreter_needed"] is False
