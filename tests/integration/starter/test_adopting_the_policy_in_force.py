"""A running placement keeps the policy it started under until its Registered Manager moves it
onto the policy in force (``PolicyChanged``): then every clock of the child's is worked out
again from the new one, at every read (issue 18)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio

from starter.api.app import create_app
from starter.services.connection import Services
from tests.support.security import bearer, token_for
from tests.support.starter import Cli, StartedPlacement, eventually
from workflows.domain.policy import Policy

pytestmark = pytest.mark.usefixtures("worker")

# The organisation has since given the leaflet (R1) 48 hours rather than 24.
LONGER_LEAFLET = Policy().model_copy(update={"leaflet_within": timedelta(hours=48)})


@pytest_asyncio.fixture(loop_scope="session")
async def api_now(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """The API of a process whose policy in force is ``LONGER_LEAFLET``."""
    app = create_app(dataclasses.replace(services, policy=LONGER_LEAFLET))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://safeside.test",
        headers=bearer("registered_manager", "staff-01"),
    ) as client:
        yield client


async def leaflet_due(api: httpx.AsyncClient, placement_id: str) -> str:
    answer = await api.get(f"/placements/{placement_id}/deadlines")
    assert answer.status_code == 200, answer.text
    return next(d["due_at"] for d in answer.json() if d["kind"] == "leaflet")


async def listed_leaflet_due(api: httpx.AsyncClient, placement_id: str) -> str | None:
    answer = await api.get("/deadlines")
    assert answer.status_code == 200, answer.text
    due = [
        d["due_at"]
        for d in answer.json()["items"]
        if d["placement_id"] == placement_id and d["kind"] == "leaflet"
    ]
    return due[0] if due else None


async def trail(api: httpx.AsyncClient, placement_id: str) -> list[dict[str, Any]]:
    """The placement's audit trail, once its start is stored (a moment after the start)."""
    answer: httpx.Response | None = None

    async def read() -> bool:
        nonlocal answer
        answer = await api.get(f"/placements/{placement_id}/audit")
        return answer.status_code == 200

    await eventually(read)
    assert answer is not None
    entries: list[dict[str, Any]] = answer.json()["entries"]
    return entries


async def test_the_registered_manager_moves_a_placement_onto_the_policy_in_force(
    api_now: httpx.AsyncClient, started: StartedPlacement
) -> None:
    placement_id = await started()
    before = await leaflet_due(api_now, placement_id)

    moved = await api_now.post(f"/placements/{placement_id}/policy")
    assert moved.status_code == 200, moved.text
    assert moved.json()["events"] == ["policy_changed"]

    after = await leaflet_due(api_now, placement_id)
    moved_by = datetime.fromisoformat(after) - datetime.fromisoformat(before)
    assert moved_by == timedelta(hours=24)

    async def listed() -> bool:
        return await listed_leaflet_due(api_now, placement_id) == after

    await eventually(listed)  # the lists (Today, /deadlines) agree with the placement
    change = next(
        e for e in await trail(api_now, placement_id) if e["event_type"] == "policy_changed"
    )
    assert (change["actor_role"], change["actor_ref"]) == ("registered_manager", "staff-01")

    again = await api_now.post(f"/placements/{placement_id}/policy")
    assert again.status_code == 200
    assert again.json()["events"] == []


async def test_only_the_child_s_registered_manager_moves_it(
    api_now: httpx.AsyncClient, started: StartedPlacement
) -> None:
    placement_id = await started()
    for role, subject in [
        ("duty_manager", "staff-01"),
        ("key_worker", "staff-17"),
        ("registered_manager", "rm-elsewhere"),
    ]:
        answer = await api_now.post(
            f"/placements/{placement_id}/policy", headers=bearer(role, subject)
        )
        assert answer.status_code == 403, (role, answer.text)
    assert "policy_changed" not in {e["event_type"] for e in await trail(api_now, placement_id)}


async def test_the_command_line_moves_it_too(started: StartedPlacement, safeside: Cli) -> None:
    placement_id = await started()
    as_manager = {"SAFESIDE_TOKEN": token_for("registered_manager", "staff-01")}
    # The command line's process holds the default policy: the placement started under it.
    same = await safeside("placement", "adopt-policy", placement_id, env=as_manager)
    assert same.exit_code == 0, same.output
    assert "runs under the policy in force already" in same.output
    refused = await safeside(
        "placement",
        "adopt-policy",
        placement_id,
        env={"SAFESIDE_TOKEN": token_for("key_worker", "staff-17")},
    )
    assert refused.exit_code == 1
    assert "the child's Registered Manager does" in refused.output
