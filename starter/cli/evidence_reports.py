"""``safeside report reg40`` and ``safeside report missing-record``: inspection evidence as CSV
(``starter.services.evidence``), of a unit (``--unit``: its own Duty and Registered Managers)
or of one child (``--placement``: those, and the auditor, who sees structure only), through
the same gate as the API's. Registered on the ``report`` group (``starter.cli.reports``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from safeside.settings import Settings
from starter.cli.command_options import BadInput, option_name
from starter.cli.running import run
from starter.cli.signing_in import signed_in
from starter.services import evidence, ssda903
from starter.services.permissions import View
from starter.services.reading import PlacementRead, UnitRead, open_placement, open_unit

_DAY = click.DateTime(formats=["%Y-%m-%d"])
Rows = Callable[[PlacementRead | UnitRead, date, date], Awaitable[list[dict[str, Any]]]]


def _evidence_command(
    name: str, view: View, rows: Rows, columns: tuple[tuple[str, str], ...], what: str
) -> click.Command:
    @click.command(name, help=what)
    @click.option("--unit", "unit_id", help="A unit you are a Duty or Registered Manager of.")
    @click.option("--placement", "placement_id", help="One child's placement id.")
    @click.option("--from", "period_from", type=_DAY, required=True, help="First day, YYYY-MM-DD.")
    @click.option("--to", "period_to", type=_DAY, required=True, help="Last day, YYYY-MM-DD.")
    @click.option(
        "--output",
        type=click.Path(dir_okay=False, writable=True, path_type=Path),
        help="Write the file here rather than to standard output.",
    )
    @click.pass_obj
    def command(
        settings: Settings,
        unit_id: str | None,
        placement_id: str | None,
        period_from: datetime,
        period_to: datetime,
        output: Path | None,
    ) -> None:
        first, last = period_from.date(), period_to.date()

        async def read() -> tuple[str, str]:
            _check(unit_id, placement_id, first, last)
            async with signed_in(settings) as me:
                grant: PlacementRead | UnitRead
                if unit_id is not None:
                    grant = await open_unit(me.services, me.caller, unit_id, view)
                else:
                    assert placement_id is not None
                    grant = await open_placement(me.services, me.caller, view, placement_id)
                found = await rows(grant, first, last)
            subject = unit_id or placement_id or ""
            return evidence.as_csv(found, columns), evidence.csv_name(name, subject, first, last)

        text, _ = run(read())
        if output is None:
            click.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8", newline="")
            click.echo(f"wrote {text.count(chr(10)) - 1} rows to {output}", err=True)

    return command


def _check(unit_id: str | None, placement_id: str | None, first: date, last: date) -> None:
    problems = [
        f"{option_name(end)}: {message}"
        for end, message in ssda903.period_problems(first, last).items()
    ]
    if (unit_id is None) == (placement_id is None):
        problems.append("--unit or --placement: give exactly one")
    if problems:
        raise BadInput(problems)


reg40 = _evidence_command(
    "reg40",
    View.reg40_register,
    evidence.reg40_register,
    evidence.REG40_COLUMNS,
    "The regulation 40 notifications register (CSV): every notice to Ofsted, the placing "
    "authority and the police owed by an event of the period, with its delivery.",
)
missing_record = _evidence_command(
    "missing-record",
    View.missing_record,
    evidence.missing_record,
    evidence.MISSING_RECORD_COLUMNS,
    "The missing-from-care record (CSV): every missing or away episode overlapping the "
    "period, its length, the police's reference recorded or not, the return interview.",
)
