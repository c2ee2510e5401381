"""A start's facts as the API and the web form take them: a child who arrived an hour ago in
UNIT-7 (``tests.support.placements.start_command`` is the same start as a domain command)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any


def start_body(placement_id: str, **changes: Any) -> dict[str, Any]:
    """The start facts as the API's JSON body; the Registered Manager starting it is the
    caller."""
    arrived = datetime.now(UTC) - timedelta(hours=1)
    return {
        "placement_id": placement_id,
        "case_reference": f"CASE-{placement_id}",
        "unit_id": "UNIT-7",
        "first_language": "Tigrinya",
        "looked_after_since": arrived.date().isoformat(),
        "arrived_at": arrived.isoformat(),
        "placing_authority": "Example Borough Council",
        "social_worker_reference": "sw-204",
        "initial_risk_level": "high",
        "ukvi_relevant": True,
    } | changes


def start_form(placement_id: str, **changes: str) -> dict[str, str]:
    """The same facts as the web form posts them: text, the arrival in local time to the
    minute (as a browser's datetime-local field gives it) and "yes" for UKVI."""
    arrived = datetime.now(UTC).astimezone() - timedelta(hours=1)
    local = {
        "looked_after_since": arrived.date().isoformat(),
        "arrived_at": arrived.strftime("%Y-%m-%dT%H:%M"),
        "ukvi_relevant": "yes",
    }
    return {name: str(value) for name, value in start_body(placement_id, **local).items()} | changes
