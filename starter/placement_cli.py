"""``safeside placement ...`` and ``safeside deadlines``: what staff and managers type.

Writes and live state go through the placement's workflow (``starter.placements``); lists and
the audit trail come from PostgreSQL (``starter.queries``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, cast

import click

from safeside.policy_file import load_policy
from safeside.settings import Settings
from safeside.temporal import connect
from starter import output
from starter.actions import ACTIONS, Action
from starter.cli_input import actor_options, build_command, json_input_option, model_options
from starter.cli_run import run
from starter.placements import (
    current_state,
    open_deadlines,
    record_action,
    start_placement,
)
from starter.queries import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    AuditEntry,
    audit_trail,
    list_deadlines,
    list_placements,
)
from starter.services import database
from workflows.domain.commands import PlacementCommand, StartPlacement
from workflows.domain.deadlines import Deadline
from workflows.domain.state import PlacementState

START_FIELDS = {k: v for k, v in StartPlacement.model_fields.items() if k not in {"type", "actor"}}
AUDIT_PAGE = 500

json_flag = click.option("--json", "as_json", is_flag=True, help="Print JSON, for scripts.")
result_format = click.option(
    "--format",
    "result_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How to print the result.",
)
page_options = [
    click.option("--after", help="Start after this cursor (printed at the end of a page)."),
    click.option(
        "--limit",
        type=click.IntRange(1, MAX_PAGE_SIZE),
        default=DEFAULT_PAGE_SIZE,
        show_default=True,
        help="How many to show.",
    ),
]


def paged(command: Any) -> Any:
    for option in reversed(page_options):
        command = option(command)
    return command


@click.group(help="Start a placement, record what happens, see its state and audit trail.")
def placement() -> None:
    pass


@placement.command("start", help="Start a placement: the child has arrived at the unit.")
@model_options(START_FIELDS)
@actor_options
@json_input_option
@result_format
@click.pass_obj
def start(
    settings: Settings,
    /,
    json_file: Path | None,
    actor_role: str | None,
    actor_ref: str | None,
    result_format: str,
    **given: Any,
) -> None:
    async def started() -> str:
        command = build_command(
            StartPlacement,
            given,
            json_file=json_file,
            actor_role=actor_role,
            actor_ref=actor_ref,
            settings=settings,
        )
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
    @model_options(action.fields)
    @actor_options
    @json_input_option
    @result_format
    @click.pass_obj
    def record_one(
        settings: Settings,
        /,
        placement_id: str,
        json_file: Path | None,
        actor_role: str | None,
        actor_ref: str | None,
        result_format: str,
        **given: Any,
    ) -> None:
        async def recorded() -> Any:
            command = build_command(
                action.model,
                given,
                json_file=json_file,
                actor_role=actor_role,
                actor_ref=actor_ref,
                settings=settings,
            )
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
@paged
@json_flag
@click.pass_obj
def list_command(
    settings: Settings,
    unit: str | None,
    overdue: bool,
    missing: bool,
    after: str | None,
    limit: int,
    as_json: bool,
) -> None:
    async def read() -> Any:
        async with database(settings) as pool:
            return await list_placements(
                pool, unit=unit, overdue=overdue, missing=missing, after=after, limit=limit
            )

    page = run(read())
    if as_json:
        click.echo(output.to_json(page))
        return
    if not page.items:
        click.echo("no placements")
        return
    click.echo(
        output.table(
            ["placement", "unit", "status", "risk", "missing", "overdue", "next due", "changed"],
            [
                (
                    p.stream_id,
                    p.unit_id,
                    p.status,
                    p.risk_level,
                    p.missing,
                    p.overdue_count,
                    p.next_deadline_at,
                    p.updated_at,
                )
                for p in page.items
            ],
        )
    )
    _more(page.next_after)


@click.command("deadlines", help="Open deadlines across placements, soonest first.")
@click.option("--overdue", is_flag=True, help="Only deadlines already past due.")
@click.option("--unit", help="Only this unit's placements (its opaque id).")
@paged
@json_flag
@click.pass_obj
def deadlines(
    settings: Settings,
    overdue: bool,
    unit: str | None,
    after: str | None,
    limit: int,
    as_json: bool,
) -> None:
    async def read() -> Any:
        async with database(settings) as pool:
            return await list_deadlines(
                pool, status="overdue" if overdue else None, unit=unit, after=after, limit=limit
            )

    page = run(read())
    if as_json:
        click.echo(output.to_json(page))
        return
    if not page.items:
        click.echo("no overdue deadlines" if overdue else "no open deadlines")
        return
    click.echo(
        output.table(
            [
                "placement",
                "deadline",
                "req",
                "due (Europe/London)",
                "responsible",
                "next step",
                "overdue",
            ],
            [
                (
                    d.placement_id,
                    d.deadline_id,
                    d.requirement,
                    d.due_at,
                    d.responsible_role,
                    d.next_step_name,
                    d.overdue,
                )
                for d in page.items
            ],
        )
    )
    _more(page.next_after)


def _more(next_after: str | None) -> None:
    if next_after is not None:
        click.echo(f"\nmore: add --after {next_after}")
