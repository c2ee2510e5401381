"""The unit's whereabouts check (R4) as a form on the handover page: one answer for each child
living in the unit (seen, away with permission, or not seen), and when the check was made.

The form names each child's fields by their placement id (an opaque id), and lists the
children it was drawn for, so a child who arrived since is refused by the domain in plain
words ("the unit check must list every resident child") rather than left out silently."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from starter.command_fields import UNIT_BODIES
from starter.web.forms import london_input, london_moment, plain_message
from workflows.domain.unit.events import Whereabouts

KEY = "record_unit_check"
CHECKED_AT = "checked_at"
RESIDENTS = "residents"
CHOICES = (
    (Whereabouts.seen.value, "Seen"),
    (Whereabouts.away_authorised.value, "Away with permission"),
    (Whereabouts.not_seen.value, "Not seen"),
)
CheckBody = UNIT_BODIES[KEY]


def whereabouts_field(placement_id: str) -> str:
    return f"whereabouts-{placement_id}"


def where_field(placement_id: str) -> str:
    return f"where-{placement_id}"


def until_field(placement_id: str) -> str:
    return f"until-{placement_id}"


@dataclass
class CheckForm:
    """The check as shown: the children it lists, what was chosen or typed, a message per
    field, and the outcome (``problem``: refused, with the reason; ``done``: recorded)."""

    residents: list[str]
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    problem: str | None = None
    done: str | None = None


def blank_check(residents: list[str], now: datetime) -> CheckForm:
    return CheckForm(residents=residents, values={CHECKED_AT: london_input(now)})


def read_check(submitted: Mapping[str, str]) -> tuple[dict[str, Any] | None, CheckForm]:
    """The check's fields (without its actor), or None and the form with its messages."""
    residents = [pid for pid in submitted.get(RESIDENTS, "").split(",") if pid]
    form = CheckForm(residents=residents, values=dict(submitted))
    errors: dict[str, str] = {}
    checked_at: str | None = None
    try:
        checked_at = london_moment(submitted.get(CHECKED_AT, "").strip())
    except ValueError:
        errors[CHECKED_AT] = "Enter a date and time, such as 27/11/2026 21:30"
    entries: list[dict[str, Any]] = []
    for placement_id in residents:
        choice = submitted.get(whereabouts_field(placement_id), "")
        if choice not in {value for value, _ in CHOICES}:
            errors[whereabouts_field(placement_id)] = "Choose one"
        entry: dict[str, Any] = {"placement_id": placement_id, "whereabouts": choice}
        if choice == Whereabouts.away_authorised.value:
            entry["known_whereabouts_reference"] = (
                submitted.get(where_field(placement_id), "").strip() or None
            )
            until = submitted.get(until_field(placement_id), "").strip()
            try:
                entry["away_until"] = london_moment(until) if until else None
            except ValueError:
                errors[until_field(placement_id)] = "Enter a date and time"
        entries.append(entry)
    if errors:
        form.errors = errors
        return None, form
    try:
        body = CheckBody.model_validate({CHECKED_AT: checked_at, "entries": entries})
    except ValidationError as exc:
        form.problem = "; ".join(plain_message(error, None) for error in exc.errors())
        return None, form
    return body.model_dump(), form
