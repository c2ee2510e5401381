"""Moving a running placement onto the policy in force (``PolicyChanged``).

A placement runs under the policy it started with (its statutory clocks and escalation
ladders), so changing the policy file changes nothing for children already placed until
someone decides it should. That someone is the child's Registered Manager, who answers for the
home's statutory duties: they move the placement onto the policy in force now, and every clock
of the child's is worked out again from it. The policy itself is the organisation's (the
settings' policy file), never typed in. Recorded as ``PolicyChanged`` with the manager as the
actor; nothing is recorded when the placement runs under that policy already.
"""

from __future__ import annotations

from safeside.contracts.workflows import RecordResult
from safeside.tokens import Principal
from starter.services.connection import Services
from starter.services.permissions import Denied
from starter.services.placements import record_action
from starter.services.reading import check_works_with
from starter.services.recording import actor_of, stored
from workflows.domain.commands import AdoptPolicy
from workflows.domain.common import Role

POLICY_ROLES = frozenset({Role.registered_manager})


async def adopt_policy_in_force(
    services: Services, caller: Principal, placement_id: str
) -> RecordResult:
    """The placement runs under the policy in force from now on: Denied unless the caller is
    the child's Registered Manager; ActionRefused when the placement has ended."""
    if caller.role not in POLICY_ROLES:
        raise Denied(
            f"the role {caller.role.value} may not change the policy a placement runs under: "
            "the child's Registered Manager does"
        )
    await check_works_with(services, caller, placement_id)
    command = AdoptPolicy(actor=actor_of(caller), policy=services.policy)
    result = await record_action(services.client, placement_id, command)
    await stored(services.pool, placement_id, result.version)
    return result
