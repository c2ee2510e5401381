"""Decisions on the care plan: the leaflet (R1), the missing procedures explained (R4), risk
assessments and level changes (R8, R17), the planning meeting and looked-after reviews (R8),
the social worker's visits (reg 28), the NRM referral and observations.

Each returns the events recording its command, numbered on from `state.version`, or refuses
in plain words: what the placement's state forbids first (DomainError), then every wrong field
at once (FieldsRefused); `decide` sends each command here or to its own module.
"""

from datetime import datetime

from workflows.domain.calendar import london_day_start
from workflows.domain.checks import (
    FieldChecks,
    given,
    happened,
    in_order,
    in_the_past_since_arrival,
    not_yet_recorded,
    optional_reference,
    reference,
    require,
)
from workflows.domain.commands import (
    CarePlanCommand,
    ChangeRiskLevel,
    RecordLeafletDelivered,
    RecordLookedAfterReview,
    RecordMissingProceduresExplained,
    RecordNrmReferral,
    RecordObservation,
    RecordPlanningMeeting,
    RecordRiskAssessment,
    RecordSocialWorkerVisit,
)
from workflows.domain.errors import DomainError
from workflows.domain.events import (
    LeafletDelivered,
    LookedAfterReviewHeld,
    MissingProceduresExplained,
    NrmReferralMade,
    ObservationRecorded,
    PlacementEvent,
    PlacementFacts,
    PlanningMeetingHeld,
    RiskAssessed,
    RiskLevelChanged,
    SocialWorkerVisited,
)
from workflows.domain.state import PlacementState
from workflows.domain.stream import header

OBSERVATION_MAX_CHARS = 500


def decide_care_plan(
    state: PlacementState, facts: PlacementFacts, command: CarePlanCommand, now: datetime
) -> list[PlacementEvent]:
    match command:
        case RecordLeafletDelivered():
            return [_leaflet(state, facts, command, now)]
        case RecordMissingProceduresExplained():
            return [_missing_procedures(state, facts, command, now)]
        case RecordRiskAssessment():
            return _risk_assessment(state, facts, command, now)
        case RecordPlanningMeeting():
            return [_planning_meeting(state, command, now)]
        case RecordLookedAfterReview():
            return [_review(state, facts, command, now)]
        case RecordSocialWorkerVisit():
            return [_visit(state, facts, command, now)]
        case RecordNrmReferral():
            return [_nrm_referral(state, command, now)]
        case ChangeRiskLevel():
            return [_change_risk_level(state, command, now)]
        case RecordObservation():
            return [_observation(state, facts, command, now)]


def _leaflet(
    state: PlacementState, facts: PlacementFacts, command: RecordLeafletDelivered, now: datetime
) -> LeafletDelivered:
    not_yet_recorded(state.leaflet_delivered_at, "the leaflet delivery")
    checks = FieldChecks()
    with checks.at("interpreter_reference"):
        interpreter = (
            reference(
                command.interpreter_reference,
                "the leaflet must be explained with an interpreter: "
                "give the interpreter's reference",
                "interpreter's reference",
            )
            if facts.interpreter_needed
            else optional_reference(command.interpreter_reference, "interpreter's reference")
        )
    with checks.at("language"):
        language = given(command.language)
        if language is None or language.casefold() != facts.first_language.casefold():
            raise DomainError(
                "the leaflet must be in the child's own language, "
                "the first language recorded when the placement started"
            )
    with checks.at("child_understanding"):
        understanding = require(
            command.child_understanding, "record how well the child understood the leaflet"
        )
    with checks.at("delivered_at"):
        in_the_past_since_arrival(command.delivered_at, now, facts, "leaflet delivery")
    checks.refuse_if_any()
    return LeafletDelivered(
        **header(state, now, command.actor),
        language=facts.first_language,
        interpreter_reference=interpreter,
        child_understanding=understanding,
        delivered_at=command.delivered_at,
        interpreter_needed=facts.interpreter_needed,
    )


