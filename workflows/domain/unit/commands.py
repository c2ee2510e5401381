"""What staff ask the unit to record, in the imperative. Shapes only: `decide` refuses, in
plain words, what does not make sense."""

from pydantic import BaseModel, ConfigDict

from workflows.domain.common import Actor, UtcDatetime
from workflows.domain.protection_events import SuspiciousActivityCategory
from workflows.domain.unit.events import CheckArea, Whereabouts


class UnitCommandBase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    actor: Actor


class CheckEntryGiven(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    placement_id: str
    whereabouts: Whereabouts
    # Away with authorisation: where (a reference, never an address) and until when.
    known_whereabouts_reference: str | None = None
    away_until: UtcDatetime | None = None


class RecordUnitCheck(UnitCommandBase):
    """R4: every resident child, seen, away with authorisation, or not seen."""

    checked_at: UtcDatetime
    entries: tuple[CheckEntryGiven, ...]


class RecordHouseMeeting(UnitCommandBase):
    """R13: a house meeting; lending phones must be discussed while a new arrival lives here."""

    held_at: UtcDatetime
    phones_discussed: bool
    topics: tuple[str, ...] = ()
    residents_present: int = 0


class ConcernGiven(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    category: SuspiciousActivityCategory
    note_reference_or_text: str
    placement_id: str | None = None


class RecordBuildingCheck(UnitCommandBase):
    """R14: the building and outside checked; concerns go to the Duty Manager."""

    checked_at: UtcDatetime
    areas: tuple[CheckArea, ...] = ("building", "outside")
    concerns: tuple[ConcernGiven, ...] = ()


class AcknowledgeHandover(UnitCommandBase):
    """R16: the incoming shift (the actor) has read the handover."""

    acknowledged_at: UtcDatetime
    handed_over_by_reference: str
