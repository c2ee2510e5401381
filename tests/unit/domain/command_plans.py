"""Plans of commands and passing time for the property tests, running one the way the
workflow does (raise what is due, then try the next command), and the invariants of a child's
protection that any run keeps (the hostile-text tests in tests/reliability check them too)."""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from hypothesis import strategies as st

from tests.unit.domain.builders import KEY_WORKER, MANAGER, POLICY, SOCIAL_WORKER, start_command
from workflows.domain.commands import (
    ChangeRiskLevel,
    EndPlacement,
    ImposeRestriction,
    LiftRestriction,
    PlacementCommand,
    ProposeVisitor,
    RecordContactAssessment,
    RecordEnquiry,
    RecordFamilyContact,
    RecordLeafletDelivered,
    RecordLookedAfterReview,
    RecordMissingProceduresExplained,
    RecordNrmReferral,
    RecordObservation,
    RecordPhoneReleaseConfirmed,
    RecordPlanningMeeting,
    RecordPoliceAcknowledgement,
    RecordReturn,
    RecordReturnInterview,
    RecordRiskAssessment,
    RecordSocialWorkerVisit,
    RecordSuspiciousActivity,
    RecordUnverifiedVisitAttempt,
    RecordVisit,
    RecordVisitorVerified,
    RenewRestriction,
    ReportMissing,
    RequestContactAssessment,
)
from workflows.domain.common import (
    ContactOutcome,
    EnquiryChannel,
    MissingKind,
    RestrictionKind,
    RiskLevel,
    Role,
)
from workflows.domain.deadlines import next_wake_at
from workflows.domain.decide import decide, escalations_due
from workflows.domain.errors import DomainError
from workflows.domain.events import PlacementEvent
from workflows.domain.protection_events import (
    ChildReturned,
    MissingReported,
    PhoneReleaseConfirmed,
    VisitorVerified,
    VisitRecorded,
)
from workflows.domain.state import PlacementState, evolve, fold, initial_state

ARRIVED = datetime(2026, 12, 21, 17, 0, tzinfo=UTC)
ACTOR = KEY_WORKER
START = start_command(
    arrived_at=ARRIVED, looked_after_since=date(2026, 12, 1), first_language="Pashto"
)

levels = st.sampled_from(list(RiskLevel))
maybe_text = st.sampled_from([None, "", "  ", "given"])
# The level also picks who acts in the protection commands, so role rules are exercised.
ACTORS = {
    RiskLevel.low: ACTOR,
    RiskLevel.medium: MANAGER,
    RiskLevel.high: SOCIAL_WORKER,
}
PROTECTION_KINDS = [
    "missing",
    "away",
    "return",
    "return_interview",
    "police_acknowledgement",
    "enquiry",
    "propose",
    "verify",
    "visit",
    "turned_away",
    "phone",
    "restrict",
    "renew",
    "lift",
    "request_contact",
    "assess_contact",
    "family_contact",
    "suspicious",
]


