"""Missing from care (R4, R5): reporting an episode, the police's acknowledgement, the return,
the Return Home Interview; and, before any of them, the Philomena Protocol profile's part 1
(``philomena``), of which the report is part 2.

An episode lives in the placement's own stream: the report starts a watch whose ladder repeats
until the return (see `deadlines`), the return starts the 72-hour interview clock and brings
the next risk review forward (R17). Where the child was last seen or found is kept in the
events for the police, never in the state or in a refusal.
"""

from datetime import datetime

from workflows.domain import philomena
from workflows.domain.checks import (
    FieldChecks,
    given,
    happened,
    in_the_past_since_arrival,
    not_before,
    not_yet_recorded,
    optional_reference,
    reference,
    require,
    short_text,
)
from workflows.domain.commands import (
    MissingCommand,
    RecordPhilomenaProfile,
    RecordPoliceAcknowledgement,
    RecordReturn,
    RecordReturnInterview,
    ReportMissing,
)
from workflows.domain.common import MissingKind
from workflows.domain.errors import DomainError, FieldsRefused
from workflows.domain.events import PlacementEvent, PlacementFacts
from workflows.domain.protection_events import (
    ChildReturned,
    MissingReported,
    PoliceAcknowledged,
    ReturnInterviewHeld,
)
from workflows.domain.protection_state import MissingEpisode
from workflows.domain.state import PlacementState
from workflows.domain.stream import header

NO_SUCH_EPISODE = "this placement has no missing episode with that id: check the episode id"


def episode_id_for(state: PlacementState, number: int) -> str:
    """Deterministic and opaque: the placement id and the episode's number ("PL-1-M2")."""
    return f"{state.stream_id}-M{number}"


def _named_episode(
    state: PlacementState, command: RecordReturnInterview | RecordPoliceAcknowledgement
) -> MissingEpisode:
    episode = state.episode(command.episode_id.strip())
    if episode is None:
        raise FieldsRefused([("episode_id", NO_SUCH_EPISODE)])
    return episode


def decide_missing(
    state: PlacementState,
    facts: PlacementFacts,
    command: MissingCommand,
    now: datetime,
) -> PlacementEvent:
    match command:
        case ReportMissing():
            return _report(state, facts, command, now)
        case RecordPhilomenaProfile():
            return philomena.record_profile(state, command, now)
        case RecordReturn():
            return _return(state, command, now)
        case RecordReturnInterview():
            return _return_interview(state, command, now)
        case RecordPoliceAcknowledgement():
            return _police_acknowledgement(state, command, now)


def _report(
    state: PlacementState, facts: PlacementFacts, command: ReportMissing, now: datetime
) -> MissingReported:
    if state.open_episode() is not None:
        raise DomainError(
            "the child is already recorded as missing or away: record their return "
            "before reporting a new episode"
        )
    checks = FieldChecks()
    with checks.at("last_seen_at"):
        in_the_past_since_arrival(command.last_seen_at, now, facts, "last sighting")
    # A unit check's reference fills the place and circumstances the worker did not give; it
    # is read before its own check so the checks after can use it even when it is refused.
    from_unit = given(command.unit_check_reference)
    with checks.at("unit_check_reference"):
        from_unit = optional_reference(from_unit, "unit check reference")
    with checks.at("last_seen_place_reference"):
        place = reference(
            given(command.last_seen_place_reference)
            or (None if from_unit is None else facts.unit_id),
            "say where the child was last seen (a reference to the place, for the police)",
            "last-seen place reference",
        )
    with checks.at("circumstances"):
        circumstances = short_text(
            command.circumstances
            or (None if from_unit is None else f"not seen at the unit's check {from_unit}"),
            "describe the circumstances in which the child went missing",
            "description of the circumstances",
        )
    with checks.at("clothing_reference"):
        clothing = optional_reference(command.clothing_reference, "clothing reference")
        if command.kind is MissingKind.missing and clothing is None and from_unit is None:
            raise DomainError(
                "say what the child was wearing, or give the reference of the Philomena "
                "Protocol part 2 form: the police need it to search"
            )
    with checks.at("known_whereabouts_reference"):
        whereabouts = optional_reference(
            command.known_whereabouts_reference, "known whereabouts reference"
        )
        if command.kind is MissingKind.missing and whereabouts is not None:
            raise DomainError(
                "a child whose whereabouts are known is away without authorisation, "
                "not missing: report the episode as away_without_authorisation"
            )
        if command.kind is not MissingKind.missing and whereabouts is None:
            raise DomainError(
                "a child away without authorisation has known whereabouts: give a reference to "
                "where they are, or report them missing if nobody knows"
            )
    with checks.at("description_reference"):
        description = optional_reference(command.description_reference, "description reference")
    checks.refuse_if_any()
    number = len(state.missing_episodes) + 1
    return MissingReported(
        **header(state, now, command.actor),
        episode_id=episode_id_for(state, number),
        kind=command.kind,
        last_seen_at=command.last_seen_at,
        last_seen_place_reference=place,
        circumstances=circumstances,
        police_risk_grade=command.police_risk_grade,
        clothing_reference=clothing,
        description_reference=description,
        known_whereabouts_reference=whereabouts,
        unit_check_reference=from_unit,
    )


