"""``safeside unit ...``: what staff type for the unit's duties: the whereabouts check (R4) and
the shift handover (R16), as the person signed in (``SAFESIDE_TOKEN``): recorded through
``starter.services.recording``, the handover read through the gate (``open_unit``), which lets
only the unit's own staff in and writes the read to the access log."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import click

from safeside.contracts.workflows import RecordResult
from safeside.settings import Settings
from starter.cli import output
from starter.cli.command_options import BadInput, reported_as_bad_input
from starter.cli.flags import json_flag
from starter.cli.running import run
from starter.cli.signing_in import signed_in
from starter.command_fields import UNIT_COMMANDS
from starter.services.reading import open_unit
from starter.services.recording import actor_of, record_unit_action
from workflows.domain.unit.events import Whereabouts


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
    key: str,
    fields: Callable[[], Mapping[str, Any]],
    as_json: bool,
) -> None:
    """Record the unit command ``key`` with ``fields`` (read once running, so bad input is one
    line) on the unit as the person signed in, and say what was written."""

    async def recorded() -> RecordResult:
        async with signed_in(settings) as me:
            given = fields()
            with reported_as_bad_input():
                UNIT_COMMANDS[key].model_validate({**given, "actor": actor_of(me.caller)})
            return await record_unit_action(me.services, me.caller, unit_id, key, given)

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
    as_json: bool,
) -> None:
    def fields() -> dict[str, Any]:
        entries = [
            *({"placement_id": p, "whereabouts": Whereabouts.seen} for p in seen),
            *({"placement_id": p, "whereabouts": Whereabouts.not_seen} for p in not_seen),
            *(_away(value) for value in away),
        ]
        return {"checked_at": checked_at or datetime.now(UTC).isoformat(), "entries": entries}

    _record(settings, unit_id, "record_unit_check", fields, as_json)


@unit.command("handover", help="The unit's handover view (R16); --acknowledge records it read.")
@click.argument("unit_id")
@click.option(
    "--acknowledge",
    "handed_over_by",
    metavar="STAFF_REF",
    help="Record that the incoming shift (you) acknowledged the handover from STAFF_REF.",
)
@json_flag
@click.pass_obj
def handover(
    settings: Settings,
    /,
    unit_id: str,
    handed_over_by: str | None,
    as_json: bool,
) -> None:
    if handed_over_by is not None:

        def fields() -> dict[str, Any]:
            return {
                "acknowledged_at": datetime.now(UTC).isoformat(),
                "handed_over_by_reference": handed_over_by,
            }

        _record(settings, unit_id, "acknowledge_handover", fields, as_json)
        return

    async def read() -> Any:
        async with signed_in(settings) as me:
            return await (await open_unit(me.services, me.caller, unit_id)).handover()

    view = run(read())
    if as_json:
        click.echo(output.to_json(view))
        return
    click.echo(_handover_text(view))


def _handover_text(view: output.Record) -> str:
    rows = [
        (
            r.get("placement_id"),
            r.get("risk_level"),
            r.get("whereabouts"),
            _missing(r),
            r.get("phone_held"),
            output.joined(r.get("restrictions"), "kind"),
            output.joined(r.get("overdue"), "deadline_id"),
            output.joined(r.get("due_next_24_hours"), "deadline_id"),
            output.when(r.get("next_check_due_at")),
        )
        for r in view.get("residents") or []
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
    unit_due = [*(view.get("unit_overdue") or []), *(view.get("unit_due_next_24_hours") or [])]
    lines = [
        output.table(header, rows) if rows else "no resident children",
        "",
        "unit duties: "
        + (
            ", ".join(
                f"{d.get('deadline_id')}{' (overdue)' if d.get('overdue') is True else ''}"
                for d in unit_due
            )
            or "none"
        ),
        f"handovers acknowledged: {view.get('handovers_acknowledged')}",
    ]
    return "\n".join(lines)


def _missing(resident: output.Record) -> object:
    missing, away = resident.get("missing"), resident.get("away_without_authorisation")
    if missing is True:
        return "missing"
    if away is True:
        return "away"
    # Either is hidden from this reader: say so as the answer does ("[redacted]").
    return next((value for value in (missing, away) if not isinstance(value, bool)), "no")
