"""The handover view (R16): current risks and what is due, for the shift taking over."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from workflows.domain.common import RiskLevel, UtcDatetime, utc
from workflows.domain.deadlines import Deadline, due
from workflows.domain.policy import Policy
from workflows.domain.state import PlacementState, PlacementStatus


class HandoverSummary(BaseModel):
    """`open_deadlines` are those still in time; `overdue_deadlines` those past due."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    placement_id: str
    as_at: UtcDatetime
    status: PlacementStatus
    risk_level: RiskLevel | None
    risk_factors: tuple[str, ...]
    open_deadlines: tuple[Deadline, ...]
    overdue_deadlines: tuple[Deadline, ...]
    # Filled by later work: restrictions (R6, R12, R18), phone held (R11), missing (R5).
    restrictions: tuple[str, ...] = ()
    phone_held: bool | None = None
    missing: bool = False


def handover_summary(state: PlacementState, now: datetime, policy: Policy) -> HandoverSummary:
    now = utc(now)
    deadlines = due(state, now, policy)
    return HandoverSummary(
        placement_id=state.stream_id,
        as_at=now,
        status=state.status,
        risk_level=state.risk_level,
        risk_factors=state.risk_factors,
        open_deadlines=tuple(deadline for deadline in deadlines if not deadline.overdue),
        overdue_deadlines=tuple(deadline for deadline in deadlines if deadline.overdue),
    )