def protection_command_at(
    kind: str, at: datetime, level: RiskLevel, text: str | None
) -> PlacementCommand | None:
    actor = ACTORS[level]
    restriction = RestrictionKind.contact if level is RiskLevel.medium else RestrictionKind.internet
    commands: dict[str, PlacementCommand] = {
        "missing": ReportMissing(
            actor=actor,
            kind=MissingKind.missing,
            last_seen_at=at,
            last_seen_place_reference="PLACE-1",
            circumstances="did not come back",
            clothing_reference="PHIL-2",
        ),
        "away": ReportMissing(
            actor=actor,
            kind=MissingKind.away_without_authorisation,
            last_seen_at=at,
            last_seen_place_reference="PLACE-1",
            circumstances="with a friend",
            known_whereabouts_reference=text and "WB-1",
        ),
        "return": RecordReturn(
            actor=actor, returned_at=at, found_by_reference="police", where_found_reference="F-1"
        ),
        "return_interview": RecordReturnInterview(
            actor=actor,
            episode_id="pl-0001-M1",
            held_at=at,
            interviewer_reference="rhi-1",
            child_views="wants to stay",
        ),
        "police_acknowledgement": RecordPoliceAcknowledgement(
            actor=actor,
            episode_id="pl-0001-M1",
            police_acknowledged_at=at,
            police_reference=text and "CAD-1",
        ),
        "enquiry": RecordEnquiry(
            actor=actor,
            channel=EnquiryChannel.phone,
            enquirer_reference="caller",
            question="is she there?",
            received_at=at,
        ),
        "propose": ProposeVisitor(
            actor=actor, visitor_reference="VIS-1", stated_relationship="uncle"
        ),
        "verify": RecordVisitorVerified(
            actor=actor,
            visitor_reference="VIS-1",
            interviewed_at=at,
            identity_established=text is not None,
            relationship_established=True,
        ),
        "visit": RecordVisit(actor=actor, visitor_reference="VIS-1", visited_at=at),
        "turned_away": RecordUnverifiedVisitAttempt(
            actor=actor, visitor_reference="VIS-1", attempted_at=at
        ),
        "phone": RecordPhoneReleaseConfirmed(
            actor=actor, confirmation_reference=text, confirmed_at=at
        ),
        "restrict": ImposeRestriction(actor=actor, kind=restriction, reason="risk", starts_at=at),
        "renew": RenewRestriction(actor=actor, kind=restriction, reason="still needed"),
        "lift": LiftRestriction(actor=actor, kind=restriction, reason="reduced", lifted_at=at),
        "request_contact": RequestContactAssessment(
            actor=actor, contact_person_reference="aunt", relationship="aunt"
        ),
        "assess_contact": RecordContactAssessment(
            actor=actor,
            contact_person_reference="aunt",
            outcome=ContactOutcome.safe if text else ContactOutcome.not_safe,
            assessed_at=at,
            assessment_reference="CA-1",
        ),
        "family_contact": RecordFamilyContact(
            actor=actor, contact_person_reference="aunt", means="phone", contact_at=at
        ),
        "suspicious": RecordSuspiciousActivity(
            actor=actor, category="waiting_car", note_reference_or_text="log p.3", observed_at=at
        ),
    }
    return commands.get(kind)


def command_at(kind: str, at: datetime, level: RiskLevel, text: str | None) -> PlacementCommand:
    """A command of `kind`, sometimes complete and sometimes with `text` left out."""
    protection = protection_command_at(kind, at, level, text)
    if protection is not None:
        return protection
    if kind == "leaflet":
        return RecordLeafletDelivered(
            actor=ACTOR,
            language="Pashto",
            interpreter_reference=text,
            child_understanding="understood",
            delivered_at=at,
        )
    if kind == "procedures":
        return RecordMissingProceduresExplained(actor=ACTOR, explained_at=at)
    if kind == "assessment":
        return RecordRiskAssessment(
            actor=ACTOR,
            level=level,
            factors=("phone contact",),
            child_participated=True,
            child_views=text,
            assessed_at=at,
        )
    if kind == "meeting":
        return RecordPlanningMeeting(
            actor=ACTOR,
            held_at=at,
            young_person_present=text is not None,
            absence_reason=None,
            child_views="wants to stay",
        )
    if kind == "review":
        return RecordLookedAfterReview(
            actor=ACTOR, held_at=at, chaired_by_iro_reference=text, child_views="settled"
        )
    if kind == "visit":
        return RecordSocialWorkerVisit(
            actor=ACTOR, visited_at=at, social_worker_reference=text, child_seen_alone=True
        )
    if kind == "nrm":
        return RecordNrmReferral(actor=ACTOR, referred_at=at, referral_reference=text)
    if kind == "level":
        return ChangeRiskLevel(actor=ACTOR, to_level=level, reason=text)
    if kind == "observation":
        return RecordObservation(
            actor=ACTOR, category="phone", note_reference_or_text="log p.1", observed_at=at
        )
    if kind == "end":
        return EndPlacement(actor=ACTOR, reason="moved", ended_at=at)
    return START


# One step of a plan: the hours that pass first, the kind of command, how many hours before
# then it happened, a risk level and a text (or none) for the command to carry.
Plan = list[tuple[int, str, int, RiskLevel, str | None]]
Events = list[PlacementEvent]

steps = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=24 * 20),  # hours that pass first
        st.sampled_from(
            [
                "leaflet",
                "procedures",
                "assessment",
                "meeting",
                "review",
                "visit",
                "nrm",
                "level",
                "observation",
                "end",
                "start",
                *PROTECTION_KINDS,
            ]
        ),
        st.integers(min_value=0, max_value=12),  # how many hours ago it happened
        levels,
        maybe_text,
    ),
    max_size=40,
)


