"""What a Duty Manager needs at the start of a shift, across every placement and unit:
children missing now and the escalations raised lately (from the projections), and the units'
next whereabouts checks (from the units' workflows); the deadlines come from
``starter.services.lists``. A caller reads them through ``starter.services.reading``.

A missing child comes with what the Duty Manager hands over and chases: who reported them, the
police's notice and acknowledgement, and the Missing Children's Proforma's references from the
report (where last seen, circumstances, clothing), read from the events and redacted for the
caller's role like every other answer (``reading.missing_now``)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from temporalio.client import Client

from safeside.db import Pool
from safeside.errors import ServiceUnavailable
from safeside.log import get_logger
from safeside.tokens import Principal
from starter.services.paging import Params
from starter.services.philomena import REPORT_FIELDS
from starter.services.relationships import visible_placements, visible_units
from starter.services.units import UnitNotFound, unit_handover
from workflows.domain.common import Actor, DeadlineKind, Role
from workflows.domain.escalations import REMINDED_ROLES
from workflows.domain.notices import MISSING_CHILDREN_PROFORMA
from workflows.domain.unit.events import UnitDeadlineKind

log = get_logger(__name__)


class MissingChild(BaseModel):
    """An open missing episode: whereabouts unknown (``missing``) or known (``away``)."""

    model_config = ConfigDict(frozen=True)

    placement_id: str
    unit_id: str | None
    kind: Literal["missing", "away"]
    since: datetime
    last_seen_at: datetime | None
    police_risk_grade: str | None
    # The episode's watch (R5): the next step of its ladder and when it falls due, counted
    # from `since`. A watch is never overdue: it runs until the child returns.
    next_step_name: str | None = None
    next_step_at: datetime | None = None
    # From the report (its actor, and the proforma's references, for the police); None until
    # the report reaches the audit trail, a moment after the projection.
    episode_id: str | None = None
    actor_role: str | None = None
    actor_ref: str | None = None
    last_seen_place_reference: str | None = None
    circumstances: str | None = None
    clothing_reference: str | None = None
    description_reference: str | None = None
    known_whereabouts_reference: str | None = None
    # The police's notice of the episode (the proforma), as the outbox has it: None when none
    # is listed, or the caller may not read who was told (``with_notices``).
    delivery_status: str | None = None
    delivered_at: datetime | None = None
    attempts: int | None = None
    # The police's acknowledgement, once recorded.
    police_acknowledged_at: datetime | None = None
    police_reference: str | None = None


class RaisedEscalation(BaseModel):
    """A raised step of a deadline's ladder and, once a manager took it, who and when."""

    model_config = ConfigDict(frozen=True)

    placement_id: str
    deadline_id: str
    kind: str
    step_index: int
    step_name: str
    notify_role: str
    due_at: datetime
    raised_at: datetime
    acknowledged_by: Actor | None = None
    escalation_acknowledged_at: datetime | None = None


class UnitCheckDue(BaseModel):
    """A unit with children living in it, and its next whereabouts check (R4), from the
    unit's workflow (its projection is written in batches, so it can lag by hours)."""

    model_config = ConfigDict(frozen=True)

    unit_id: str
    residents: int | None
    next_check_due_at: datetime | None
    overdue: bool
    # False when the unit's workflow did not answer in time (no worker on its task queue):
    # the page says so rather than leaving the unit out.
    answered: bool = True


async def missing_now(
    pool: Pool, caller: Principal, *, limit: int = 100, with_notices: bool = True
) -> list[MissingChild]:
    """Every open episode of a child the caller may see, the longest first, each with the
    next step of its watch (a placement has one open episode at most, so one watch), who
    reported it, the police's notice (``with_notices``) and acknowledgement."""
    param = Params()
    visible = visible_placements(caller, "e.stream_id", param)
    watch = param(DeadlineKind.missing_episode.value)
    police, proforma = param(Role.police.value), param(MISSING_CHILDREN_PROFORMA)
    report = ", ".join(f"r.payload ->> '{name}' AS {name}" for name in REPORT_FIELDS)
    rows = await pool.fetch(
        f"""SELECT e.stream_id AS placement_id, p.unit_id, e.kind, e.started_at AS since,
                   e.last_seen_at, e.police_risk_grade, d.next_step_name, d.next_step_at,
                   e.episode_id, r.actor_role, r.actor_ref, {report},
                   n.status AS delivery_status, n.delivered_at, n.attempts,
                   (a.payload ->> 'police_acknowledged_at')::timestamptz
                       AS police_acknowledged_at,
                   a.payload ->> 'police_reference' AS police_reference
              FROM missing_episodes e LEFT JOIN placements p ON p.stream_id = e.stream_id
                   LEFT JOIN open_deadlines d ON d.stream_id = e.stream_id AND d.kind = {watch}
                   LEFT JOIN events r
                          ON r.stream_id = e.stream_id AND r.version = e.started_version
                   LEFT JOIN notifications n
                          ON n.stream_id = e.stream_id AND n.event_version = e.started_version
                         AND n.recipient = {police} AND n.purpose = {proforma}
                   LEFT JOIN LATERAL (
                       SELECT k.payload FROM events k
                        WHERE k.stream_id = e.stream_id AND k.version > e.started_version
                          AND k.event_type = 'police_acknowledged'
                          AND k.payload ->> 'episode_id' = e.episode_id
                        ORDER BY k.version DESC LIMIT 1) a ON true
             WHERE e.ended_at IS NULL AND {visible}
             ORDER BY e.started_at, e.stream_id LIMIT {param(limit)}""",
        *param.values,
    )
    found = [MissingChild.model_validate(dict(row)) for row in rows]
    if with_notices:
        return found
    untold = {"delivery_status": None, "delivered_at": None, "attempts": None}
    return [child.model_copy(update=untold) for child in found]


