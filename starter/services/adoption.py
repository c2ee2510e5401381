"""Adopting placements: Safeside taken on for children who already live in the unit, one at a
time or a whole unit from an import file, as the Registered Manager.

One child: the adoption is checked by the domain first (every wrong field at once, as
StartRefused), where the child lives is recorded, and the workflow starts with the adoption as
its start. A file: every row is checked before anything starts (its fields, the unit, the
domain's rules); the good rows then start, each under its own placement id, so a file run
again starts nothing twice: a placement already there is reported as already adopted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from safeside.tokens import Principal
from starter.command_fields import field_errors, field_shape, person_fields
from starter.services import organisation
from starter.services.connection import Services
from starter.services.organisation import OrganisationRefused
from starter.services.permissions import Denied, check_may_record
from starter.services.placements import PlacementAlreadyOpen, StartRefused
from starter.services.recording import actor_of, open_placement_workflow
from workflows.domain.adoption import adopt
from workflows.domain.adoption_command import AdoptPlacement
from workflows.domain.errors import DomainError, FieldsRefused
from workflows.domain.policy import Policy
from workflows.domain.state import initial_state

ADOPT = "adopt_placement"
# A unit's children fit many times over; a file this long is a mistake, not a unit.
MAX_ROWS = 500
# A cell holding several values (risk factors, the people a contact restriction names).
MANY_SEPARATOR = "|"
COLUMNS = person_fields(AdoptPlacement)


def check_adoption(command: AdoptPlacement, policy: Policy) -> None:
    """StartRefused naming every field the domain refuses, by the clock now."""
    state = initial_state(command.placement_id)
    try:
        adopt(state, command, now=datetime.now(UTC), policy=policy)
    except FieldsRefused as refused:
        first: dict[str, str] = {}
        for field, why in refused.problems:
            first.setdefault(field, why)
        raise StartRefused(first) from None


async def adopt_placement_workflow(services: Services, command: AdoptPlacement) -> None:
    """Adopt the placement under the policy in force, in a unit that exists and that the
    adopting manager belongs to: OrganisationRefused on the unit id, Denied, StartRefused,
    DomainError or PlacementAlreadyOpen when refused; nothing is recorded then."""
    check_may_record(command.actor.role, ADOPT)
    policy = services.policy
    await open_placement_workflow(
        services, command, policy=policy, check=lambda: check_adoption(command, policy)
    )


# -- A whole unit from a file ------------------------------------------------------------------


class FieldProblem(BaseModel):
    model_config = ConfigDict(frozen=True)

    field: str
    message: str


class RefusedRow(BaseModel):
    """A row not started: its row in the file (the header is row 1), its placement id when it
    gave one, and what to correct in each field (never the value given)."""

    model_config = ConfigDict(frozen=True)

    row: int
    placement_id: str | None
    errors: list[FieldProblem]


class ImportReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    started: list[str]
    already_adopted: list[str]
    refused: list[RefusedRow]


class ImportFileRefused(Exception):
    """The file itself cannot be read as adoptions (not CSV, unknown columns, too long): one
    problem per column or for the whole file; nothing started."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def read_rows(text: str) -> list[dict[str, Any]]:
    """The rows of an import file, each by column name with its empty cells left out."""
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    unknown = [name for name in columns if name not in COLUMNS]
    problems = [
        FieldProblem(field=name, message="this column is not a field of an adoption")
        for name in unknown
    ]
    if not columns:
        problems.append(FieldProblem(field="", message="the file has no header row"))
    if problems:
        raise ImportFileRefused(problems)
    rows = []
    try:
        for cells in reader:
            rows.append({name: _cell(name, value) for name, value in cells.items() if value})
    except csv.Error as error:
        raise ImportFileRefused([FieldProblem(field="", message=f"not CSV: {error}")]) from None
    if len(rows) > MAX_ROWS:
        raise ImportFileRefused(
            [FieldProblem(field="", message=f"at most {MAX_ROWS} rows a file: split it")]
        )
    return rows


def _cell(name: str | None, value: str | list[str]) -> Any:
    if name is None or isinstance(value, list):  # more cells than columns
        return value
    if field_shape(COLUMNS[name]).many:
        return [item.strip() for item in value.split(MANY_SEPARATOR) if item.strip()]
    return value.strip()


async def import_adoptions(services: Services, caller: Principal, text: str) -> ImportReport:
    """Adopt one placement per row of the CSV ``text`` as the caller: every row checked before
    any starts, the good ones started, those already there reported as already adopted."""
    check_may_record(caller.role, ADOPT)
    rows = read_rows(text)
    good: list[AdoptPlacement] = []
    refused: list[RefusedRow] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        problems, command = await _row_problems(services, caller, row, seen)
        if command is None or problems:
            given = row.get("placement_id")
            refused.append(
                RefusedRow(
                    row=number,
                    placement_id=given if isinstance(given, str) else None,
                    errors=[FieldProblem(field=f, message=m) for f, m in problems.items()],
                )
            )
            continue
        seen.add(command.placement_id)
        good.append(command)
    started, already = [], []
    for command in good:
        try:
            await adopt_placement_workflow(services, command)
        except PlacementAlreadyOpen:
            already.append(command.placement_id)
        else:
            started.append(command.placement_id)
    return ImportReport(started=started, already_adopted=already, refused=refused)


async def _row_problems(
    services: Services, caller: Principal, row: Mapping[str, Any], seen: set[str]
) -> tuple[dict[str, str], AdoptPlacement | None]:
    """What is wrong with one row, by field (empty when it can start), and its adoption."""
    if None in row:
        return {"": "this row has more cells than the header has columns"}, None
    try:
        command = AdoptPlacement.model_validate({**row, "actor": actor_of(caller)})
    except ValidationError as error:
        problems: dict[str, str] = {}
        for found in field_errors(error.errors()):
            problems.setdefault(found.field, found.message)
        return problems, None
    if command.placement_id in seen:
        return {"placement_id": "this placement id is on an earlier row of this file"}, command
    try:
        await organisation.check_may_start_in(services.pool, caller, command.unit_id)
        check_adoption(command, services.policy)
    except OrganisationRefused as refusal:
        return {refusal.field: str(refusal)}, command
    except Denied as refusal:
        return {"unit_id": str(refusal)}, command
    except StartRefused as refusal:
        return refusal.problems, command
    except DomainError as refusal:
        return {"": str(refusal)}, command
    return {}, command
