"""The steps an adoption may carry, each with the adoption's fields it is read from and how it
is decided: by the rules it is recorded by live (``decide``), with its own date.

Three steps are decided here rather than by the live rules, because what was done before can
differ from what is recorded as it happens: the planning meeting (the latest risk assessment,
all an adoption knows, may be later than it), a restriction (its review date, set at its
latest renewal, may have passed: it is then overdue) and the phone's release (the social
worker confirmed it in writing; the manager records it).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from workflows.domain.adoption_command import AdoptPlacement
from workflows.domain.checks import (
    FieldChecks,
    given,
    in_the_past_since_arrival,
    not_before,
    reference,
    require,
)
from workflows.domain.commands import (
    PlacementCommand,
    RecordLeafletDelivered,
    RecordLookedAfterReview,
    RecordMissingProceduresExplained,
    RecordNrmReferral,
    RecordPhoneReleaseConfirmed,
    RecordRiskAssessment,
    RecordSocialWorkerVisit,
    ReportMissing,
)
from workflows.domain.common import Actor, RestrictionKind, Role
from workflows.domain.decide import decide
from workflows.domain.errors import DomainError, FieldsRefused
from workflows.domain.events import (
    PlacementEvent,
    PlacementFacts,
    PlanningMeetingHeld,
)
from workflows.domain.policy import Policy
from workflows.domain.protection_events import RestrictionImposed
from workflows.domain.restrictions import RESTRICTION_NAMES
from workflows.domain.state import PlacementState
from workflows.domain.stream import header

# How a step is decided: the state so far, the start facts, the adoption, now, the policy.
Decision = Callable[
    [PlacementState, PlacementFacts, AdoptPlacement, datetime, Policy], list[PlacementEvent]
]


@dataclass(frozen=True)
class Step:
    """One step an adoption may carry: done when its date (``when``) is given."""

    what: str
    when: str
    # The live command's (or the event's) field -> the adoption's field it comes from.
    fields: Mapping[str, str]
    decision: Decision

    def adoption_field(self, field: str) -> str:
        return self.fields.get(field, self.when)

    def given(self, command: AdoptPlacement) -> bool:
        return getattr(command, self.when) is not None

    def stray(self, command: AdoptPlacement) -> bool:
        """Whether some of the step's other fields are given although its date is not."""
        return not self.given(command) and any(
            getattr(command, name) not in (None, ())
            for name in self.fields.values()
            if name != self.when
        )


def _live(build: Callable[[AdoptPlacement, PlacementFacts], PlacementCommand]) -> Decision:
    """A step decided by the rules it is recorded by live."""

    def decision(
        state: PlacementState,
        facts: PlacementFacts,
        command: AdoptPlacement,
        now: datetime,
        policy: Policy,
    ) -> list[PlacementEvent]:
        return decide(state, build(command, facts), now=now, policy=policy)

    return decision


def _answer(value: object, field: str, refusal: str) -> None:
    """Refuse a yes/no or a choice left out (a live form asks it as part of the step)."""
    if value is None:
        raise FieldsRefused([(field, refusal)])


def _leaflet(command: AdoptPlacement, facts: PlacementFacts) -> PlacementCommand:
    return RecordLeafletDelivered(
        actor=command.actor,
        language=command.leaflet_language or facts.first_language,
        interpreter_reference=command.leaflet_interpreter_reference,
        child_understanding=command.leaflet_child_understanding,
        delivered_at=_date(command.leaflet_delivered_at),
    )


def _missing_procedures(command: AdoptPlacement, facts: PlacementFacts) -> PlacementCommand:
    return RecordMissingProceduresExplained(
        actor=command.actor,
        explained_at=_date(command.missing_procedures_explained_at),
        interpreter_reference=command.missing_procedures_interpreter_reference,
    )


def _risk_assessment(command: AdoptPlacement, facts: PlacementFacts) -> PlacementCommand:
    _answer(command.risk_level, "level", "give the risk level the latest assessment found")
    _answer(
        command.risk_child_participated,
        "child_participated",
        "say whether the child took part in the risk assessment",
    )
    return RecordRiskAssessment(
        actor=command.actor,
        level=command.risk_level,
        factors=command.risk_factors,
        child_participated=command.risk_child_participated,
        child_views=command.risk_child_views,
        assessed_at=_date(command.risk_assessed_at),
    )


