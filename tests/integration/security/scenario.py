"""A placement's story through the API, with marker values in every field that may hold a
name, an address or a phone number, and in the child's date of birth, for the tests that look
for them where they must not be.

The story happens in the marker unit, which the administrator makes first (through the API)
with ``staff-01`` (its managers) and ``staff-17`` (its workers) as members: under need to know
only the unit's own staff start and act on its children."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.support.placements import new_placement_id
from tests.support.security import bearer

NAME = "Amina Marker-Haile"
ADDRESS = "12 Markerfield Road, Luton"
PHONE = "07700 900 417"
CASE = "CASE-MARKER-7731"
UNIT = "UNIT-MARKER-88"
LANGUAGE = "Markerish"
AUTHORITY = "Markerborough Council"
# The child's date of birth, a day nothing else holds, as the API takes it and as the SSDA903
# return writes it.
DATE_OF_BIRTH, DATE_OF_BIRTH_UK = "2011-07-23", "23/07/2011"
MARKERS = (NAME, ADDRESS, PHONE, CASE, UNIT, LANGUAGE, AUTHORITY, DATE_OF_BIRTH, DATE_OF_BIRTH_UK)
# The ones that are neither opaque ids nor start facts: never in any log line.
PERSONAL = (NAME, ADDRESS, PHONE, LANGUAGE)

ADMINISTRATOR = bearer("administrator", "admin-01")
MANAGER = bearer("registered_manager", "staff-01")
KEY_WORKER = bearer("key_worker", "staff-17")


async def given_marker_unit(api: httpx.AsyncClient, unit_id: str = UNIT) -> None:
    """The marker unit, made by the administrator, with staff-01 and staff-17 in it."""
    made = await api.post(
        "/organisation/units",
        json={"unit_id": unit_id, "display_name": "Marker House"},
        headers=ADMINISTRATOR,
    )
    assert made.status_code == 201, made.text
    for staff_ref in ("staff-01", "staff-17"):
        joined = await api.post(
            "/organisation/memberships",
            json={"staff_ref": staff_ref, "unit_id": unit_id},
            headers=ADMINISTRATOR,
        )
        assert joined.status_code == 201, joined.text


async def allocate(api: httpx.AsyncClient, placement_id: str, role: str, staff_ref: str) -> None:
    """Allocate ``staff_ref`` to the placement as its ``role`` (its social worker, IRO or key
    worker), as the placement's Registered Manager does."""
    allocated = await api.post(
        f"/placements/{placement_id}/allocations",
        json={"role": role, "staff_ref": staff_ref},
        headers=MANAGER,
    )
    assert allocated.status_code == 200, allocated.text


def start_facts(placement_id: str) -> dict[str, Any]:
    arrived = datetime.now(UTC) - timedelta(hours=2)
    return {
        "placement_id": placement_id,
        "case_reference": CASE,
        "unit_id": UNIT,
        "first_language": LANGUAGE,
        "looked_after_since": arrived.date().isoformat(),
        "arrived_at": arrived.isoformat(),
        "placing_authority": AUTHORITY,
        "social_worker_reference": "sw-204",
        "initial_risk_level": "high",
        "ukvi_relevant": True,
        "date_of_birth": DATE_OF_BIRTH,
        "age_disputed": True,
        "age_assessment": "pending",
    }


def _ago(minutes: float) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


async def play_story(api: httpx.AsyncClient) -> str:
    """Start (in the marker unit, made first), observe, take an enquiry, go missing and come
    back, propose a visitor; each as the unit's member in the role allowed to. Returns the
    placement id."""
    placement_id = new_placement_id()
    await given_marker_unit(api)
    manager, key_worker = MANAGER, KEY_WORKER
    started = await api.post("/placements", json=start_facts(placement_id), headers=manager)
    assert started.status_code == 201, started.text
    actions = f"/placements/{placement_id}/actions"
    steps: list[tuple[str, dict[str, Any]]] = [
        ("observation", {"category": "phone", "observed_at": _ago(90),
                         "note_reference_or_text": f"{NAME} rang {PHONE} from {ADDRESS}"}),
        ("enquiry", {"channel": "phone", "enquirer_reference": NAME,
                     "question": f"is {NAME} at {ADDRESS}? call {PHONE}", "received_at": _ago(80)}),
        ("suspicious-activity", {"category": "waiting_car", "observed_at": _ago(70),
                                 "note_reference_or_text": f"car outside {ADDRESS}"}),
        ("report-missing", {"kind": "missing", "last_seen_at": _ago(60),
                            "last_seen_place_reference": ADDRESS,
                            "circumstances": f"left with {NAME}, phone {PHONE}",
                            "clothing_reference": f"red coat, {NAME}",
                            "description_reference": f"photo of {NAME}"}),
        ("return", {"returned_at": _ago(30), "where_found_reference": ADDRESS,
                    "found_by_reference": NAME}),
        ("propose-visitor", {"visitor_reference": NAME, "stated_relationship": "aunt"}),
    ]  # fmt: skip
    for action, body in steps:
        answer = await api.post(f"{actions}/{action}", json=body, headers=key_worker)
        assert answer.status_code == 200, (action, answer.text)
    # A refusal too: the unverified visitor is turned away (the domain's reason, no value).
    refused = await api.post(
        f"{actions}/visit", json={"visitor_reference": NAME, "visited_at": _ago(5)},
        headers=key_worker,
    )  # fmt: skip
    assert refused.status_code == 409
    return placement_id
