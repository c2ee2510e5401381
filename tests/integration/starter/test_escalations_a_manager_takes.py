"""Escalations a manager takes, through the action route and the command line: the child's
own Duty Manager says "I am dealing with this", recorded with them as the actor; another
unit's Duty Manager and a key worker are refused, as is a second acknowledgement and a step
not raised; Today lists the escalations nobody has taken first, and the reminders apart."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from safeside.db import Pool
from safeside.tokens import Principal
from starter.services.connection import Services
from starter.services.reading import NOT_YOURS
from starter.services.today_board import escalations_and_reminders
from tests.integration.starter.cli_support import signed_in
from tests.support.security import bearer
from tests.support.starter import Cli, StartedPlacement, eventually
from workflows.domain.common import Role

pytestmark = pytest.mark.usefixtures("worker")

DUTY_MANAGER = bearer("duty_manager", "staff-01")
OTHER_UNITS_DUTY_MANAGER = bearer("duty_manager", "dm-other")
KEY_WORKER = bearer("key_worker", "staff-17")
# The leaflet's and the missing procedures' Duty Manager steps (index 1), raised at 24 hours.
LEAFLET_TO_THE_DUTY_MANAGER = {"deadline_id": "leaflet", "step_index": 1}


async def a_day_late(started: StartedPlacement, pool: Pool) -> str:
    """A placement that arrived 30 hours ago: its leaflet went to the Duty Manager at 24."""
    placement_id = await started(hours_ago=30)

    async def raised() -> bool:
        steps = await pool.fetchval(
            """SELECT count(*) FROM escalations WHERE stream_id = $1 AND step_index = 1
                  AND deadline_id IN ('leaflet', 'missing_procedures')""",
            placement_id,
        )
        return bool(steps == 2)

    await eventually(raised, within=30)
    return placement_id


def take(placement_id: str) -> str:
    return f"/placements/{placement_id}/actions/acknowledge-escalation"


async def test_the_child_s_duty_manager_takes_an_escalation_and_nobody_else_can(
    api: httpx.AsyncClient, started: StartedPlacement, pool: Pool
) -> None:
    placement_id = await a_day_late(started, pool)
    before = (await api.get(f"/placements/{placement_id}")).json()["version"]

    other_unit = await api.post(
        take(placement_id), json=LEAFLET_TO_THE_DUTY_MANAGER, headers=OTHER_UNITS_DUTY_MANAGER
    )
    assert (other_unit.status_code, other_unit.json()["detail"]) == (403, NOT_YOURS)
    worker = await api.post(
        take(placement_id), json=LEAFLET_TO_THE_DUTY_MANAGER, headers=KEY_WORKER
    )
    assert worker.status_code == 403
    assert worker.json()["detail"] == "the role key_worker may not record acknowledge_escalation"
    assert (await api.get(f"/placements/{placement_id}")).json()["version"] == before

    taken = await api.post(
        take(placement_id), json=LEAFLET_TO_THE_DUTY_MANAGER, headers=DUTY_MANAGER
    )
    assert taken.status_code == 200, taken.text
    assert taken.json()["events"] == ["escalation_acknowledged"]

    again = await api.post(take(placement_id), json=LEAFLET_TO_THE_DUTY_MANAGER)  # the RM
    assert (again.status_code, again.json()["detail"]) == (
        409,
        "this escalation is already being dealt with by the duty manager staff-01: "
        "nothing more to record",
    )
    not_raised = await api.post(
        take(placement_id), json={"deadline_id": "leaflet", "step_index": 2}, headers=DUTY_MANAGER
    )
    assert not_raised.status_code == 409
    assert "nothing to acknowledge yet" in not_raised.json()["detail"]

    trail = (await api.get(f"/placements/{placement_id}/audit")).json()["entries"]
    [entry] = [e for e in trail if e["event_type"] == "escalation_acknowledged"]
    assert (entry["actor_role"], entry["actor_ref"]) == ("duty_manager", "staff-01")
    assert entry["details"] == {"deadline_id": "leaflet", "step_index": 1}
    state = (await api.get(f"/placements/{placement_id}")).json()
    [acknowledged] = state["escalations_acknowledged"]
    assert acknowledged["acknowledged_by"] == {"role": "duty_manager", "reference": "staff-01"}


async def test_today_lists_escalations_nobody_has_taken_first_and_reminders_apart(
    api: httpx.AsyncClient, started: StartedPlacement, pool: Pool, services: Services
) -> None:
    placement_id = await a_day_late(started, pool)
    taken = await api.post(
        take(placement_id), json=LEAFLET_TO_THE_DUTY_MANAGER, headers=DUTY_MANAGER
    )
    assert taken.status_code == 200, taken.text

    duty_manager = Principal(subject="staff-01", role=Role.duty_manager)
    escalations, reminders = await escalations_and_reminders(
        services, duty_manager, datetime.now(UTC)
    )
    ours = [_step(e) for e in escalations if e["placement_id"] == placement_id]
    assert ours == [
        ("missing_procedures", "duty_manager", None),
        ("leaflet", "duty_manager", {"role": "duty_manager", "reference": "staff-01"}),
    ]
    [acknowledged] = [
        e for e in escalations if e["placement_id"] == placement_id and e["acknowledged_by"]
    ]
    assert acknowledged["escalation_acknowledged_at"] is not None
    ours = [_step(r) for r in reminders if r["placement_id"] == placement_id]
    assert {(deadline, role) for deadline, role, _ in ours} >= {
        ("leaflet", "key_worker"),
        ("missing_procedures", "key_worker"),
    }
    assert {role for _, role, _ in ours} <= {"key_worker", "residential_worker", "social_worker"}
    # Every escalation nobody has taken comes before any that someone has.
    taken_in_order = [bool(e["acknowledged_by"]) for e in escalations]
    assert taken_in_order == sorted(taken_in_order)

    elsewhere = Principal(subject="dm-other", role=Role.duty_manager)
    assert placement_id not in str(
        await escalations_and_reminders(services, elsewhere, datetime.now(UTC))
    )


async def test_a_manager_takes_an_escalation_on_the_command_line(
    safeside: Cli, started: StartedPlacement, pool: Pool
) -> None:
    placement_id = await a_day_late(started, pool)
    args = ("placement", "record", "acknowledge-escalation", placement_id,
            "--deadline-id", "missing_procedures", "--step-index", "1")  # fmt: skip

    refused = await safeside(*args, env=signed_in("duty_manager", "dm-other"))
    assert refused.exit_code == 1
    assert refused.stderr.strip() == f"safeside: refused: {NOT_YOURS}"
    recorded = await safeside(*args, env=signed_in("duty_manager", "staff-01"))
    assert recorded.exit_code == 0, recorded.output
    assert f"recorded on placement {placement_id}: escalation_acknowledged" in recorded.stdout


def _step(step: dict[str, Any]) -> tuple[str, str, Any]:
    return step["deadline_id"], step["notify_role"], step["acknowledged_by"]
