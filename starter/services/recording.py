"""What a signed-in person records: the one path the HTTP API and the web page share.

The actor is the caller (their token's role and subject, never a submitted value), the
permission table (``starter.services.permissions``) decides whether their role may record it,
and the command goes to its workflow (``starter.services.placements``,
``starter.services.units``), which answers with the domain's reason when it refuses.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

import asyncpg
from pydantic import BaseModel

from safeside.contracts.workflows import RecordResult
from safeside.db import Pool
from safeside.tokens import Principal
from starter.command_fields import UNIT_COMMANDS, Action
from starter.services import organisation, relationships
from starter.services.connection import Services
from starter.services.permissions import Denied, check_action, check_unit_action
from starter.services.placements import check_start, record_action, start_placement
from starter.services.reading import NOT_YOUR_UNIT, check_works_with
from starter.services.units import record_on_unit
from workflows.domain.adoption_command import AdoptPlacement
from workflows.domain.commands import PlacementCommand, StartPlacement
from workflows.domain.common import Actor
from workflows.domain.policy import Policy
from workflows.domain.unit.decide import UnitCommand

CommandT = TypeVar("CommandT", bound=BaseModel)


def actor_of(caller: Principal) -> Actor:
    """The actor the audit trail records: the token's role and subject, never the body's."""
    return Actor(role=caller.role, reference=caller.subject)


def placement_command(
    caller: Principal, model: type[CommandT], fields: Mapping[str, Any]
) -> CommandT:
    """``model`` with ``fields``, acted by the caller; Denied when their role may not."""
    command = model.model_validate({**fields, "actor": actor_of(caller)})
    check_action(caller.role, command)
    return command


async def start_placement_workflow(
    services: Services, command: StartPlacement, *, policy: Policy | None = None
) -> None:
    """Start the placement's workflow under the policy in force, in a unit that exists and
    that the starting manager (the command's actor) belongs to: OrganisationRefused on the
    unit id, Denied, StartRefused (facts the clocks cannot run with), DomainError or
    PlacementAlreadyOpen when refused. Where the child lives and their social worker are
    recorded first, so the manager can read them at once."""
    await open_placement_workflow(
        services, command, policy=policy or services.policy, check=lambda: check_start(command)
    )


async def open_placement_workflow(
    services: Services,
    command: StartPlacement | AdoptPlacement,
    *,
    policy: Policy,
    check: Callable[[], None],
) -> None:
    """Start or adopt: in a unit that exists and the manager belongs to, once ``check`` (the
    domain's refusal of the facts, as StartRefused) passes, where the child lives recorded
    first, then the workflow started under ``policy``."""
    manager = Principal(subject=command.actor.reference, role=command.actor.role)
    await organisation.check_may_start_in(services.pool, manager, command.unit_id)
    check()  # before the home is recorded: a refused start leaves no trace
    await organisation.house(
        services.pool,
        manager,
        command.placement_id,
        command.unit_id,
        command.social_worker_reference,
    )
    await start_placement(
        services.client, command, policy=policy, task_queue=services.settings.task_queue
    )


async def record_placement_action(
    services: Services,
    caller: Principal,
    placement_id: str,
    action: Action,
    fields: Mapping[str, Any],
) -> RecordResult:
    """Record ``action`` on the placement as the caller: Denied unless their role may and
    they work with the child; ActionRefused with the domain's reason. Answers once the audit
    trail holds what was recorded (``stored``), so a read straight after it sees it."""
    command = placement_command(caller, action.model, fields)
    await check_works_with(services, caller, placement_id)
    result = await record_action(services.client, placement_id, cast(PlacementCommand, command))
    await stored(services.pool, placement_id, result.version)
    return result


# The workflow accepts an action at once and stores it a moment later; an answer waits this
# long for the audit trail to hold it. Longer (PostgreSQL down: the workflow stores it when
# PostgreSQL is back) it answers anyway: the action is recorded, and nothing is lost.
READ_YOUR_WRITES_WITHIN = 5.0


async def stored(pool: Pool, placement_id: str, version: int) -> bool:
    """Wait until the audit trail holds ``version`` of the placement; False if it did not
    within ``READ_YOUR_WRITES_WITHIN`` seconds (or PostgreSQL did not answer)."""
    deadline = asyncio.get_running_loop().time() + READ_YOUR_WRITES_WITHIN
    delay = 0.01
    while True:
        try:
            held = await pool.fetchval(
                "SELECT EXISTS (SELECT 1 FROM events WHERE stream_id = $1 AND version = $2)",
                placement_id,
                version,
                timeout=READ_YOUR_WRITES_WITHIN,
            )
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return False
        if held:
            return True
        if asyncio.get_running_loop().time() + delay > deadline:
            return False
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.2)


async def record_unit_action(
    services: Services,
    caller: Principal,
    unit_id: str,
    key: str,
    fields: Mapping[str, Any],
) -> RecordResult:
    """Record the unit command ``key`` as the caller: Denied before anything is read when
    their role may not; UnitNotFound, or ActionRefused with the domain's reason."""
    check_unit_action(caller.role, key)
    if not await relationships.is_member(services.pool, caller, unit_id):
        raise Denied(NOT_YOUR_UNIT)
    command = UNIT_COMMANDS[key].model_validate({**fields, "actor": actor_of(caller)})
    return await record_on_unit(services.client, unit_id, cast(UnitCommand, command))