def _missing_procedures(
    state: PlacementState,
    facts: PlacementFacts,
    command: RecordMissingProceduresExplained,
    now: datetime,
) -> MissingProceduresExplained:
    not_yet_recorded(
        state.missing_procedures_explained_at, "telling the child the missing procedures"
    )
    checks = FieldChecks()
    with checks.at("explained_at"):
        in_the_past_since_arrival(
            command.explained_at, now, facts, "explanation of the missing procedures"
        )
    with checks.at("interpreter_reference"):
        interpreter = optional_reference(command.interpreter_reference, "interpreter's reference")
    checks.refuse_if_any()
    return MissingProceduresExplained(
        **header(state, now, command.actor),
        explained_at=command.explained_at,
        interpreter_reference=interpreter,
        interpreter_needed=facts.interpreter_needed,
    )


def _risk_assessment(
    state: PlacementState, facts: PlacementFacts, command: RecordRiskAssessment, now: datetime
) -> list[PlacementEvent]:
    checks = FieldChecks()
    with checks.at("factors"):
        factors = tuple(factor for factor in map(given, command.factors) if factor is not None)
        if not factors:
            raise DomainError("list at least one risk factor in the risk assessment")
    with checks.at("child_views"):
        views = require(
            command.child_views,
            "the child's views must be recorded with the risk assessment: "
            "write what the young person said, or why they would not say",
        )
    with checks.at("assessed_at"):
        in_the_past_since_arrival(command.assessed_at, now, facts, "risk assessment")
        latest = state.risk_clock_started_at
        if latest is not None and command.assessed_at < latest:
            raise DomainError(
                "this assessment is older than the latest risk assessment or risk level "
                "change: record a current assessment instead"
            )
    checks.refuse_if_any()
    events: list[PlacementEvent] = []
    # A different level is also a level change (R17), so the people told of a change to
    # high risk are told whichever way the change was recorded.
    if state.risk_level is not None and command.level != state.risk_level:
        events.append(
            RiskLevelChanged(
                **header(state, now, command.actor),
                from_level=state.risk_level,
                to_level=command.level,
                reason="risk assessment",
            )
        )
    events.append(
        RiskAssessed(
            **header(state, now, command.actor, len(events) + 1),
            level=command.level,
            factors=factors,
            child_participated=command.child_participated,
            child_views=views,
            assessed_at=command.assessed_at,
        )
    )
    return events


def _planning_meeting(
    state: PlacementState, command: RecordPlanningMeeting, now: datetime
) -> PlanningMeetingHeld:
    not_yet_recorded(state.planning_meeting_held_at, "the first planning meeting")
    if state.first_assessed_at is None:
        raise DomainError(
            "record the risk assessment first: it is discussed at the planning meeting"
        )
    assessed_at = state.first_assessed_at
    checks = FieldChecks()
    with checks.at("absence_reason"):
        absence_reason = given(command.absence_reason)
        if not command.young_person_present and absence_reason is None:
            raise DomainError(
                "the young person should be at the planning meeting: give the reason they were not"
            )
        if command.young_person_present and absence_reason is not None:
            raise DomainError(
                "the young person was at the planning meeting, so leave the absence reason empty"
            )
    with checks.at("child_views"):
        views = require(
            command.child_views, "the child's views must be recorded with the planning meeting"
        )
    with checks.at("held_at"):
        happened(command.held_at, now, "planning meeting")
        if command.held_at < assessed_at:
            raise DomainError(
                "the planning meeting cannot be before the risk assessment it discussed: "
                "check the dates"
            )
    checks.refuse_if_any()
    return PlanningMeetingHeld(
        **header(state, now, command.actor),
        held_at=command.held_at,
        young_person_present=command.young_person_present,
        absence_reason=absence_reason,
        child_views=views,
    )