# Protection commands, close together, so episodes, visits and contact have time to happen.
protection_steps = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=72),
        st.sampled_from([*PROTECTION_KINDS, "assessment", "level", "observation"]),
        st.integers(min_value=0, max_value=3),
        levels,
        maybe_text,
    ),
    max_size=50,
)


# A story that reaches every protection event, so each invariant is seen to hold on it too.
FULL_STORY: Plan = [
    (1, "propose", 0, RiskLevel.low, "given"),
    (1, "visit", 0, RiskLevel.low, "given"),
    (0, "turned_away", 0, RiskLevel.low, "given"),
    (1, "verify", 0, RiskLevel.low, "given"),
    (1, "verify", 0, RiskLevel.high, "given"),
    (1, "visit", 0, RiskLevel.low, "given"),
    (1, "missing", 0, RiskLevel.low, "given"),
    (1, "missing", 0, RiskLevel.low, "given"),
    (5, "return", 0, RiskLevel.low, "given"),
    (1, "away", 0, RiskLevel.low, "given"),
    (1, "phone", 0, RiskLevel.low, "given"),
    (1, "phone", 0, RiskLevel.high, None),
    (1, "phone", 0, RiskLevel.high, "given"),
    (1, "phone", 0, RiskLevel.high, "given"),
]


def run(
    plan: Plan, *, refused: tuple[type[Exception], ...] = (DomainError,)
) -> tuple[PlacementState, list[PlacementEvent]]:
    """Drive a placement as the workflow does: raise what is due, then try the command; a
    command that raises one of ``refused`` writes nothing."""
    state = initial_state("pl-0001")
    now = ARRIVED
    history = decide(state, START, now=now, policy=POLICY)
    state = fold(history, state)
    for hours, kind, ago, level, text in plan:
        now += timedelta(hours=hours)
        clock_events = escalations_due(state, now, POLICY)
        state = fold(clock_events, state)
        history.extend(clock_events)
        assert escalations_due(state, now, POLICY) == []
        wake = next_wake_at(state, now, POLICY)
        assert wake is None or wake > now
        try:
            new_events = decide(
                state,
                command_at(kind, now - timedelta(hours=ago), level, text),
                now=now,
                policy=POLICY,
            )
        except refused:
            continue
        # The workflow applies decided events one by one; replay (fold) must agree with it.
        for event in new_events:
            state = evolve(state, event)
        history.extend(new_events)
    return state, history


def one_missing_episode_open_at_most(state: PlacementState, history: Events) -> None:
    open_episodes = 0
    for event in history:
        if isinstance(event, MissingReported):
            open_episodes += 1
        elif isinstance(event, ChildReturned):
            open_episodes -= 1
        assert 0 <= open_episodes <= 1


def phone_released_only_in_writing(state: PlacementState, history: Events) -> None:
    """Released by the social worker's written confirmation, once, and then no longer held."""
    releases = [event for event in history if isinstance(event, PhoneReleaseConfirmed)]
    assert all(
        event.actor.role is Role.social_worker and event.confirmation_reference.strip()
        for event in releases
    )
    assert len(releases) <= 1
    assert state.phone_held is (not releases)


def no_visit_before_the_visitor_is_verified(state: PlacementState, history: Events) -> None:
    """Each visit's visitor was verified first, and by the social worker."""
    verified: set[str] = set()
    for event in history:
        if isinstance(event, VisitorVerified):
            assert event.actor.role is Role.social_worker
            verified.add(event.visitor_reference.casefold())
        if isinstance(event, VisitRecorded):
            assert event.visitor_reference.casefold() in verified


# What holds of a child's protection after any run, however its commands were refused.
PROTECTION_INVARIANTS: dict[str, Callable[[PlacementState, Events], None]] = {
    "at most one missing episode is open at a time": one_missing_episode_open_at_most,
    "the phone is released only by the social worker's written confirmation": (
        phone_released_only_in_writing
    ),
    "no visit is recorded without the visitor verified first": (
        no_visit_before_the_visitor_is_verified
    ),
}
