"""The Philomena Protocol profile as the police are handed it: part 1 (the child's description
and references to photographs, clothing, known associates and places, recorded at arrival and
kept up to date) from the placement's live state, and part 2 (when and where the child was last
seen, the circumstances, the clothing then) from the report of the open missing episode, or
the latest one, in the audit trail.

Read only through the gate (``reading.PlacementRead.philomena_profile``), which writes the
access log and redacts the sheet: whole for the unit's own staff, its structure alone for
everyone else who may read the child.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import BaseModel, ConfigDict

from starter.services import audit_trail, placements
from starter.services.connection import Services
from workflows.domain.common import MissingKind, PoliceRiskGrade
from workflows.domain.protection_state import MissingEpisode, PhilomenaProfile
from workflows.domain.state import PlacementState


class MissingReport(BaseModel):
    """Part 2: the open missing episode (or the latest), with what its report told the police.
    The report's own fields are None until it reaches the audit trail, a moment after it is
    recorded."""

    model_config = ConfigDict(frozen=True)

    episode_id: str
    kind: MissingKind
    reported_at: datetime
    last_seen_at: datetime
    police_risk_grade: PoliceRiskGrade | None
    returned_at: datetime | None
    police_reference: str | None
    last_seen_place_reference: str | None = None
    circumstances: str | None = None
    clothing_reference: str | None = None
    description_reference: str | None = None
    known_whereabouts_reference: str | None = None


class PhilomenaSheet(BaseModel):
    """What the printable page and the API show: who the child is to the police, part 1 (None:
    not yet completed) and part 2 (None: the child has never gone missing)."""

    model_config = ConfigDict(frozen=True)

    placement_id: str
    as_at: datetime
    case_reference: str | None
    first_language: str | None
    date_of_birth: date | None
    philomena_profile: PhilomenaProfile | None
    missing_report: MissingReport | None


# The report's fields part 2 shows, as the audit trail holds them: the Missing Children's
# Proforma's references for the police (Today's missing children carry them too).
REPORT_FIELDS = (
    "last_seen_place_reference",
    "circumstances",
    "clothing_reference",
    "description_reference",
    "known_whereabouts_reference",
)


async def philomena_sheet(services: Services, placement_id: str) -> PhilomenaSheet:
    """The sheet of the placement, as of now (before redaction)."""
    state = await placements.current_state(services.client, placement_id)
    episode = state.missing_episodes[-1] if state.missing_episodes else None
    facts = state.facts
    return PhilomenaSheet(
        placement_id=placement_id,
        as_at=datetime.now(UTC),
        case_reference=None if facts is None else facts.case_reference,
        first_language=None if facts is None else facts.first_language,
        date_of_birth=None if facts is None else facts.date_of_birth,
        philomena_profile=state.philomena_profile,
        missing_report=None if episode is None else await _part_2(services, state, episode),
    )


async def _part_2(
    services: Services, state: PlacementState, episode: MissingEpisode
) -> MissingReport:
    try:
        page = await audit_trail.chronology(
            services.pool, state.stream_id, event_type="missing_reported", limit=1
        )
    except placements.PlacementNotFound:  # its first events are still on their way
        page = None
    report = None if page is None else next(iter(page.entries), None)
    told = (
        {name: report.details.get(name) for name in REPORT_FIELDS}
        if report is not None and report.details.get("episode_id") == episode.episode_id
        else {}
    )
    return MissingReport(
        episode_id=episode.episode_id,
        kind=episode.kind,
        reported_at=episode.reported_at,
        last_seen_at=episode.last_seen_at,
        police_risk_grade=episode.police_risk_grade,
        returned_at=episode.returned_at,
        police_reference=episode.police_reference,
        **told,
    )
