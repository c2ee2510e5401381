"""``safeside placement ...`` and ``safeside deadlines``: what staff and managers type.

Writes and live state go through the placement's workflow (``starter.services.placements``);
lists and the audit trail come from PostgreSQL (``starter.services.lists``,
``starter.services.audit_trail``).
"""

from __future__ import annotations

from typing import Any, Literal, cast

import click

from safeside.policy_file import load_policy
from safeside.settings import Settings
from safeside.temporal import connect
from starter.cli import output
from starter.cli.command_options import CommandInput, command_input
from starter.cli.flags import Listing, json_flag, listed, result_format
from starter.cli.running import run
from starter.command_fields import ACTIONS, Action, person_fields
from starter.services.audit_trail import AuditEntry, audit_trail
from starter.services.connection import database
from starter.services.lists import (
    DeadlinePage,
    DeadlineStatus,
    PlacementPage,
    list_deadlines,
    list_placements,
)
from starter.services.placements import (
    current_state,
    open_deadlines,
    record_action,
    start_placement,
)
from workflows.domain.commands import PlacementCommand, StartPlacement
from workflows.domain.deadlines import Deadline
from workflows.domain.state import PlacementState

AUDIT_PAGE = 500


@click.group(help="Start a placement, record what happens, see its state and audit trail.")
def placement() -> None:
    pass


@placement.command("start", help="Start a placement: the child has arrived at the unit.")
@command_input(person_fields(StartPlacement))
@result_format
@click.pass_obj
def start(settings: Settings, /, inputs: CommandInput, result_format: str) -> None:
    async def started() -> str:
        command = inputs.command(StartPlacement, settings)
        policy = load_policy(settings)
        client = await connect(settings)
        await start_placement(client, command, policy=policy, task_queue=settings.task_queue)
        return command.placement_id

    placement_id = run(started())
    if result_format == "json":
        click.echo(output.to_json({"placement_id": placement_id, "status": "open"}))
    else:
        click.echo(f"started placement {placement_id}")


@placement.group(
    "record",
    help="Record an action on an open placement (one subcommand per action; see each --help).",
)
def record() -> None:
    pass


def _record_command(action: Action) -> click.Command:
    @click.command(action.name, help=action.summary)
    @click.argument("placement_id")
    @command_input(action.fields)
    @result_format
    @click.pass_obj
    def record_one(
        settings: Settings, /, placement_id: str, inputs: CommandInput, result_format: str
    ) -> None:
        async def recorded() -> Any:
            command = inputs.command(action.model, settings)
            client = await connect(settings)
            return await record_action(client, placement_id, cast(PlacementCommand, command))

        result = run(recorded())
        if result_format == "json":
            click.echo(output.to_json(result))
        else:
            click.echo(
                f"recorded on placement {placement_id}: {', '.join(result.events)} "
                f"(now at version {result.version})"
            )

    return record_one


for _action in ACTIONS.values():
    record.add_command(_record_command(_action))


@placement.command("show", help="The placement's live state and open deadlines.")
@click.argument("placement_id")
@json_flag
@click.pass_obj
def show(settings: Settings, placement_id: str, as_json: bool) -> None:
    async def read() -> tuple[PlacementState, list[Deadline]]:
        client = await connect(settings)
        return await current_state(client, placement_id), await open_deadlines(client, placement_id)

    state, deadlines = run(read())
    if as_json:
        click.echo(output.to_json({"state": state, "open_deadlines": deadlines}))
        return
    facts = state.facts
    click.echo(
        output.fields(
            [
                ("placement", state.stream_id),
                ("status", state.status.value),
                ("unit", facts.unit_id if facts else None),
                ("case", facts.case_reference if facts else None),
                ("arrived", facts.arrived_at if facts else None),
                ("risk level", state.risk_level.value if state.risk_level else None),
                ("risk factors", ", ".join(state.risk_factors) or None),
                ("leaflet delivered", state.leaflet_delivered_at),
                ("missing procedures told", state.missing_procedures_explained_at),
                ("deadlines missed", ", ".join(state.deadlines_missed) or None),
                ("version", state.version),
            ]
        )
    )
    click.echo("")
    click.echo(output.deadline_table(deadlines) if deadlines else "no open deadlines")


@placement.command("audit", help="The placement's chronology, from the audit trail in PostgreSQL.")
@click.argument("placement_id")
@click.option(
    "--format",
    "audit_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.pass_obj
def audit(
    settings: Settings, placement_id: str, audit_format: Literal["table", "json", "csv"]
) -> None:
    async def read() -> list[AuditEntry]:
        entries: list[AuditEntry] = []
        async with database(settings) as pool:
            after: int | None = 0
            while after is not None:
                page = await audit_trail(pool, placement_id, after_version=after, limit=AUDIT_PAGE)
                entries += page.entries
                after = page.next_after_version
        return entries

    entries = run(read())
    click.echo(output.render_audit(entries, audit_format), nl=audit_format != "csv")


@placement.command("list", help="Placements from the projections, a page at a time.")
@click.option("--unit", help="Only this unit's placements (its opaque id).")
@click.option("--overdue", is_flag=True, help="Only placements with an overdue deadline.")
@click.option("--missing", is_flag=True, help="Only placements whose child is missing.")
@listed
@click.pass_obj
def list_command(
    settings: Settings, unit: str | None, overdue: bool, missing: bool, listing: Listing
) -> None:
    async def read() -> PlacementPage:
        async with database(settings) as pool:
            return await list_placements(
                pool,
                unit=unit,
                overdue=overdue,
                missing=missing,
                after=listing.after,
                limit=listing.limit,
            )

    listing.show(
        run(read()),
        empty="no placements",
        headers=["placement", "unit", "status", "risk", "missing", "overdue", "next due",
                 "changed"],
        row=lambda p: (p.stream_id, p.unit_id, p.status, p.risk_level, p.missing,
                       p.overdue_count, p.next_deadline_at, p.updated_at),
    )  # fmt: skip


@click.command("deadlines", help="Open deadlines across placements, soonest first.")
@click.option("--overdue", is_flag=True, help="Only deadlines already past due.")
@click.option("--unit", help="Only this unit's placements (its opaque id).")
@listed
@click.pass_obj
def deadlines(settings: Settings, overdue: bool, unit: str | None, listing: Listing) -> None:
    status: DeadlineStatus | None = "overdue" if overdue else None

    async def read() -> DeadlinePage:
        async with database(settings) as pool:
            return await list_deadlines(
                pool, status=status, unit=unit, after=listing.after, limit=listing.limit
            )

    listing.show(
        run(read()),
        empty="no overdue deadlines" if overdue else "no open deadlines",
        headers=["placement", "deadline", "req", "due (Europe/London)", "responsible",
                 "next step", "overdue"],
        row=lambda d: (d.placement_id, d.deadline_id, d.requirement, d.due_at,
                       d.responsible_role, d.next_step_name, d.overdue),
    )  # fmt: skip