def _return(state: PlacementState, command: RecordReturn, now: datetime) -> ChildReturned:
    episode = state.open_episode()
    if episode is None:
        raise DomainError("the child is not recorded as missing or away: there is nothing to close")
    checks = FieldChecks()
    with checks.at("returned_at"):
        happened(command.returned_at, now, "return")
        not_before(command.returned_at, episode.last_seen_at, "return", "the child was last seen")
    with checks.at("found_by_reference"):
        found_by = reference(
            command.found_by_reference,
            "say who found the child or brought them back (a reference, e.g. police or a staff id)",
            "found-by reference",
        )
    with checks.at("where_found_reference"):
        where = reference(
            command.where_found_reference,
            "say where the child was found (a reference to the place, for the police)",
            "where-found reference",
        )
    checks.refuse_if_any()
    return ChildReturned(
        **header(state, now, command.actor),
        episode_id=episode.episode_id,
        returned_at=command.returned_at,
        found_by_reference=found_by,
        where_found_reference=where,
    )


def _return_interview(
    state: PlacementState, command: RecordReturnInterview, now: datetime
) -> ReturnInterviewHeld:
    episode = _named_episode(state, command)
    if episode.returned_at is None:
        raise DomainError("the child has not returned from this episode: record the return first")
    not_yet_recorded(episode.return_interview_held_at, "the return interview for this episode")
    returned_at = episode.returned_at
    checks = FieldChecks()
    with checks.at("held_at"):
        happened(command.held_at, now, "return interview")
        not_before(command.held_at, returned_at, "return interview", "the child returned")
    with checks.at("interviewer_reference"):
        interviewer = reference(
            command.interviewer_reference,
            "give the reference of the independent person who held the return interview",
            "interviewer reference",
        )
    with checks.at("child_views"):
        views = require(
            command.child_views,
            "the child's views must be recorded with the return interview: "
            "write what the young person said, or why they would not say",
        )
    checks.refuse_if_any()
    return ReturnInterviewHeld(
        **header(state, now, command.actor),
        episode_id=episode.episode_id,
        held_at=command.held_at,
        interviewer_reference=interviewer,
        child_views=views,
    )


def _police_acknowledgement(
    state: PlacementState, command: RecordPoliceAcknowledgement, now: datetime
) -> PoliceAcknowledged:
    episode = _named_episode(state, command)
    not_yet_recorded(episode.police_acknowledged_at, "the police's acknowledgement of this episode")
    checks = FieldChecks()
    with checks.at("police_acknowledged_at"):
        happened(command.police_acknowledged_at, now, "police's acknowledgement")
        not_before(
            command.police_acknowledged_at,
            episode.last_seen_at,
            "police's acknowledgement",
            "the child was last seen",
        )
    with checks.at("police_reference"):
        police_reference = reference(
            command.police_reference,
            "give the crime or CAD reference the police gave for this episode",
            "police reference",
        )
    checks.refuse_if_any()
    return PoliceAcknowledged(
        **header(state, now, command.actor),
        episode_id=episode.episode_id,
        police_acknowledged_at=command.police_acknowledged_at,
        police_reference=police_reference,
    )
