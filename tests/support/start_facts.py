"""A start's facts as the API and the web form take them: a child who arrived an hour ago in
UNIT-7 (``tests.support.placements.start_command`` is the same start as a domain command)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from starter.web import uk_time
from workflows.domain.common import LONDON


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
    """The same facts as the web form posts them: text, dates in UK order on the London clock
    (day, month, year and a 24-hour time, each its own input) and "yes" for UKVI."""
    arrived = datetime.now(UTC) - timedelta(hours=1)
    facts = {
        name: str(value)
        for name, value in start_body(placement_id).items()
        if name not in ("arrived_at", "looked_after_since")
    }
    return (
        facts
        | uk_time.moment_parts("arrived_at", arrived)
        | uk_time.date_parts("looked_after_since", arrived.astimezone(LONDON).date())
        | {"ukvi_relevant": "yes"}
        | changes
    )