async def recent_escalations(
    pool: Pool, caller: Principal, *, since: datetime, limit: int = 50
) -> list[RaisedEscalation]:
    """Steps raised since ``since`` for children the caller may see, and any escalation to a
    manager nobody has taken whose deadline is still open, however old: those not taken first,
    then the newest first."""
    param = Params()
    visible = visible_placements(caller, "e.stream_id", param)
    reminded = param(sorted(role.value for role in REMINDED_ROLES))
    rows = await pool.fetch(
        f"""SELECT e.stream_id AS placement_id, e.deadline_id, e.kind, e.step_index,
                   e.step_name, e.notify_role, e.due_at, e.raised_at,
                   e.acknowledged_by_role, e.acknowledged_by_ref,
                   e.acknowledged_at AS escalation_acknowledged_at
              FROM escalations e
             WHERE (e.raised_at >= {param(since)}
                    OR (e.acknowledged_at IS NULL AND e.notify_role <> ALL ({reminded})
                        AND EXISTS (SELECT 1 FROM open_deadlines d
                                     WHERE d.stream_id = e.stream_id
                                       AND d.deadline_id = e.deadline_id)))
               AND {visible}
             ORDER BY e.acknowledged_at IS NOT NULL, e.raised_at DESC, e.stream_id,
                      e.event_version DESC
             LIMIT {param(limit)}""",
        *param.values,
    )
    return [_raised(dict(row)) for row in rows]


def _raised(row: dict[str, Any]) -> RaisedEscalation:
    role, reference = row.pop("acknowledged_by_role"), row.pop("acknowledged_by_ref")
    taken_by = None if role is None else Actor(role=role, reference=reference)
    return RaisedEscalation.model_validate(row | {"acknowledged_by": taken_by})


async def units_with_children(pool: Pool, caller: Principal, *, limit: int = 100) -> list[str]:
    """The units the caller works in that have open placements, in id order."""
    param = Params()
    visible = visible_units(caller, "p.unit_id", param)
    rows = await pool.fetch(
        f"""SELECT DISTINCT p.unit_id FROM placements p
             WHERE p.status = 'open' AND p.unit_id IS NOT NULL AND {visible}
             ORDER BY p.unit_id LIMIT {param(limit)}""",
        *param.values,
    )
    return [str(row["unit_id"]) for row in rows]


async def next_unit_checks(client: Client, unit_ids: list[str]) -> list[UnitCheckDue]:
    """Each unit's next whereabouts check, the soonest first, asked of the units' workflows
    at once. A unit whose workflow has not started yet (its first child arrived a moment
    ago) is left out; one that does not answer is listed as such."""

    async def ask(unit_id: str) -> UnitCheckDue | None:
        try:
            handover = await unit_handover(client, unit_id)
        except UnitNotFound:
            return None
        except ServiceUnavailable as exc:
            log.warning("unit did not answer", unit_id=unit_id, error=type(exc).__name__)
            return UnitCheckDue(
                unit_id=unit_id,
                residents=None,
                next_check_due_at=None,
                overdue=False,
                answered=False,
            )
        checks = [
            duty
            for duty in (*handover.unit_overdue, *handover.unit_due_next_24_hours)
            if duty.kind is UnitDeadlineKind.unit_check
        ]
        first = min(checks, key=lambda duty: duty.due_at, default=None)
        return UnitCheckDue(
            unit_id=unit_id,
            residents=len(handover.residents),
            next_check_due_at=None if first is None else first.due_at,
            overdue=first is not None and first.overdue,
        )

    found = [due for due in await asyncio.gather(*(ask(u) for u in unit_ids)) if due]
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(found, key=lambda due: (due.next_check_due_at or far, due.unit_id))
