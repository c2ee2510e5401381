"""How the command line shows things: aligned tables for people (times in Europe/London, the
time the unit lives by), JSON and CSV for scripts.

What it shows about a child comes from the service layer's gate as JSON-ready data, already
redacted for the reader's role, so the printers read plain dicts: a hidden field, or a whole
hidden part, prints as it came (``[redacted]``), and a time is turned back into one only where
it is shown in local time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, TypeAdapter

from safeside.csv_text import csv_text
from workflows.domain.common import LONDON

_JSON = TypeAdapter(Any)
# One answer (a state, a deadline, an audit entry) as the gate gives it.
Record = Mapping[str, Any]


def london(moment: datetime | None) -> str:
    """A time as a person in the unit reads it: local date and time with GMT or BST."""
    if moment is None:
        return "-"
    return moment.astimezone(LONDON).strftime("%Y-%m-%d %H:%M:%S %Z")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers], *([_cell(value) for value in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in cells
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def fields(pairs: Sequence[tuple[str, object]]) -> str:
    """A record as 'name  value' lines."""
    width = max(len(name) for name, _ in pairs)
    return "\n".join(f"{name.ljust(width)}  {_cell(value)}" for name, value in pairs)


def to_json(value: object) -> str:
    if isinstance(value, BaseModel):
        return value.model_dump_json(indent=2)
    return json.dumps(_JSON.dump_python(value, mode="json"), indent=2)


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    return csv_text(headers, ([_csv_cell(value) for value in row] for row in rows), line_end="\n")


def part(record: object, key: str) -> Any:
    """``record[key]`` of a redacted answer: what the whole record is (None, or
    ``[redacted]``) when it is not a record."""
    if isinstance(record, Mapping):
        return record.get(key)
    return record


def when(value: object) -> object:
    """A time of a JSON answer (ISO 8601 text) as a time, so it shows in local time; anything
    else (None, ``[redacted]``) as it is."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def joined(value: object, key: str | None = None) -> object:
    """A list as "a, b" (each item's ``key`` when given), None when empty; anything else (a
    hidden list reads ``[redacted]``) as it is."""
    if isinstance(value, list | tuple):
        items = [part(item, key) if key is not None else item for item in value]
        return ", ".join(str(item) for item in items) or None
    return value


def state_fields(state: Record) -> str:
    """A placement's live state, the facts a person looks for first."""
    facts = state.get("facts")
    return fields(
        [
            ("placement", state.get("stream_id")),
            ("status", state.get("status")),
            ("unit", part(facts, "unit_id")),
            ("case", part(facts, "case_reference")),
            ("arrived", when(part(facts, "arrived_at"))),
            ("risk level", state.get("risk_level")),
            ("risk factors", joined(state.get("risk_factors"))),
            ("leaflet delivered", when(state.get("leaflet_delivered_at"))),
            ("missing procedures told", when(state.get("missing_procedures_explained_at"))),
            ("deadlines missed", joined(state.get("deadlines_missed"))),
            ("version", state.get("version")),
        ]
    )


def deadline_table(deadlines: Sequence[Record]) -> str:
    return table(
        ["deadline", "req", "due (Europe/London)", "responsible", "next step", "at", "overdue"],
        [
            (
                d.get("deadline_id"),
                d.get("requirement"),
                when(d.get("due_at")),
                d.get("responsible_role"),
                d.get("next_step_name"),
                when(d.get("next_step_at")),
                d.get("overdue"),
            )
            for d in deadlines
        ],
    )


def render_audit(entries: Sequence[Record], audit_format: str) -> str:
    if audit_format == "json":
        return to_json(entries)
    if audit_format == "csv":
        return to_csv(
            [
                "version",
                "occurred_at",
                "occurred_at_london",
                "event",
                "actor_role",
                "actor_ref",
                "details",
                "recorded_on_adoption",
            ],
            [
                (
                    e.get("version"),
                    when(e.get("occurred_at")),
                    _in_london(when(e.get("occurred_at"))),
                    e.get("event_type"),
                    e.get("actor_role"),
                    e.get("actor_ref"),
                    e.get("details"),
                    e.get("recorded_on_adoption") is True,
                )
                for e in entries
            ],
        )
    return table(
        ["#", "when (Europe/London)", "what", "by", "details"],
        [
            (
                e.get("version"),
                when(e.get("occurred_at")),
                _event_name(e),
                f"{e.get('actor_role')}/{e.get('actor_ref')}",
                _shortened(_details(e.get("details"))),
            )
            for e in entries
        ],
    )


def _event_name(entry: Record) -> str:
    """The event's type; a step done before Safeside says it was recorded on adoption."""
    adopted = entry.get("recorded_on_adoption") is True
    return f"{entry.get('event_type')}{' (on adoption)' if adopted else ''}"


def _details(details: object) -> str:
    if isinstance(details, Mapping):
        return "; ".join(f"{key}={value}" for key, value in details.items())
    return str(details)


def _in_london(moment: object) -> object:
    return moment.astimezone(LONDON) if isinstance(moment, datetime) else moment


# A table row stays readable on a terminal; JSON and CSV carry every detail.
DETAILS_WIDTH = 80


def _shortened(text: str) -> str:
    return text if len(text) <= DETAILS_WIDTH else text[: DETAILS_WIDTH - 1] + "…"


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return london(value)
    return str(value)


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return str(value)
