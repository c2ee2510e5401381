"""A placement's story through the API, with marker values in every field that may hold a
name, an address or a phone number, for the tests that look for them where they must not be."""

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
MARKERS = (NAME, ADDRESS, PHONE, CASE, UNIT, LANGUAGE, AUTHORITY)
# The ones that are neither opaque ids nor start facts: never in any log line.
PERSONAL = (NAME, ADDRESS, PHONE, LANGUAGE)


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
    }


def _ago(minutes: float) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


async def play_story(api: httpx.AsyncClient) -> str:
    """Start, observe, take an enquiry, go missing and come back, propose a visitor; each as
    the role allowed to. Returns the placement id."""
    placement_id = new_placement_id()
    manager, key_worker = bearer("registered_manager", "staff-01"), bearer("key_worker", "kw-17")
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
