"""Who works where and with which children, as the person signed in (``SAFESIDE_TOKEN``):
``safeside org ...`` (units, the staff directory and memberships: the administrator's),
``safeside placement allocate`` (the placement's Registered Manager or the administrator),
``safeside placement break-glass`` (a Duty or Registered Manager, with a reason) and
``safeside break-glass list`` (the auditor). Each is a thin door over
``starter.services.organisation`` and ``starter.services.break_glass``, which decide who may.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click
from pydantic import BaseModel

from safeside.settings import Settings
from starter.cli import output
from starter.cli.command_options import reported_as_bad_input
from starter.cli.flags import json_flag
from starter.cli.running import fail_on_bad_input, run
from starter.cli.signing_in import SignedIn, signed_in
from starter.services import break_glass, organisation
from starter.services.break_glass import BreakGlassGrant, BreakGlassRequest
from starter.services.organisation import Allocation, Membership, NewStaffMember, NewUnit
from starter.services.permissions import STAFF_ROLES
from starter.services.relationships import AllocatedRole

M = TypeVar("M", bound=BaseModel)

# How the person gave each field the services may refuse, where not as its option.
_ARGUMENTS = {"unit_id": "UNIT_ID", "staff_ref": "STAFF_REF", "placement_id": "PLACEMENT_ID"}


def _act(settings: Settings, change: Callable[[SignedIn], Awaitable[Any]]) -> Any:
    """Make ``change`` as the person signed in; a refused field is named as it was given."""

    async def made() -> Any:
        async with signed_in(settings) as me:
            return await change(me)

    return run(made(), names=_ARGUMENTS)


def _checked(model: type[M], names: dict[str, str], **fields: Any) -> M:
    """The service's input from what was typed, before signing in: exit 2 naming each wrong
    field as it was given."""
    with fail_on_bad_input(), reported_as_bad_input(names):
        checked = model.model_validate(fields)
    return checked


@click.group(help="The organisation: units, the staff directory and who works in which unit.")
def org() -> None:
    pass


@org.group("unit", help="The units (the administrator).")
def org_unit() -> None:
    pass


@org_unit.command("add", help="Add a unit: an opaque id and a name its own staff know it by.")
@click.argument("unit_id")
@click.option("--name", required=True, help="A name such as 'Birch House', never an address.")
@click.pass_obj
def unit_add(settings: Settings, unit_id: str, name: str) -> None:
    names = {"display_name": "--name"} | _ARGUMENTS
    unit = _checked(NewUnit, names, unit_id=unit_id, display_name=name)
    _act(settings, lambda me: organisation.create_unit(me.services.pool, me.caller, unit))
    click.echo(f"added unit {unit.unit_id}")


@org.group("staff", help="The staff directory (the administrator).")
def org_staff() -> None:
    pass


@org_staff.command(
    "add",
    help="Add a person (an opaque reference, never a name), or set the roles they sign in with.",
)
@click.argument("staff_ref")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([role.value for role in STAFF_ROLES]),
    help="A role they may sign in with (repeat for more than one).",
)
@click.pass_obj
def staff_add(settings: Settings, staff_ref: str, roles: tuple[str, ...]) -> None:
    names = {"roles": "--role"} | _ARGUMENTS
    member = _checked(NewStaffMember, names, staff_ref=staff_ref, roles=list(roles))
    _act(settings, lambda me: organisation.add_staff(me.services.pool, me.caller, member))
    click.echo(f"{member.staff_ref} signs in as {', '.join(r.value for r in member.roles)}")


@org.group("member", help="Who works in which unit (the administrator).")
def org_member() -> None:
    pass


def _membership_command(
    name: str, help: str
) -> Callable[[Callable[[Settings, Membership], None]], click.Command]:
    """A ``safeside org member`` command about one person's membership of one unit: both
    take the person and the unit, checked alike before signing in."""

    def command(act: Callable[[Settings, Membership], None]) -> click.Command:
        @org_member.command(name, help=help)
        @click.argument("staff_ref")
        @click.argument("unit_id")
        @click.pass_obj
        def given(settings: Settings, staff_ref: str, unit_id: str) -> None:
            act(settings, _checked(Membership, _ARGUMENTS, staff_ref=staff_ref, unit_id=unit_id))

        return given

    return command


@_membership_command("add", "Make a person a member of a unit, from now.")
def member_add(settings: Settings, membership: Membership) -> None:
    _act(settings, lambda me: organisation.join_unit(me.services.pool, me.caller, membership))
    click.echo(f"{membership.staff_ref} is a member of unit {membership.unit_id} from now")


@_membership_command("end", "End a person's membership of a unit, now.")
def member_end(settings: Settings, ending: Membership) -> None:
    _act(
        settings,
        lambda me: organisation.leave_unit(
            me.services.pool, me.caller, ending.staff_ref, ending.unit_id
        ),
    )
    click.echo(f"{ending.staff_ref} is no longer a member of unit {ending.unit_id}")


@click.command(
    "allocate",
    help="Allocate the placement's social worker, Independent Reviewing Officer or key worker "
    "(its Registered Manager, or the administrator).",
)
@click.argument("placement_id")
@click.option("--role", required=True, type=click.Choice([role.value for role in AllocatedRole]))
@click.option("--staff", "staff_ref", required=True, help="Their opaque staff reference.")
@click.pass_obj
def allocate(settings: Settings, placement_id: str, role: str, staff_ref: str) -> None:
    allocation = _checked(Allocation, {"staff_ref": "--staff"}, role=role, staff_ref=staff_ref)
    _act(
        settings,
        lambda me: organisation.change_allocation(
            me.services.pool, me.caller, placement_id, allocation
        ),
    )
    click.echo(
        f"{allocation.staff_ref} is now the {allocation.role.value.replace('_', ' ')} "
        f"of placement {placement_id}"
    )


@click.command(
    "break-glass",
    help="Open a child's record outside your relationship, out of hours, with a reason (a Duty "
    "or Registered Manager). The reason goes to the access log and the child's Registered "
    "Manager is told.",
)
@click.argument("placement_id")
@click.option("--reason", required=True, help="Why the record is opened.")
@click.pass_obj
def placement_break_glass(settings: Settings, placement_id: str, reason: str) -> None:
    request = _checked(BreakGlassRequest, {}, reason=reason)
    grant: BreakGlassGrant = _act(
        settings,
        lambda me: break_glass.open_break_glass(
            me.services, me.caller, placement_id, request.reason
        ),
    )
    click.echo(
        f"opened placement {placement_id} until {output.london(grant.expires_at)}; "
        "the reason is in the access log"
    )


@click.group("break-glass", help="Records opened by break-glass.")
def break_glass_group() -> None:
    pass


@break_glass_group.command("list", help="Every break-glass use, newest first (the auditor).")
@json_flag
@click.pass_obj
def break_glass_list(settings: Settings, as_json: bool) -> None:
    grants: list[BreakGlassGrant] = _act(
        settings, lambda me: break_glass.list_break_glass(me.services, me.caller)
    )
    if as_json:
        click.echo(output.to_json(grants))
        return
    if not grants:
        click.echo("no break-glass uses")
        return
    click.echo(
        output.table(
            ["#", "opened (Europe/London)", "until", "by", "placement", "reason"],
            [
                (g.id, g.opened_at, g.expires_at, f"{g.role}/{g.staff_ref}", g.placement_id,
                 g.reason)
                for g in grants
            ],
        )
    )  # fmt: skip
