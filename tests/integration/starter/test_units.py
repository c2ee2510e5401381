"""``safeside unit ...`` and the /units routes against the dev server and a real PostgreSQL:
what staff see when they record a whereabouts check, a house meeting, a building check, and
read and acknowledge the handover."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from starter.services.connection import Services
from starter.services.reading import NOT_YOUR_UNIT
from starter.services.recording import start_placement_workflow
from starter.services.units import UnitNotFound, unit_state
from tests.support.organisation import given_unit_with_staff
from tests.support.placements import new_placement_id, start_command
from tests.support.security import bearer, token_for
from tests.support.starter import Cli, eventually
from tests.support.units import new_unit_id

pytestmark = pytest.mark.usefixtures("worker")

# The command line acts as whoever SAFESIDE_TOKEN names.
AS_WORKER = {"SAFESIDE_TOKEN": token_for("residential_worker", "staff-17")}
WORKER = {"role": "residential_worker", "reference": "staff-17"}


async def a_unit_with_a_child(services: Services) -> tuple[str, str]:
    """A new unit where ``staff-01`` and ``staff-17`` work, and a placement started in it, once
    the unit knows the child lives there: the unit's id and the placement's."""
    unit_id, placement_id = new_unit_id(), new_placement_id()
    arrived = datetime.now(UTC) - timedelta(hours=1)
    await given_unit_with_staff(services.pool, unit_id)
    await start_placement_workflow(services, start_command(placement_id, arrived, unit_id=unit_id))

    async def resident() -> bool:
        try:
            state = await unit_state(services.client, unit_id)
        except UnitNotFound:  # the unit's workflow may not have started yet
            return False
        return state.resident(placement_id) is not None

    await eventually(resident)
    return unit_id, placement_id


async def test_a_worker_records_a_check_and_reads_the_handover_on_the_command_line(
    safeside: Cli, services: Services
) -> None:
    unit_id, placement_id = await a_unit_with_a_child(services)
    result = await safeside("unit", "check", unit_id, "--seen", placement_id, env=AS_WORKER)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"recorded on unit {unit_id}: unit_check_recorded")

    shown = await safeside("unit", "handover", unit_id, env=AS_WORKER)
    assert shown.exit_code == 0, shown.output
    assert placement_id in shown.stdout
    assert "handovers acknowledged: 0" in shown.stdout

    acknowledged = await safeside(
        "unit", "handover", unit_id, "--acknowledge", "staff-03", env=AS_WORKER
    )
    assert acknowledged.exit_code == 0, acknowledged.output
    assert "handover_acknowledged" in acknowledged.stdout


async def test_a_check_leaving_out_a_child_is_refused_with_the_reason_and_exit_1(
    safeside: Cli, services: Services
) -> None:
    unit_id, _ = await a_unit_with_a_child(services)
    result = await safeside("unit", "check", unit_id, env=AS_WORKER)
    assert result.exit_code == 1
    assert "refused: the unit check must list every resident child" in result.stderr


async def test_a_worker_of_another_unit_is_refused_its_handover_and_the_refusal_is_logged(
    safeside: Cli, services: Services
) -> None:
    unit_id, _ = await a_unit_with_a_child(services)
    as_other = {"SAFESIDE_TOKEN": token_for("key_worker", "kw-other")}
    shown = await safeside("unit", "handover", unit_id, env=as_other)
    assert shown.exit_code == 1
    assert shown.stderr.strip() == f"safeside: refused: {NOT_YOUR_UNIT}"
    checked = await safeside("unit", "check", unit_id, env=as_other)
    assert checked.exit_code == 1
    assert checked.stderr.strip() == f"safeside: refused: {NOT_YOUR_UNIT}"
    logged = await services.pool.fetch(
        "SELECT what, allowed FROM access_log WHERE subject = 'kw-other' AND unit_id = $1",
        unit_id,
    )
    assert [(row["what"], row["allowed"]) for row in logged] == [("unit_handover", False)]
    assert (await unit_state(services.client, unit_id)).checks_recorded == 0


async def test_the_unit_routes_record_checks_meetings_and_the_handover(
    api: httpx.AsyncClient, services: Services
) -> None:
    unit_id, placement_id = await a_unit_with_a_child(services)
    now = datetime.now(UTC).isoformat()
    check = await api.post(
        f"/units/{unit_id}/checks",
        json={
            "checked_at": now,
            "entries": [{"placement_id": placement_id, "whereabouts": "seen"}],
        },
    )
    assert check.status_code == 200, check.text
    assert check.json()["events"] == ["unit_check_recorded"]

    meeting = {"held_at": now, "phones_discussed": False, "residents_present": 1}
    refused = await api.post(f"/units/{unit_id}/house-meetings", json=meeting)
    assert refused.status_code == 409
    assert "lending phones" in refused.json()["detail"]
    held = await api.post(
        f"/units/{unit_id}/house-meetings", json=meeting | {"phones_discussed": True}
    )
    assert held.status_code == 200, held.text

    building = await api.post(
        f"/units/{unit_id}/building-checks",
        json={
            "checked_at": now,
            "concerns": [
                {
                    "category": "waiting_car",
                    "note_reference_or_text": "LOG-77",
                    "placement_id": placement_id,
                }
            ],
        },
    )
    assert building.status_code == 200, building.text

    handover = await api.get(f"/units/{unit_id}/handover")
    assert handover.status_code == 200
    [resident] = handover.json()["residents"]
    assert resident["placement_id"] == placement_id
    assert resident["whereabouts"] == "seen"

    acknowledged = await api.post(
        f"/units/{unit_id}/handover/acknowledgements",
        json={"acknowledged_at": now, "handed_over_by_reference": "staff-03"},
    )
    assert acknowledged.status_code == 200, acknowledged.text
    assert acknowledged.json()["events"] == ["handover_acknowledged"]


async def test_only_the_units_staff_record_its_checks_and_read_its_handover(
    api: httpx.AsyncClient, services: Services
) -> None:
    unit_id, placement_id = await a_unit_with_a_child(services)
    check = {
        "checked_at": datetime.now(UTC).isoformat(),
        "entries": [{"placement_id": placement_id, "whereabouts": "seen"}],
    }
    as_auditor = bearer("auditor", "audit-1")
    refused = await api.post(f"/units/{unit_id}/checks", json=check, headers=as_auditor)
    assert refused.status_code == 403
    assert "auditor may not record record_unit_check" in refused.json()["detail"]
    as_social_worker = bearer("social_worker", "sw-204")
    hidden = await api.get(f"/units/{unit_id}/handover", headers=as_social_worker)
    assert hidden.status_code == 403
    with_actor = await api.post(f"/units/{unit_id}/checks", json=check | {"actor": WORKER})
    assert with_actor.status_code == 422
    recorded = await api.post(f"/units/{unit_id}/checks", json=check)
    assert recorded.status_code == 200, recorded.text
    assert (await unit_state(services.client, unit_id)).version >= 1


async def test_an_unknown_unit_is_refused_as_another_units_handover_is(
    api: httpx.AsyncClient,
) -> None:
    answer = await api.get(f"/units/{new_unit_id()}/handover")
    assert answer.status_code == 403
    assert answer.json()["detail"] == NOT_YOUR_UNIT
