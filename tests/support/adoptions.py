"""Builders for adopting a placement in tests: a child who arrived long ago with every step
done at a plausible date, and the same with some steps left out (so their clocks are overdue).

The fields are the adoption command's, without the actor, as the command line's JSON, the
API's body and an import file's columns take them; times are ISO text, as they arrive there.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any

from tests.support.placements import MANAGER
from workflows.domain.adoption_command import AdoptPlacement

DAY = timedelta(days=1)

# Every step done, none of its clocks near: adopted, nothing is owed to anyone.
EVERY_STEP = (
    "leaflet",
    "missing_procedures",
    "risk_assessment",
    "planning_meeting",
    "reviews",
    "visit",
    "nrm",
    "phone",
    "internet_restriction",
)


def adoption_fields(
    placement_id: str,
    now: datetime,
    *,
    arrived_days_ago: int = 100,
    unit_id: str = "UNIT-7",
    leave_out: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The adoption of a child who arrived ``arrived_days_ago`` before ``now``, with every
    step of ``EVERY_STEP`` done but those in ``leave_out``."""
    arrived = now - arrived_days_ago * DAY
    steps: dict[str, dict[str, Any]] = {
        "leaflet": {
            "leaflet_delivered_at": arrived + timedelta(hours=3),
            "leaflet_interpreter_reference": "INT-55",
            "leaflet_child_understanding": "understood; asked about phones",
        },
        "missing_procedures": {
            "missing_procedures_explained_at": arrived + timedelta(hours=4),
            "missing_procedures_interpreter_reference": "INT-55",
        },
        "risk_assessment": {
            "risk_assessed_at": now - 2 * DAY,
            "risk_level": "medium",
            "risk_factors": ["an unknown adult called the unit"],
            "risk_child_participated": True,
            "risk_child_views": "feels safer than on arrival",
        },
        "planning_meeting": {
            "planning_meeting_held_at": arrived + 5 * DAY,
            "planning_meeting_young_person_present": True,
            "planning_meeting_child_views": "wants to stay at this unit",
        },
        "reviews": {
            "looked_after_reviews_held": 2,
            "latest_review_held_at": now - 5 * DAY,
            "latest_review_iro_reference": "iro-01",
            "latest_review_child_views": "wants to go to college",
        },
        "visit": {"latest_visit_at": now - 7 * DAY, "latest_visit_child_seen_alone": True},
        "nrm": {"nrm_referred_at": arrived + DAY, "nrm_referral_reference": "NRM-2031"},
        "phone": {
            "phone_released_at": now - 30 * DAY,
            "phone_release_confirmation_reference": "email sw-204 of that day",
        },
        "internet_restriction": {
            "internet_restricted_since": now - 10 * DAY,
            "internet_restriction_review_by": now + 4 * DAY,
            "internet_restriction_reason": "contact by unknown adults online",
        },
    }
    fields: dict[str, Any] = {
        "placement_id": placement_id,
        "case_reference": f"CASE-{placement_id}",
        "unit_id": unit_id,
        "first_language": "Tigrinya",
        "looked_after_since": arrived.date().isoformat(),
        "arrived_at": arrived,
        "placing_authority": "Example Borough Council",
        "social_worker_reference": "sw-204",
        "initial_risk_level": "medium",
        "ukvi_relevant": True,
    }
    for name, step in steps.items():
        if name not in leave_out:
            fields.update(step)
    return {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name, value in fields.items()
    }


def adoption(placement_id: str, now: datetime, **options: Any) -> AdoptPlacement:
    """The adoption as the Registered Manager ``MANAGER`` records it."""
    return AdoptPlacement.model_validate(
        {**adoption_fields(placement_id, now, **options), "actor": MANAGER}
    )


def csv_file(rows: list[dict[str, Any]]) -> str:
    """An import file of ``rows`` (adoption fields): every column any row names, lists joined
    with ``|``, empty cells where a row leaves a field out."""
    columns = list(dict.fromkeys(name for row in rows for name in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                name: "|".join(value) if isinstance(value, list) else value
                for name, value in row.items()
            }
        )
    return out.getvalue()
