"""Break-glass: out-of-hours cover opens one child's record outside its relationship.

A Duty or Registered Manager gives a reason; the opening is recorded on the child's own
stream (so the child's Registered Manager is told through the outbox, and the audit trail
keeps it), then granted here for ``BREAK_GLASS_LONGEST`` and written to the access log with
its reason. The auditor lists every use.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field

from safeside.tokens import Principal
from starter.services import access_log, standings
from starter.services.connection import Services
from starter.services.permissions import Denied
from starter.services.placements import PlacementNotFound, record_action
from starter.services.reading import NOT_YOURS
from starter.services.recording import actor_of
from workflows.domain.commands import OpenBreakGlass
from workflows.domain.common import Role
from workflows.domain.decide import BREAK_GLASS_LONGEST

BREAK_GLASS_ROLES = frozenset({Role.duty_manager, Role.registered_manager})
BREAK_GLASS_VIEW = "break_glass"


class BreakGlassRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500, description="Why the record is opened.")


class BreakGlassGrant(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    staff_ref: str
    role: str
    placement_id: str
    reason: str
    opened_at: datetime
    expires_at: datetime


async def open_break_glass(
    services: Services, caller: Principal, placement_id: str, reason: str
) -> BreakGlassGrant:
    """Open the child's record for the caller (Denied unless a Duty or Registered Manager;
    ActionRefused when the placement has ended or the reason is missing)."""

    async def refused(why: str) -> Denied:
        await access_log.record_read(
            services,
            access_log.read_by(
                caller, BREAK_GLASS_VIEW, placement_id, allowed=False, break_glass_reason=reason
            ),
        )
        return Denied(why)

    if caller.role not in BREAK_GLASS_ROLES or not await standings.in_directory_now(
        services.pool, caller
    ):
        raise await refused(
            "only a Duty or Registered Manager in the staff directory may break glass"
        )
    opened_at = datetime.now(UTC)
    until = opened_at + BREAK_GLASS_LONGEST
    command = OpenBreakGlass(actor=actor_of(caller), reason=reason, until=until)
    try:
        await record_action(services.client, placement_id, command)
    except PlacementNotFound:
        # No hint of what exists: an unknown id is refused as a stranger's child is.
        raise await refused(NOT_YOURS) from None
    async with services.pool.acquire() as con, con.transaction():
        row = await con.fetchrow(
            """INSERT INTO break_glass (staff_ref, role, placement_id, reason, opened_at,
                                        expires_at)
               VALUES ($1, $2, $3, $4, $5, $6) RETURNING *""",
            caller.subject,
            caller.role.value,
            placement_id,
            command.reason.strip(),
            opened_at,
            until,
        )
        # In the same transaction as the grant: the opening and its entry are stored together.
        entry = access_log.read_by(
            caller, BREAK_GLASS_VIEW, placement_id, allowed=True, break_glass_reason=reason
        )
        await access_log.store(con, entry)
    assert row is not None  # INSERT ... RETURNING gives the row it wrote
    return BreakGlassGrant.model_validate(dict(row))


async def list_break_glass(services: Services, caller: Principal) -> list[BreakGlassGrant]:
    """Every break-glass use, newest first: for the auditor."""
    if caller.role is not Role.auditor:
        raise Denied("only the auditor lists break-glass uses")
    rows = await services.pool.fetch("SELECT * FROM break_glass ORDER BY id DESC LIMIT 1000")
    return [BreakGlassGrant.model_validate(dict(row)) for row in rows]
