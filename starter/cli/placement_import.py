"""``safeside placement adopt`` and ``safeside placement import FILE.csv``: taking Safeside on
in a unit whose children already live there, as its Registered Manager.

``adopt`` takes one child, with one option per field of the adoption (or ``--json FILE``);
``import`` takes a CSV file with one child a row, its columns the same field names (a cell
with several values separates them with ``|``). Both go through the service layer
(``starter.services.adoption``), as the API does.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from safeside.settings import Settings
from starter.cli import output
from starter.cli.flags import result_format
from starter.cli.placement import opening_command
from starter.cli.running import BAD_INPUT, FAILED, run
from starter.cli.signing_in import signed_in
from starter.services.adoption import (
    ImportFileRefused,
    ImportReport,
    adopt_placement_workflow,
    import_adoptions,
)
from workflows.domain.adoption_command import AdoptPlacement

adopt = opening_command(
    "adopt",
    "Adopt a placement: the child already lives in the unit; give what is already done, each "
    "step with its own date. What was already overdue is told once to you.",
    AdoptPlacement,
    adopt_placement_workflow,
    "adopted",
)


@click.command(
    "import",
    help="Adopt one placement per row of a CSV file (columns: the fields of `placement adopt` "
    "with underscores for hyphens; several values in a cell: a|b). Every row is checked "
    "before any starts; run it again and nothing starts twice.",
)
@click.argument("csv_file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@result_format
@click.pass_obj
def import_file(settings: Settings, /, csv_file: Path, result_format: str) -> None:
    text = _read(csv_file)

    async def imported() -> ImportReport | ImportFileRefused:
        async with signed_in(settings) as me:
            try:
                return await import_adoptions(me.services, me.caller, text)
            except ImportFileRefused as refused:
                return refused

    report = run(imported())
    if isinstance(report, ImportFileRefused):
        for problem in report.problems:
            where = f"column {problem.field}: " if problem.field else ""
            click.echo(f"safeside: {csv_file}: {where}{problem.message}", err=True)
        sys.exit(BAD_INPUT)
    if result_format == "json":
        click.echo(output.to_json(report.model_dump(mode="json")))
    else:
        for placement_id in report.started:
            click.echo(f"adopted placement {placement_id}")
        for placement_id in report.already_adopted:
            click.echo(f"already adopted: placement {placement_id} (nothing started)")
        for row in report.refused:
            for error in row.errors:
                where = error.field or "row"
                click.echo(f"safeside: row {row.row}: {where}: {error.message}", err=True)
        click.echo(
            f"{len(report.started)} started, {len(report.already_adopted)} already adopted, "
            f"{len(report.refused)} refused"
        )
    if report.refused:
        sys.exit(BAD_INPUT)


def _read(path: Path) -> str:
    try:
        return sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        click.echo(f"safeside: {path}: cannot read it: {error}", err=True)
        sys.exit(FAILED)
