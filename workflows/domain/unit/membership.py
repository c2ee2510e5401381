"""Which placements live in the unit: each placement reports itself to its unit whenever it
changes (arrival, a risk level change, its end), with its own handover summary (R16).

A report may arrive more than once or late (it is sent by a retried activity), so each carries
the placement's version and an older one than the last seen changes nothing.
"""

from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from workflows.domain.common import Actor, OpaqueId, RiskLevel, Role, UtcDatetime
from workflows.domain.state import PlacementStatus
from workflows.domain.stream import header
from workflows.domain.summary import HandoverSummary
from workflows.domain.unit.events import (
    ResidentJoined,
    ResidentLeft,
    ResidentRiskChanged,
    UnitEvent,
)
from workflows.domain.unit.state import UnitState

MEMBERSHIP_ACTOR = Actor(role=Role.system, reference="safeside-placement-report")


class PlacementReport(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    unit_id: OpaqueId
    placement_id: OpaqueId
    version: int
    status: PlacementStatus
    arrived_at: UtcDatetime
    risk_level: RiskLevel | None
    summary: HandoverSummary


def membership_changes(state: UnitState, report: PlacementReport, now: datetime) -> list[UnitEvent]:
    """Joined, left, or a new risk level: the events that keep the residents right."""
    resident = state.resident(report.placement_id)
    if report.status is PlacementStatus.open and resident is None:
        return [
            ResidentJoined(
                **header(state, now, MEMBERSHIP_ACTOR),
                placement_id=report.placement_id,
                arrived_at=report.arrived_at,
                risk_level=report.risk_level,
            )
        ]
    if resident is None:
        return []
    if report.status is PlacementStatus.ended:
        return [
            ResidentLeft(**header(state, now, MEMBERSHIP_ACTOR), placement_id=report.placement_id)
        ]
    if report.risk_level is not None and report.risk_level != resident.risk_level:
        return [
            ResidentRiskChanged(
                **header(state, now, MEMBERSHIP_ACTOR),
                placement_id=report.placement_id,
                to_level=report.risk_level,
            )
        ]
    return []


class KeptReports:
    """The last report of each placement, kept as its JSON text: a report's objects take about
    four times the memory of its text, and the unit reads them only for a handover or to
    carry them over to its next run. A report older than the one kept changes nothing."""

    def __init__(self, reports: Iterable[PlacementReport] = ()) -> None:
        self._kept: dict[str, tuple[int, bytes]] = {}
        for report in reports:
            self.keep(report)

    def is_newer(self, report: PlacementReport) -> bool:
        known = self._kept.get(report.placement_id)
        return known is None or report.version > known[0]

    def keep(self, report: PlacementReport) -> None:
        self._kept[report.placement_id] = (report.version, report.model_dump_json().encode())

    def of(self, placement_ids: Iterable[str]) -> dict[str, PlacementReport]:
        """The reports kept for these placements (none for one that has not reported)."""
        return {
            placement_id: PlacementReport.model_validate_json(self._kept[placement_id][1])
            for placement_id in placement_ids
            if placement_id in self._kept
        }
