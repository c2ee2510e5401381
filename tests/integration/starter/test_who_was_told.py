"""Who was told (issue 18): a Duty Manager confirms from the API, the command line and the
placement page that the police have the Missing Children's Proforma, and records the police's
acknowledgement and reference beside the missing episode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from safeside.db import Pool
from starter.services.connection import Services
from starter.services.reading import NOT_YOURS
from tests.support.security import bearer, token_for
from tests.support.sessions import open_session
from tests.support.starter import Cli, StartedPlacement, eventually

pytestmark = pytest.mark.usefixtures("worker")

CAD = "CAD-1187-27NOV"


def _ago(minutes: int) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


async def _report_missing(api: httpx.AsyncClient, placement_id: str) -> str:
    answer = await api.post(
        f"/placements/{placement_id}/actions/report-missing",
        json={
            "kind": "missing",
            "last_seen_at": _ago(30),
            "last_seen_place_reference": "PLACE-bus-stop",
            "circumstances": "did not come back from college",
            "clothing_reference": "PHIL-2-7",
        },
    )
    assert answer.status_code == 200, answer.text
    return f"{placement_id}-M1"


async def _notices_once_stored(api: httpx.AsyncClient, placement_id: str) -> list[Any]:
    """The notices, once the proforma to the police is delivered (the outbox is written as the
    events are stored, a moment after the workflow accepts the report)."""
    found: list[Any] = []

    async def police_told() -> bool:
        answer = await api.get(f"/placements/{placement_id}/notifications")
        assert answer.status_code == 200, answer.text
        found[:] = answer.json()["items"]
        return any(
            n["recipient"] == "police" and n["delivery_status"] == "delivered" for n in found
        )

    await eventually(police_told)
    return found


async def _missing_and_the_police_told(
    api: httpx.AsyncClient, started: StartedPlacement
) -> tuple[str, str]:
    """A child reported missing, once the police have the proforma: the placement and the
    episode."""
    placement_id = await started()
    episode_id = await _report_missing(api, placement_id)
    await _notices_once_stored(api, placement_id)
    return placement_id, episode_id


async def test_a_duty_manager_sees_the_police_were_told_and_records_their_reference(
    api: httpx.AsyncClient, started: StartedPlacement
) -> None:
    placement_id = await started()
    episode_id = await _report_missing(api, placement_id)
    notices = await _notices_once_stored(api, placement_id)

    (proforma,) = [n for n in notices if n["recipient"] == "police" and n["episode_id"]]
    assert proforma["purpose"] == "missing_children_proforma"
    assert proforma["episode_id"] == episode_id
    assert proforma["event_type"] == "missing_reported"
    assert (proforma["channel"], proforma["attempts"]) == ("log", 1)
    assert proforma["delivered_at"] is not None
    assert proforma["owed_at"] is not None
    # Every notice the report owed is listed: Ofsted's (reg 40) and UKVI's among them.
    about_the_report = {
        n["recipient"]: n["purpose"]
        for n in notices
        if n["about_version"] == proforma["about_version"]
    }
    assert about_the_report["ofsted"] == "reg40_police_involved"
    assert about_the_report["ukvi"] == "missing_reported"
    # The newest event first: the report's notices before the start's.
    assert notices[0]["about_version"] == proforma["about_version"]
    assert notices[-1]["purpose"] == "placement_started"

    duty_manager = bearer("duty_manager", "staff-01")
    acknowledged_at = _ago(10)
    answer = await api.post(
        f"/placements/{placement_id}/actions/police-acknowledgement",
        json={
            "episode_id": episode_id,
            "police_acknowledged_at": acknowledged_at,
            "police_reference": CAD,
        },
        headers=duty_manager,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["events"] == ["police_acknowledged"]

    state = (await api.get(f"/placements/{placement_id}", headers=duty_manager)).json()
    (episode,) = state["missing_episodes"]
    assert episode["police_reference"] == CAD
    assert datetime.fromisoformat(episode["police_acknowledged_at"]) == datetime.fromisoformat(
        acknowledged_at
    )
    again = await api.post(
        f"/placements/{placement_id}/actions/police-acknowledgement",
        json={"episode_id": episode_id, "police_acknowledged_at": _ago(5), "police_reference": "X"},
        headers=duty_manager,
    )
    assert again.status_code == 409
    assert again.json()["detail"] == (
        "the police's acknowledgement of this episode is already recorded"
    )


async def test_another_unit_s_key_worker_is_refused_the_notices_and_every_read_is_logged(
    api: httpx.AsyncClient, started: StartedPlacement, pool: Pool
) -> None:
    placement_id, _ = await _missing_and_the_police_told(api, started)

    refused = await api.get(
        f"/placements/{placement_id}/notifications", headers=bearer("key_worker", "kw-other")
    )
    assert refused.status_code == 403
    assert refused.json()["detail"] == NOT_YOURS

    reads = await pool.fetch(
        """SELECT subject, role, allowed FROM access_log
            WHERE placement_id = $1 AND what = 'notifications' ORDER BY id""",
        placement_id,
    )
    assert {(r["subject"], r["role"], r["allowed"]) for r in reads} == {
        ("staff-01", "registered_manager", True),
        ("kw-other", "key_worker", False),
    }


async def test_the_auditor_and_the_administrator_may_not_read_who_was_told(
    api: httpx.AsyncClient, started: StartedPlacement
) -> None:
    placement_id = await started()
    for role, subject in (("auditor", "audit-1"), ("administrator", "admin-01")):
        answer = await api.get(
            f"/placements/{placement_id}/notifications", headers=bearer(role, subject)
        )
        assert answer.status_code == 403
        assert answer.json()["detail"] == f"the role {role} may not read the notifications"


async def test_the_placement_page_shows_who_was_told_and_the_police_reference_by_the_episode(
    api: httpx.AsyncClient, services: Services, started: StartedPlacement
) -> None:
    placement_id, episode_id = await _missing_and_the_police_told(api, started)
    recorded = await api.post(
        f"/placements/{placement_id}/actions/police-acknowledgement",
        json={"episode_id": episode_id, "police_acknowledged_at": _ago(5), "police_reference": CAD},
    )
    assert recorded.status_code == 200, recorded.text

    duty_manager = await open_session(services, "duty_manager", "staff-01")
    page = await api.get(f"/web/placements/{placement_id}", headers=duty_manager.cookie_header)
    assert page.status_code == 200
    html = page.text
    assert '<h2 id="notices-heading">Who was told</h2>' in html
    assert "<caption>Every notice owed about this child, the latest first" in html
    assert '<th scope="col">Recipient</th><th scope="col">Purpose</th>' in html
    assert "Missing Children&#39;s Proforma" in html
    # Beside the episode: the police were told, and their acknowledgement and reference.
    episodes = html.split('id="missing-heading"', 1)[1].split("</table>", 1)[0]
    assert "Told: delivered" in episodes
    assert f"reference {CAD}" in episodes
    # The form to record it is offered, filled with the latest episode.
    assert "Record the police&#39;s acknowledgement (R5)" in html
    assert f'value="{episode_id}"' in html


async def test_the_command_line_lists_who_was_told(
    api: httpx.AsyncClient, started: StartedPlacement, safeside: Cli
) -> None:
    placement_id, _ = await _missing_and_the_police_told(api, started)
    as_manager = {"SAFESIDE_TOKEN": token_for("registered_manager", "staff-01")}
    result = await safeside("placement", "notices", placement_id, env=as_manager)
    assert result.exit_code == 0, result.output
    police = [line for line in result.output.splitlines() if "missing_children_proforma" in line]
    assert len(police) == 1
    assert "delivered" in police[0]
