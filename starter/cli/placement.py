"""``safeside placement ...`` and ``safeside deadlines``: what staff and managers type.

Each command acts as the person signed in (``SAFESIDE_TOKEN``, ``starter.cli.signing_in``)
through the service layer the API and the web page use: recording through
``starter.services.recording``, every read through the gate (``starter.services.reading``),
which checks the role and the relationship, writes the access log and redacts the answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal, TypeVar

import click

from safeside.contracts.workflows import RecordResult
from safeside.settings import Settings
from starter.cli import output
from starter.cli.command_options import CommandInput, command_input, reported_as_bad_input
from starter.cli.flags import Listing, json_flag, listed, result_format
from starter.cli.running import run
from starter.cli.signing_in import signed_in
from starter.command_fields import ACTIONS, Action, person_fields
from starter.services.connection import Services
from starter.services.lists import DeadlineStatus
from starter.services.permissions import View
from starter.services.policy_changes import adopt_policy_in_force
from starter.services.reading import PlacementRead, open_placement, open_view
from starter.services.recording import (
    placement_command,
    record_placement_action,
    start_placement_workflow,
)
from workflows.domain.adoption_command import AdoptPlacement
from workflows.domain.commands import StartPlacement

AUDIT_PAGE = 500


@click.group(help="Start a placement, record what happens, see its state and audit trail.")
def placement() -> None:
    pass


OpenedT = TypeVar("OpenedT", StartPlacement, AdoptPlacement)


def opening_command(
    name: str,
    summary: str,
    model: type[OpenedT],
    opening: Callable[[Services, OpenedT], Awaitable[None]],
    done: str,
) -> click.Command:
    """``placement start`` or ``placement adopt``: one option per field of ``model``; it
    starts (or adopts) the placement as the signed-in manager and says so: ``<done> placement
    PL-…``, or its JSON."""

    @click.command(name, help=summary)
    @command_input(person_fields(model))
    @result_format
    @click.pass_obj
    def open_one(settings: Settings, /, inputs: CommandInput, result_format: str) -> None:
        async def opened() -> str:
            async with signed_in(settings) as me:
                fields = inputs.fields(model)
                with reported_as_bad_input():
                    command = placement_command(me.caller, model, fields)
                await opening(me.services, command)
            return command.placement_id

        placement_id = run(opened())
        if result_format == "json":
            click.echo(output.to_json({"placement_id": placement_id, "status": "open"}))
        else:
            click.echo(f"{done} placement {placement_id}")

    return open_one


start = opening_command(
    "start",
    "Start a placement: the child has arrived at the unit.",
    StartPlacement,
    start_placement_workflow,
    "started",
)
placement.add_command(start)


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
        async def recorded() -> RecordResult:
            async with signed_in(settings) as me:
                fields = inputs.fields(action.model)
                # Every wrong field at once, before the placement is asked anything.
                with reported_as_bad_input():
                    placement_command(me.caller, action.model, fields)
                return await record_placement_action(
                    me.services, me.caller, placement_id, action, fields
                )

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


@placement.command(
    "adopt-policy",
    help="Move the placement onto the policy in force (SAFESIDE_POLICY_FILE): its clocks and "
    "ladders are worked out again from it. For the child's Registered Manager.",
)
@click.argument("placement_id")
@click.pass_obj
def adopt_policy(settings: Settings, placement_id: str) -> None:
    async def adopted() -> RecordResult:
        async with signed_in(settings) as me:
            return await adopt_policy_in_force(me.services, me.caller, placement_id)

    result = run(adopted())
    if result.events:
        click.echo(
            f"placement {placement_id} runs under the policy in force from now on "
            f"(now at version {result.version})"
        )
    else:
        click.echo(f"placement {placement_id} runs under the policy in force already")


T = TypeVar("T")


def read_placement(
    settings: Settings,
    view: View,
    placement_id: str,
    answer: Callable[[PlacementRead], Awaitable[T]],
) -> T:
    """``answer`` from the placement, as the signed-in person with leave to read ``view`` (the
    gate checks the role and the relationship, and writes the access log)."""

    async def read() -> T:
        async with signed_in(settings) as me:
            return await answer(await open_placement(me.services, me.caller, view, placement_id))

    return run(read())


@placement.command("show", help="The placement's live state and open deadlines.")
@click.argument("placement_id")
@json_flag
@click.pass_obj
def show(settings: Settings, placement_id: str, as_json: bool) -> None:
    async def read() -> tuple[Any, Any]:
        async with signed_in(settings) as me:
            state = await open_placement(me.services, me.caller, View.placement_state, placement_id)
            deadlines = await open_placement(
                me.services, me.caller, View.placement_deadlines, placement_id
            )
            return await state.state(), await deadlines.deadlines()

    state, deadlines = run(read())
    if as_json:
        click.echo(output.to_json({"state": state, "open_deadlines": deadlines}))
        return
    click.echo(output.state_fields(state))
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
    async def every_entry(trail: PlacementRead) -> list[output.Record]:
        entries: list[output.Record] = []
        after: int | None = 0
        while after is not None:
            page = await trail.audit_trail(after_version=after, limit=AUDIT_PAGE)
            entries += page["entries"]
            after = page["next_after_version"]
        return entries

    entries = read_placement(settings, View.audit_trail, placement_id, every_entry)
    click.echo(output.render_audit(entries, audit_format), nl=audit_format != "csv")


@placement.command(
    "notices", help="Who was told: every notice the placement owed, the latest first."
)
@click.argument("placement_id")
@listed
@click.pass_obj
def notices(settings: Settings, placement_id: str, listing: Listing) -> None:
    async def notices_of(told: PlacementRead) -> Any:
        return await told.notices(after=listing.after, limit=listing.limit)

    w = output.when
    listing.show(
        read_placement(settings, View.notifications, placement_id, notices_of),
        empty="no notices yet",
        headers=["recipient", "purpose", "owed", "channel", "delivery", "attempts", "delivered"],
        row=lambda n: (n.get("recipient"), n.get("purpose"), w(n.get("owed_at")),
                       n.get("channel"), n.get("delivery_status"), n.get("attempts"),
                       w(n.get("delivered_at"))),
    )  # fmt: skip


@placement.command(
    "philomena",
    help="The Philomena Protocol profile for the police: part 1, and part 2 from the open (or "
    "latest) missing report. Whole for the staff of the child's unit alone.",
)
@click.argument("placement_id")
@json_flag
@click.pass_obj
def philomena(settings: Settings, placement_id: str, as_json: bool) -> None:
    sheet = read_placement(
        settings, View.philomena_profile, placement_id, PlacementRead.philomena_profile
    )
    if as_json:
        click.echo(output.to_json(sheet))
        return
    profile, report = sheet.get("philomena_profile"), sheet.get("missing_report")
    p, w, j = output.part, output.when, output.joined
    click.echo(output.fields([
        ("placement", sheet.get("placement_id")), ("case", sheet.get("case_reference")),
        ("date of birth", sheet.get("date_of_birth")),
        ("part 1 recorded", w(p(profile, "profile_recorded_at")) or "not yet completed"),
        ("description", p(profile, "physical_description")),
        ("photographs", j(p(profile, "photograph_references"))),
        ("clothing", j(p(profile, "clothing_references"))),
        ("known associates", j(p(profile, "known_associate_references"))),
        ("known places", j(p(profile, "known_place_references"))),
        ("part 2: episode", p(report, "episode_id") or "never missing"),
        ("last seen", w(p(report, "last_seen_at"))),
        ("where last seen", p(report, "last_seen_place_reference")),
        ("circumstances", p(report, "circumstances")),
        ("clothing then", p(report, "clothing_reference")),
        ("returned", w(p(report, "returned_at"))),
    ]))  # fmt: skip


@placement.command("list", help="Placements from the projections, a page at a time.")
@click.option("--unit", help="Only this unit's placements (its opaque id).")
@click.option("--overdue", is_flag=True, help="Only placements with an overdue deadline.")
@click.option("--missing", is_flag=True, help="Only placements whose child is missing.")
@listed
@click.pass_obj
def list_command(
    settings: Settings, unit: str | None, overdue: bool, missing: bool, listing: Listing
) -> None:
    async def read() -> Any:
        async with signed_in(settings) as me:
            return await open_view(me.services, me.caller, View.placement_list).placements(
                unit=unit,
                overdue=overdue,
                missing=missing,
                after=listing.after,
                limit=listing.limit,
            )

    w = output.when
    listing.show(
        run(read()),
        empty="no placements",
        headers=["placement", "unit", "status", "risk", "missing", "overdue", "next due",
                 "changed"],
        row=lambda p: (p.get("stream_id"), p.get("unit_id"), p.get("status"),
                       p.get("risk_level"), p.get("missing"), p.get("overdue_count"),
                       w(p.get("next_deadline_at")), w(p.get("updated_at"))),
    )  # fmt: skip


@click.command("deadlines", help="Open deadlines across placements, soonest first.")
@click.option("--overdue", is_flag=True, help="Only deadlines already past due.")
@click.option("--unit", help="Only this unit's placements (its opaque id).")
@listed
@click.pass_obj
def deadlines(settings: Settings, overdue: bool, unit: str | None, listing: Listing) -> None:
    status: DeadlineStatus | None = "overdue" if overdue else None

    async def read() -> Any:
        async with signed_in(settings) as me:
            return await open_view(me.services, me.caller, View.deadline_list).deadlines(
                status=status, unit=unit, after=listing.after, limit=listing.limit
            )

    w = output.when
    listing.show(
        run(read()),
        empty="no overdue deadlines" if overdue else "no open deadlines",
        headers=["placement", "deadline", "req", "due (Europe/London)", "responsible",
                 "next step", "overdue"],
        row=lambda d: (d.get("placement_id"), d.get("deadline_id"), d.get("requirement"),
                       w(d.get("due_at")), d.get("responsible_role"), d.get("next_step_name"),
                       d.get("overdue")),
    )  # fmt: skip
