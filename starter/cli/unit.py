"""``safeside unit ...``: what staff type for the unit's duties: the whereabouts check (R4) and
the shift handover (R16). Writes and the handover view go through the unit's workflow
(``starter.services.units``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import click
from pydantic import BaseModel

from safeside.contracts.workflows import RecordResult
from safeside.settings import Settings
from safeside.temporal import connect
from starter.cli import output
from starter.cli.command_options import BadInput, CommandInput, command_input
from starter.cli.flags import json_flag
from starter.cli.running import run
from starter.services.units import record_on_unit, unit_handover
from workflows.domain.unit.commands import AcknowledgeHandover, RecordUnitCheck
from workflows.domain.unit.events import Whereabouts
from workflows.domain.unit.handover import UnitHandover


@click.group(help="The unit's duties: whereabouts checks and the shift handover.")
def unit() -> None:
    pass


def _away(value: str) -> dict[str, Any]:
    parts = [part.strip() for part in value.split(",")]
    if len(parts) != 3:
        raise BadInput(["--away: give PLACEMENT,WHEREABOUTS_REFERENCE,UNTIL (a time with zone)"])
    placement_id, reference, until = parts
    return {
        "placement_id": placement_id,
        "whereabouts": Whereabouts.away_authorised,
        "known_whereabouts_reference": reference,
        "away_until": until,
    }


def _record(
    settings: Settings,
    unit_id: str,
    inputs: CommandInput,
    model: type[BaseModel],
    fields: Callable[[], Mapping[str, Any]],
    as_json: bool,
) -> None:
    """Record ``model`` with ``fields`` (read once running, so bad input is one line) on the
    unit, and say what was written."""

    async def recorded() -> RecordResult:
        command: Any = inputs.command(model, settings, **fields())
        return await record_on_unit(await connect(settings), unit_id, command)

    result = run(recorded())
    if as_json:
        click.echo(output.to_json(result))
    else:
        click.echo(
            f"recorded on unit {unit_id}: {', '.join(result.events)} "
            f"(now at version {result.version})"
        )


@unit.command("check", help="Record a whereabouts check (R4) listing every resident child.")
@click.argument("unit_id")
@click.option("--seen", multiple=True, metavar="PLACEMENT", help="A child seen (repeat).")
@click.option("--not-seen", multiple=True, metavar="PLACEMENT", help="A child not seen (repeat).")
@click.option(
    "--away",
    multiple=True,
    metavar="PLACEMENT,REFERENCE,UNTIL",
    help="A child away with authorisation: where (a reference, never an address) and until "
    "when (repeat).",
)
@click.option("--checked-at", help="When the check was made (default: now).")
@command_input(from_json=False)
@json_flag
@click.pass_obj
def check(
    settings: Settings,
    /,
    unit_id: str,
    seen: tuple[str, ...],
    not_seen: tuple[str, ...],
    away: tuple[str, ...],
    checked_at: str | None,
    inputs: CommandInput,
    as_json: bool,
) -> None:
    def fields() -> dict[str, Any]:
        entries = [
            *({"placement_id": p, "whereabouts": Whereabouts.seen} for p in seen),
            *({"placement_id": p, "whereabouts": Whereabouts.not_seen} for p in not_seen),
            *(_away(value) for value in away),
        ]
        return {"checked_at": checked_at or datetime.now(UTC).isoformat(), "entries": entries}

    _record(settings, unit_id, inputs, RecordUnitCheck, fields, as_json)


@unit.command("handover", help="The unit's handover view (R16); --acknowledge records it read.")
@click.argument("unit_id")
@click.option(
    "--acknowledge",
    "handed_over_by",
    metavar="STAFF_REF",
    help="Record that the incoming shift (the actor) acknowledged the handover from STAFF_REF.",
)
@command_input(from_json=False)
@json_flag
@click.pass_obj
def handover(
    settings: Settings,
    /,
    unit_id: str,
    handed_over_by: str | None,
    inputs: CommandInput,
    as_json: bool,
) -> None:
    if handed_over_by is not None:

        def fields() -> dict[str, Any]:
            return {
                "acknowledged_at": datetime.now(UTC).isoformat(),
                "handed_over_by_reference": handed_over_by,
            }

        _record(settings, unit_id, inputs, AcknowledgeHandover, fields, as_json)
        return

    async def read() -> UnitHandover:
        return await unit_handover(await connect(settings), unit_id)

    view = run(read())
    if as_json:
        click.echo(output.to_json(view))
        return
    click.echo(_handover_text(view))


def _handover_text(view: UnitHandover) -> str:
    rows = [
        (
            r.placement_id,
            r.risk_level.value if r.risk_level else None,
            r.whereabouts.value if r.whereabouts else None,
            "missing" if r.missing else ("away" if r.away_without_authorisation else "no"),
            r.phone_held,
            ", ".join(x.kind.value for x in r.restrictions) or None,
            ", ".join(d.deadline_id for d in r.overdue) or None,
            ", ".join(d.deadline_id for d in r.due_next_24_hours) or None,
            r.next_check_due_at,
        )
        for r in view.residents
    ]
    header = [
        "placement",
        "risk",
        "last check",
        "missing",
        "phone held",
        "restrictions",
        "overdue",
        "due in 24 h",
        "next check (Europe/London)",
    ]
    unit_due = [*view.unit_overdue, *view.unit_due_next_24_hours]
    lines = [
        output.table(header, rows) if rows else "no resident children",
        "",
        "unit duties: "
        + (
            ", ".join(f"{d.deadline_id}{' (overdue)' if d.overdue else ''}" for d in unit_due)
            or "none"
        ),
        f"handovers acknowledged: {view.handovers_acknowledged}",
    ]
    return "\n".join(lines)
