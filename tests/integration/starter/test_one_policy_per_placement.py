"""Every read computes a placement's due times from the policy it started under, not the one
the process reading it holds: the lists (``/deadlines``, which Today reads too) and the
placement page agree on every due time and next step (issue 18)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from starter.services.connection import Services
from starter.services.recording import start_placement_workflow
from tests.support.placements import new_placement_id, start_command
from tests.support.starter import eventually, record_observation
from workflows.domain.common import Role
from workflows.domain.policy import ClockPolicy, Policy, standard_ladder

pytestmark = pytest.mark.usefixtures("worker")

ARRIVED_AGO = timedelta(hours=1)


def _hours(chance: random.Random, low: int, high: int) -> timedelta:
    return timedelta(hours=chance.randint(low, high))


def _clock(chance: random.Random, requirement: str, within: timedelta) -> ClockPolicy:
    """A ladder whose first step falls at least an hour after the test starts, so no step is
    raised between one read and the next."""
    reminder_before = _hours(chance, 1, int((within - 2 * ARRIVED_AGO).total_seconds() // 3600))
    return ClockPolicy(
        requirement=requirement,
        responsible_role=Role.key_worker,
        ladder=standard_ladder(reminder_before, registered_manager_after=_hours(chance, 1, 48)),
    )


def random_policy(chance: random.Random) -> Policy:
    leaflet = _hours(chance, 3, 48)
    procedures = _hours(chance, 3, 48)
    assessment = _hours(chance, 3, 120)
    defaults = Policy()
    return defaults.model_copy(
        update={
            "leaflet_within": leaflet,
            "missing_procedures_within": procedures,
            "risk_assessment_within": assessment,
            "clocks": defaults.clocks.model_copy(
                update={
                    "leaflet": _clock(chance, "R1", leaflet),
                    "missing_procedures": _clock(chance, "R4", procedures),
                    "risk_assessment": _clock(chance, "R8", assessment),
                }
            ),
        }
    )


def _when(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _timings(deadline: dict[str, Any]) -> tuple[datetime | None, str | None, datetime | None]:
    return (
        _when(deadline["due_at"]),
        deadline["next_step_name"],
        _when(deadline["next_step_at"]),
    )


async def _listed(api: httpx.AsyncClient, placement_id: str) -> dict[str, tuple[Any, ...]]:
    """The placement's rows of ``/deadlines``, every page."""
    rows: dict[str, tuple[Any, ...]] = {}
    after = None
    while True:
        params: dict[str, Any] = {"unit": "UNIT-7", "limit": 500}
        page = await api.get("/deadlines", params=params | ({"after": after} if after else {}))
        assert page.status_code == 200, page.text
        body = page.json()
        for row in body["items"]:
            if row["placement_id"] == placement_id:
                rows[row["deadline_id"]] = _timings(row)
        after = body["next_after"]
        if after is None:
            return rows


@pytest.mark.parametrize("seed", range(5))
async def test_the_lists_and_the_placement_page_agree_under_a_policy_not_the_processs(
    api: httpx.AsyncClient, services: Services, seed: int
) -> None:
    policy = random_policy(random.Random(seed))
    assert services.policy == Policy() != policy
    placement_id = new_placement_id()
    arrived = datetime.now(UTC) - ARRIVED_AGO
    await start_placement_workflow(services, start_command(placement_id, arrived), policy=policy)
    version = await record_observation(api, placement_id)

    async def appended() -> bool:
        trail = (await api.get(f"/placements/{placement_id}/audit")).json()
        return version in [entry["version"] for entry in trail["entries"]]

    await eventually(appended)

    page = (await api.get(f"/placements/{placement_id}/deadlines")).json()
    on_the_page = {deadline["deadline_id"]: _timings(deadline) for deadline in page}
    assert on_the_page["leaflet"][0] == arrived + policy.leaflet_within
    assert await _listed(api, placement_id) == on_the_page