def _review(
    state: PlacementState, facts: PlacementFacts, command: RecordLookedAfterReview, now: datetime
) -> LookedAfterReviewHeld:
    checks = FieldChecks()
    with checks.at("chaired_by_iro_reference"):
        iro = require(
            command.chaired_by_iro_reference,
            "a looked-after review is chaired by an Independent Reviewing Officer: "
            "give the officer's reference",
        )
    with checks.at("child_views"):
        views = require(
            command.child_views, "the child's views must be recorded with the looked-after review"
        )
    with checks.at("held_at"):
        happened(command.held_at, now, "looked-after review")
        # A review held before this placement (the child was already looked after) counts:
        # the review clock runs from becoming looked after, not from arrival.
        if command.held_at < london_day_start(facts.looked_after_since):
            raise DomainError(
                "a looked-after review cannot be before the child became looked after"
            )
        in_order(command.held_at, state.reviews_held, "review", "were held")
    checks.refuse_if_any()
    return LookedAfterReviewHeld(
        **header(state, now, command.actor),
        held_at=command.held_at,
        chaired_by_iro_reference=iro,
        child_views=views,
    )


def _visit(
    state: PlacementState, facts: PlacementFacts, command: RecordSocialWorkerVisit, now: datetime
) -> SocialWorkerVisited:
    checks = FieldChecks()
    with checks.at("social_worker_reference"):
        social_worker = require(
            command.social_worker_reference, "give the reference of the social worker who visited"
        )
    with checks.at("visited_at"):
        in_the_past_since_arrival(command.visited_at, now, facts, "social worker's visit")
        in_order(command.visited_at, state.social_worker_visits, "visit", "happened")
    checks.refuse_if_any()
    return SocialWorkerVisited(
        **header(state, now, command.actor),
        visited_at=command.visited_at,
        social_worker_reference=social_worker,
        child_seen_alone=command.child_seen_alone,
    )


def _nrm_referral(
    state: PlacementState, command: RecordNrmReferral, now: datetime
) -> NrmReferralMade:
    not_yet_recorded(state.nrm_referred_at, "the NRM referral")
    checks = FieldChecks()
    with checks.at("referral_reference"):
        reference = require(command.referral_reference, "give the NRM referral reference")
    with checks.at("referred_at"):
        # A referral made before arrival (by police or another authority) still counts.
        happened(command.referred_at, now, "NRM referral")
    checks.refuse_if_any()
    return NrmReferralMade(
        **header(state, now, command.actor),
        referred_at=command.referred_at,
        referral_reference=reference,
    )


def _change_risk_level(
    state: PlacementState, command: ChangeRiskLevel, now: datetime
) -> RiskLevelChanged:
    if state.risk_level is None:
        raise DomainError("this placement has no risk level yet: record a risk assessment")
    from_level = state.risk_level
    checks = FieldChecks()
    with checks.at("to_level"):
        if command.to_level == from_level:
            raise DomainError(f"the risk level is already {from_level.value}")
    with checks.at("reason"):
        reason = require(command.reason, "give the reason the risk level changed")
    checks.refuse_if_any()
    return RiskLevelChanged(
        **header(state, now, command.actor),
        from_level=from_level,
        to_level=command.to_level,
        reason=reason,
    )


def _observation(
    state: PlacementState, facts: PlacementFacts, command: RecordObservation, now: datetime
) -> ObservationRecorded:
    checks = FieldChecks()
    with checks.at("category"):
        category = require(command.category, "say what kind of observation this is")
    with checks.at("note_reference_or_text"):
        note = require(
            command.note_reference_or_text, "write the observation or give its log book reference"
        )
        if len(note) > OBSERVATION_MAX_CHARS:
            raise DomainError(
                f"the observation is longer than {OBSERVATION_MAX_CHARS} characters: "
                "keep it short and put the detail in the log book"
            )
    with checks.at("observed_at"):
        in_the_past_since_arrival(command.observed_at, now, facts, "observation")
    checks.refuse_if_any()
    return ObservationRecorded(
        **header(state, now, command.actor),
        category=category,
        note_reference_or_text=note,
        observed_at=command.observed_at,
    )
