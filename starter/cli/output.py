"""How the command line shows things: aligned tables for people (times in Europe/London, the
time the unit lives by), JSON and CSV for scripts."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, TypeAdapter

from starter.services.audit_trail import AuditEntry
from workflows.domain.common import LONDON
from workflows.domain.deadlines import Deadline

_JSON = TypeAdapter(Any)


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
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows([[_csv_cell(value) for value in row] for row in rows])
    return buffer.getvalue()


def deadline_table(deadlines: list[Deadline]) -> str:
    return table(
        ["deadline", "req", "due (Europe/London)", "responsible", "next step", "at", "overdue"],
        [
            (
                d.deadline_id,
                d.requirement,
                d.due_at,
                d.responsible_role.value,
                d.next_step_name,
                d.next_step_at,
                d.overdue,
            )
            for d in deadlines
        ],
    )


def render_audit(entries: list[AuditEntry], audit_format: str) -> str:
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
            ],
            [
                (
                    e.version,
                    e.occurred_at,
                    e.occurred_at.astimezone(LONDON),
                    e.event_type,
                    e.actor_role,
                    e.actor_ref,
                    e.details,
                )
                for e in entries
            ],
        )
    return table(
        ["#", "when (Europe/London)", "what", "by", "details"],
        [
            (
                e.version,
                e.occurred_at,
                e.event_type,
                f"{e.actor_role}/{e.actor_ref}",
                _shortened("; ".join(f"{key}={value}" for key, value in e.details.items())),
            )
            for e in entries
        ],
    )


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
