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
from starter.web import uk_time
from starter.web.forms import plain_message, sentence
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

    def error_links(self) -> list[tuple[str, str]]:
        """The error summary's links, in the form's order, each to its field's first input."""
        links = []
        if CHECKED_AT in self.errors:
            links.append(
                (
                    f"#unit-check-{CHECKED_AT}-day",
                    f"When the check was made: {self.errors[CHECKED_AT]}",
                )
            )
        for placement_id in self.residents:
            for name, anchor, what in (
                (whereabouts_field(placement_id), f"{whereabouts_field(placement_id)}-seen", ""),
                (until_field(placement_id), f"{until_field(placement_id)}-day", ", away until"),
            ):
                if name in self.errors:
                    links.append(
                        (f"#{anchor}", f"Placement {placement_id}{what}: {self.errors[name]}")
                    )
        return links


def blank_check(residents: list[str], now: datetime) -> CheckForm:
    return CheckForm(residents=residents, values=uk_time.moment_parts(CHECKED_AT, now))


def read_check(submitted: Mapping[str, str]) -> tuple[dict[str, Any] | None, CheckForm]:
    """The check's fields (without its actor), or None and the form with its messages."""
    residents = [pid for pid in submitted.get(RESIDENTS, "").split(",") if pid]
    form = CheckForm(residents=residents, values=dict(submitted))
    errors: dict[str, str] = {}
    when = uk_time.read_moment(submitted, CHECKED_AT)
    checked_at = when.value
    if when.error is not None or checked_at is None:
        errors[CHECKED_AT] = when.error or "Enter the date and time"
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
            until = uk_time.read_moment(submitted, until_field(placement_id))
            entry["away_until"] = until.value
            if until.error is not None:
                errors[until_field(placement_id)] = until.error
        entries.append(entry)
    if errors:
        form.errors = errors
        return None, form
    try:
        body = CheckBody.model_validate({CHECKED_AT: checked_at, "entries": entries})
    except ValidationError as exc:
        form.problem = sentence("; ".join(plain_message(error, None) for error in exc.errors()))
        return None, form
    return body.model_dump(), form
