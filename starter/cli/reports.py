"""``safeside report ...``: statutory returns and evidence as files, for whoever the token names
(through the same gate as the API's ``/reports``: the permission table, the relationship, the
access log, redaction). Each command prints its file to standard output, or to ``--output``."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from safeside.settings import Settings
from starter.cli.command_options import BadInput, option_name
from starter.cli.running import run
from starter.cli.signing_in import signed_in
from starter.services import ssda903
from starter.services.permissions import View
from starter.services.reading import open_view

_DAY = click.DateTime(formats=["%Y-%m-%d"])
_output = click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the file here rather than to standard output.",
)


@click.group(help="Statutory returns and evidence, as files.")
def report() -> None:
    pass


@report.command(
    "ssda903-missing",
    help="The SSDA903 Missing table (CSV: CHILD, DOB, MISSING, MIS_START, MIS_END) of every "
    "missing or away episode overlapping the period, for the children you work with. Children "
    "without a recorded date of birth are left out, each named on standard error.",
)
@click.option("--from", "period_from", type=_DAY, required=True, help="First day, YYYY-MM-DD.")
@click.option("--to", "period_to", type=_DAY, required=True, help="Last day, YYYY-MM-DD.")
@_output
@click.pass_obj
def ssda903_missing(
    settings: Settings, period_from: datetime, period_to: datetime, output: Path | None
) -> None:
    first, last = period_from.date(), period_to.date()

    async def table() -> ssda903.MissingReturn:
        _check_period(first, last)
        async with signed_in(settings) as me:
            read = open_view(me.services, me.caller, View.ssda903_missing)
            return await ssda903.missing_return(read, first, last)

    found = run(table())
    if output is None:
        click.echo(found.csv, nl=False)
    else:
        output.write_text(found.csv, encoding="utf-8", newline="")
        click.echo(f"wrote {found.episodes} episodes to {output}", err=True)
    for placement_id in found.left_out:
        click.echo(
            f"safeside: left out placement {placement_id}: its child has no date of birth "
            "recorded, and the DfE refuses a row without one",
            err=True,
        )


def _check_period(first: date, last: date) -> None:
    problems = ssda903.period_problems(first, last)
    if problems:
        raise BadInput([f"{option_name(end)}: {message}" for end, message in problems.items()])
