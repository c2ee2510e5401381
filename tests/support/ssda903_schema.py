"""An SSDA903 CSV file checked against liiatools' published schema (``liiatools/VENDORED.md``
says why the schema rather than the package), the way its ``s903`` cleaner checks one:

- the table is recognised by its header holding the schema table's columns, and a column the
  schema does not list is an error (the cleaner drops it and logs "Additional columns");
- a ``date`` cell must read with the schema's format (``to_date``: ``strptime``), and here must
  also be written in it exactly (dd/mm/yyyy, zero-padded, as the DfE writes dates);
- a ``category`` cell must be one of the codes (the cleaner matches without case; here the code
  itself);
- a ``numeric: integer`` cell must be an integer;
- a cell the schema says ``canbeblank: no`` must not be blank (the cleaner's ``blank_error``).

And two of the DfE's own checks the schema does not carry, for the Missing table: an episode
ends on or after it starts, and starts on or after the child's birth.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

SCHEMA = Path(__file__).parent / "liiatools" / "SSDA903_schema_2024.yml"


def table_schema(table: str) -> dict[str, dict[str, Any]]:
    """The schema's columns for ``table`` ("Missing"), in its order."""
    columns: dict[str, dict[str, Any]] = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))[
        "column_map"
    ][table]
    return columns


def problems(text: str, table: str = "Missing") -> list[str]:
    """Every way ``text`` (a CSV file) breaks the schema's ``table``; empty when it passes."""
    schema = table_schema(table)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return ["the file is empty"]
    header, *lines = rows
    found = []
    missing = [column for column in schema if column not in header]
    if missing:
        return [f"the header lacks {missing}: not a {table} table"]
    extra = [column for column in header if column not in schema]
    if extra or len(set(header)) != len(header):
        found.append(f"columns the schema does not list, or listed twice: {extra or header}")
    for number, line in enumerate(lines, start=2):
        if len(line) != len(header):
            found.append(f"line {number}: {len(line)} cells for {len(header)} columns")
            continue
        cells = dict(zip(header, line, strict=True))
        found += [
            f"line {number}, {column}: {problem}"
            for column, rule in schema.items()
            if (problem := _cell_problem(cells[column], rule)) is not None
        ]
        if table == "Missing":
            found += [f"line {number}: {problem}" for problem in _episode_problems(cells)]
    return found


def _cell_problem(cell: str, rule: dict[str, Any]) -> str | None:
    if cell.strip() == "":
        return None if rule.get("canbeblank") else "blank, and the schema says it cannot be"
    if "date" in rule:
        try:
            day = datetime.strptime(cell, rule["date"])
        except ValueError:
            return f"not a date in {rule['date']}"
        if day.strftime(rule["date"]) != cell:
            return f"not written as {rule['date']}"
    if "category" in rule and cell not in {str(item["code"]) for item in rule["category"]}:
        return f"not one of the codes {[item['code'] for item in rule['category']]}"
    if rule.get("numeric") == "integer" and not cell.lstrip("-").isdigit():
        return "not an integer"
    return None


def _episode_problems(cells: dict[str, str]) -> list[str]:
    born, start, end = (_day(cells[c]) for c in ("DOB", "MIS_START", "MIS_END"))
    found = []
    if start is not None and end is not None and end < start:
        found.append("MIS_END is before MIS_START")
    if born is not None and start is not None and start < born:
        found.append("MIS_START is before DOB")
    return found


def _day(cell: str) -> date | None:
    try:
        return datetime.strptime(cell, "%d/%m/%Y").date()
    except ValueError:
        return None
