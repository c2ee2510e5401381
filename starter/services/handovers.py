"""Who acknowledged a unit's handover and when (R16), from the audit trail: the unit's
workflow counts acknowledgements; the trail keeps who made each. Read after the unit's gate
(``reading.open_unit``) let the caller in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from safeside.db import Pool
from workflows.domain.unit.events import unit_stream_id


@dataclass(frozen=True)
class Acknowledgement:
    acknowledged_by: str
    acknowledged_at: datetime
    handed_over_by: str


async def latest_acknowledgements(pool: Pool, unit_id: str, limit: int) -> list[Acknowledgement]:
    """The unit's latest handover acknowledgements, the latest first."""
    rows = await pool.fetch(
        """SELECT actor_ref, payload FROM events
            WHERE stream_id = $1 AND event_type = 'handover_acknowledged'
            ORDER BY version DESC LIMIT $2""",
        unit_stream_id(unit_id),
        limit,
    )
    return [
        Acknowledgement(
            acknowledged_by=row["actor_ref"],
            acknowledged_at=datetime.fromisoformat(row["payload"]["acknowledged_at"]),
            handed_over_by=row["payload"]["handed_over_by_reference"],
        )
        for row in rows
    ]