def _review(command: AdoptPlacement, facts: PlacementFacts) -> PlacementCommand:
    return RecordLookedAfterReview(
        actor=command.actor,
        held_at=_date(command.latest_review_held_at),
        chaired_by_iro_reference=command.latest_review_iro_reference,
        child_views=command.latest_review_child_views,
    )


def _visit(command: AdoptPlacement, facts: PlacementFacts) -> PlacementCommand:
    _answer(
        command.latest_visit_child_seen_alone,
        "child_seen_alone",
        "say whether the social worker saw the child alone",
    )
    return RecordSocialWorkerVisit(
        actor=command.actor,
        visited_at=_date(command.latest_visit_at),
        social_worker_reference=(
            command.latest_visit_social_worker_reference or facts.social_worker_reference
        ),
        child_seen_alone=command.latest_visit_child_seen_alone,
    )


def _nrm_referral(command: AdoptPlacement, facts: PlacementFacts) -> PlacementCommand:
    return RecordNrmReferral(
        actor=command.actor,
        referred_at=_date(command.nrm_referred_at),
        referral_reference=command.nrm_referral_reference,
    )


def _phone_release(command: AdoptPlacement, facts: PlacementFacts) -> PlacementCommand:
    # Only the social worker's written confirmation releases the phone: the rule is checked as
    # theirs, and the event is then restamped with the adopting manager, who recorded it.
    return RecordPhoneReleaseConfirmed(
        actor=Actor(role=Role.social_worker, reference=facts.social_worker_reference),
        confirmation_reference=command.phone_release_confirmation_reference,
        confirmed_at=_date(command.phone_released_at),
    )


def _missing_now(command: AdoptPlacement, facts: PlacementFacts) -> PlacementCommand:
    _answer(command.missing_kind, "kind", "say whether the child is missing or away")
    return ReportMissing(
        actor=command.actor,
        kind=command.missing_kind,
        last_seen_at=_date(command.missing_last_seen_at),
        last_seen_place_reference=command.missing_last_seen_place_reference,
        circumstances=command.missing_circumstances,
        clothing_reference=command.missing_clothing_reference,
        known_whereabouts_reference=command.missing_known_whereabouts_reference,
        police_risk_grade=command.missing_police_risk_grade,
    )


def _date(value: datetime | None) -> datetime:
    if value is None:  # a step is decided only when its date is given
        raise AssertionError("a step without its date was decided")
    return value


def _planning_meeting(
    state: PlacementState,
    facts: PlacementFacts,
    command: AdoptPlacement,
    now: datetime,
    policy: Policy,
) -> list[PlacementEvent]:
    # Its own refusal only: a refused assessment is named at its own fields.
    if command.risk_assessed_at is None:
        raise DomainError("give the latest risk assessment too: the planning meeting discussed one")
    checks = FieldChecks()
    present = command.planning_meeting_young_person_present
    with checks.at("young_person_present"):
        if present is None:
            raise DomainError("say whether the young person was at the planning meeting")
    with checks.at("absence_reason"):
        absence = given(command.planning_meeting_absence_reason)
        if present is False and absence is None:
            raise DomainError(
                "the young person should be at the planning meeting: give the reason they were not"
            )
    with checks.at("child_views"):
        views = require(
            command.planning_meeting_child_views,
            "the child's views must be recorded with the planning meeting",
        )
    with checks.at("held_at"):
        in_the_past_since_arrival(
            _date(command.planning_meeting_held_at), now, facts, "planning meeting"
        )
    checks.refuse_if_any()
    return [
        PlanningMeetingHeld(
            **header(state, now, command.actor),
            held_at=_date(command.planning_meeting_held_at),
            young_person_present=bool(present),
            absence_reason=None if present else absence,
            child_views=views,
        )
    ]


