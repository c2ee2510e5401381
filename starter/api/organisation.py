"""/organisation and a placement's allocations and break-glass: who works where, and with
which children. Units, staff and memberships are the administrator's; allocations the
placement's Registered Manager's (or the administrator's); break-glass a Duty or Registered
Manager's, with a reason; the list of break-glass uses the auditor's."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from starter.api.auth import Caller
from starter.api.dependencies import PlacementId, ServicesDep
from starter.api.problems import REFUSABLE_WRITE_ANSWERS, responses
from starter.services import break_glass, organisation
from starter.services.break_glass import BreakGlassGrant, BreakGlassRequest
from starter.services.organisation import Allocation, Membership, NewStaffMember, NewUnit
from workflows.domain.common import OPAQUE_ID_PATTERN, Reference

router = APIRouter(tags=["organisation"])
_Route = TypeVar("_Route", bound=Callable[..., Awaitable[Any]])


class Done(BaseModel):
    done: bool = True


# The organisation's writes answer alike: done, or refused (not signed in, not allowed, a
# wrong field) or unavailable.
_ORGANISATION_ANSWERS = responses(401, 403, 413, 422, 503)


def _write(
    path: str, summary: str, *, status_code: int | None = None
) -> Callable[[_Route], _Route]:
    return router.post(
        path,
        status_code=status_code,
        response_model=Done,
        responses=_ORGANISATION_ANSWERS,
        summary=summary,
    )


class EndMembership(BaseModel):
    model_config = ConfigDict(extra="forbid")

    staff_ref: Reference
    unit_id: str = Field(pattern=OPAQUE_ID_PATTERN)


@_write("/organisation/units", "Add a unit (the administrator)", status_code=201)
async def add_unit(unit: NewUnit, caller: Caller, services: ServicesDep) -> Done:
    await organisation.create_unit(services.pool, caller, unit)
    return Done()


@_write(
    "/organisation/staff",
    "Add a person to the staff directory, or set their roles (the administrator)",
    status_code=201,
)
async def add_staff(member: NewStaffMember, caller: Caller, services: ServicesDep) -> Done:
    await organisation.add_staff(services.pool, caller, member)
    return Done()


@_write(
    "/organisation/memberships",
    "Make a person a member of a unit, from now or a given time (the administrator)",
    status_code=201,
)
async def join_unit(membership: Membership, caller: Caller, services: ServicesDep) -> Done:
    await organisation.join_unit(services.pool, caller, membership)
    return Done()


@_write(
    "/organisation/memberships/end", "End a person's membership of a unit now (the administrator)"
)
async def leave_unit(ending: EndMembership, caller: Caller, services: ServicesDep) -> Done:
    await organisation.leave_unit(services.pool, caller, ending.staff_ref, ending.unit_id)
    return Done()


@_write(
    "/placements/{placement_id}/allocations",
    "Change who is allocated to the placement (its social worker, IRO or key worker)",
)
async def allocate(
    placement_id: PlacementId, allocation: Allocation, caller: Caller, services: ServicesDep
) -> Done:
    await organisation.change_allocation(services.pool, caller, placement_id, allocation)
    return Done()


@router.post(
    "/placements/{placement_id}/break-glass",
    status_code=201,
    response_model=BreakGlassGrant,
    responses=REFUSABLE_WRITE_ANSWERS,
    summary="Open a child's record outside your relationship, with a reason (out-of-hours)",
)
async def open_break_glass(
    placement_id: PlacementId, request: BreakGlassRequest, caller: Caller, services: ServicesDep
) -> BreakGlassGrant:
    """A Duty or Registered Manager opens the record for 4 hours; the reason goes to the
    access log and the child's Registered Manager is told."""
    return await break_glass.open_break_glass(services, caller, placement_id, request.reason)


@router.get(
    "/break-glass",
    response_model=list[BreakGlassGrant],
    responses=responses(401, 403, 503),
    summary="Every break-glass use, newest first (the auditor)",
)
async def list_break_glass(caller: Caller, services: ServicesDep) -> list[BreakGlassGrant]:
    return await break_glass.list_break_glass(services, caller)
