"""What the unit owes its placements: a child not seen, or not back when an authorised absence
ended, starts that placement's missing procedure (R4, R5); a concern about a named child from a
building or outside check reaches the child's record as suspicious activity (R7, R14)."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from workflows.domain.commands import RecordSuspiciousActivity, ReportMissing
from workflows.domain.common import MissingKind
from workflows.domain.unit.events import BuildingCheckRecorded, MissingProcedureRequested, UnitEvent

UnitToPlacementCommand = Annotated[
    ReportMissing | RecordSuspiciousActivity, Field(discriminator="type")
]


class ToPlacement(BaseModel):
    """A command the unit owes a placement: a missing report (R4) or a concern (R7)."""

    model_config = ConfigDict(frozen=True)

    placement_id: str
    command: UnitToPlacementCommand


def unit_check_reference(check_number: int) -> str:
    """The unit check a missing report came from, as the child's record names it: never the
    unit's id, which would tell every reader of the record where the child lives."""
    return f"unit-check-{check_number}"


def owed_to_placements(event: UnitEvent) -> list[ToPlacement]:
    """The commands `event` obliges the unit to send its placements, in order."""
    match event:
        case MissingProcedureRequested():
            check = unit_check_reference(event.check_number)
            why = (
                None
                if event.reason == "not_seen"
                else f"not back when an authorised absence ended ({check})"
            )
            command = ReportMissing(
                actor=event.actor,
                kind=MissingKind.missing,
                last_seen_at=event.last_seen_at,
                circumstances=why,
                unit_check_reference=check,
            )
            return [ToPlacement(placement_id=event.placement_id, command=command)]
        case BuildingCheckRecorded():
            return [
                ToPlacement(
                    placement_id=concern.placement_id,
                    command=RecordSuspiciousActivity(
                        actor=event.actor,
                        category=concern.category,
                        note_reference_or_text=concern.note_reference_or_text,
                        observed_at=event.checked_at,
                    ),
                )
                for concern in event.concerns
                if concern.placement_id is not None
            ]
        case _:
            return []
