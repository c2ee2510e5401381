"""The ``safeside`` command line (click): one group, its commands in the modules beside this one.
The console script ``safeside`` and ``python -m starter.cli`` both run ``main``.

Two kinds of command: a person's (``placement``, ``deadlines``, ``unit``, ``org``,
``break-glass``, ``report``), which act as whoever ``SAFESIDE_TOKEN`` names through the service
layer (``starter.cli.signing_in``), and the operator's (``db``, ``keys``, ``token``, ``dev``,
``worker``, ``api``, ``demo``, ``recover``), which need no token."""

from __future__ import annotations

import sys
import traceback

import click
from pydantic import ValidationError

from safeside.log import configure_logging
from safeside.process_exit import leave, status_of
from safeside.settings import Settings
from starter.cli.database import db
from starter.cli.evidence_reports import missing_record, reg40
from starter.cli.organisation import allocate, break_glass_group, org, placement_break_glass
from starter.cli.placement import deadlines, placement
from starter.cli.placement_import import adopt, import_file
from starter.cli.processes import api, demo, dev, worker
from starter.cli.recovery import recover_workflows
from starter.cli.reports import report
from starter.cli.running import BAD_INPUT
from starter.cli.security import keys, token
from starter.cli.unit import unit


@click.group(help="Safeside: durable safeguarding workflows for children at risk of trafficking.")
@click.pass_context
def cli(ctx: click.Context) -> None:
    try:
        settings = Settings()
    except ValidationError as error:
        for problem in error.errors():
            name = f"SAFESIDE_{'_'.join(str(part) for part in problem['loc']).upper()}"
            click.echo(f"safeside: {name}: {problem['msg']}", err=True)
        sys.exit(BAD_INPUT)
    configure_logging(settings.log_format, settings.log_level)
    ctx.obj = settings


for _command in (allocate, placement_break_glass, adopt, import_file):
    placement.add_command(_command)
for _command in (reg40, missing_record):
    report.add_command(_command)
for _command in (
    placement,
    deadlines,
    unit,
    org,
    break_glass_group,
    report,
    keys,
    token,
    dev,
    worker,
    db,
    api,
    demo,
    recover_workflows,
):
    cli.add_command(_command)


def main() -> None:
    """Run the command and leave with its own status before interpreter finalisation, where a
    process that used the Temporal SDK can abort (``safeside.process_exit``)."""
    try:
        cli(prog_name="safeside")
    except SystemExit as exit_request:
        leave(status_of(exit_request))
    except Exception:
        # What click does not handle is a bug: its traceback and status 1, as Python gives.
        traceback.print_exc()
        leave(1)
    leave(0)