def _restriction(kind: RestrictionKind) -> Decision:
    name = RESTRICTION_NAMES[kind]

    def decision(
        state: PlacementState,
        facts: PlacementFacts,
        command: AdoptPlacement,
        now: datetime,
        policy: Policy,
    ) -> list[PlacementEvent]:
        since = _date(getattr(command, f"{kind.value}_restricted_since"))
        review_by: datetime | None = getattr(command, f"{kind.value}_restriction_review_by")
        longest = policy.restriction_review_within.for_kind(kind)
        checks = FieldChecks()
        with checks.at("reason"):
            reason = require(
                getattr(command, f"{kind.value}_restriction_reason"),
                f"give the reason for the {name}",
            )
        with checks.at("starts_at"):
            in_the_past_since_arrival(since, now, facts, f"start of the {name}")
        with checks.at("review_by"):
            if review_by is None:
                raise DomainError(f"give the date the {name} is next to be reviewed")
            not_before(review_by, since, "review date", "the restriction started")
            # Set at its latest review, which was before now: never further off than that.
            if review_by > now + longest:
                raise DomainError(
                    f"the {name} is temporary: its next review cannot be more than "
                    f"{longest.days} days from now"
                )
        with checks.at("contact_person_references"):
            people = tuple(
                reference(person, "a contact person reference is empty", "contact person")
                for person in command.contact_restriction_person_references
            )
        checks.refuse_if_any()
        return [
            RestrictionImposed(
                **header(state, now, command.actor),
                kind=kind,
                reason=reason,
                starts_at=since,
                review_by=_date(review_by),
                contact_person_references=people if kind is RestrictionKind.contact else (),
            )
        ]

    return decision


def _restriction_step(kind: RestrictionKind) -> Step:
    fields = {
        "starts_at": f"{kind.value}_restricted_since",
        "review_by": f"{kind.value}_restriction_review_by",
        "reason": f"{kind.value}_restriction_reason",
    }
    if kind is RestrictionKind.contact:
        fields["contact_person_references"] = "contact_restriction_person_references"
    return Step(RESTRICTION_NAMES[kind], fields["starts_at"], fields, _restriction(kind))


# In the order they are decided: an assessment before the meeting that discussed one.
STEPS = (
    Step(
        "leaflet",
        "leaflet_delivered_at",
        {
            "delivered_at": "leaflet_delivered_at",
            "language": "leaflet_language",
            "interpreter_reference": "leaflet_interpreter_reference",
            "child_understanding": "leaflet_child_understanding",
        },
        _live(_leaflet),
    ),
    Step(
        "missing procedures",
        "missing_procedures_explained_at",
        {
            "explained_at": "missing_procedures_explained_at",
            "interpreter_reference": "missing_procedures_interpreter_reference",
        },
        _live(_missing_procedures),
    ),
    Step(
        "risk assessment",
        "risk_assessed_at",
        {
            "assessed_at": "risk_assessed_at",
            "level": "risk_level",
            "factors": "risk_factors",
            "child_participated": "risk_child_participated",
            "child_views": "risk_child_views",
        },
        _live(_risk_assessment),
    ),
    Step(
        "planning meeting",
        "planning_meeting_held_at",
        {
            "held_at": "planning_meeting_held_at",
            "young_person_present": "planning_meeting_young_person_present",
            "absence_reason": "planning_meeting_absence_reason",
            "child_views": "planning_meeting_child_views",
        },
        _planning_meeting,
    ),
    Step(
        "looked-after reviews",
        "latest_review_held_at",
        {
            "held_at": "latest_review_held_at",
            "chaired_by_iro_reference": "latest_review_iro_reference",
            "child_views": "latest_review_child_views",
        },
        _live(_review),
    ),
    Step(
        "social worker visit",
        "latest_visit_at",
        {
            "visited_at": "latest_visit_at",
            "social_worker_reference": "latest_visit_social_worker_reference",
            "child_seen_alone": "latest_visit_child_seen_alone",
        },
        _live(_visit),
    ),
    Step(
        "NRM referral",
        "nrm_referred_at",
        {"referred_at": "nrm_referred_at", "referral_reference": "nrm_referral_reference"},
        _live(_nrm_referral),
    ),
    Step(
        "phone release",
        "phone_released_at",
        {
            "confirmed_at": "phone_released_at",
            "confirmation_reference": "phone_release_confirmation_reference",
        },
        _live(_phone_release),
    ),
    *(_restriction_step(kind) for kind in RestrictionKind),
    Step(
        "missing now",
        "missing_last_seen_at",
        {
            "last_seen_at": "missing_last_seen_at",
            "kind": "missing_kind",
            "last_seen_place_reference": "missing_last_seen_place_reference",
            "circumstances": "missing_circumstances",
            "clothing_reference": "missing_clothing_reference",
            "known_whereabouts_reference": "missing_known_whereabouts_reference",
            "police_risk_grade": "missing_police_risk_grade",
        },
        _live(_missing_now),
    ),
)
