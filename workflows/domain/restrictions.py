"""Restrictions (R6, R10, R11, R12, R18) and vigilance (R7).

- The phone is held from arrival (policy default); only the social worker's written
  confirmation, with its reference, releases it: no other command changes `phone_held`.
- Internet, supervision and contact restrictions are temporary by construction: each has a
  review date no later than the policy allows, and its review clock runs until it is renewed
  (with a new date) or lifted. Only the Registered Manager restricts contact (R18).
- Family and friends contact needs an assessment that found it safe, and no contact
  restriction forbidding it.
- Suspicious activity goes to the Duty Manager at once and brings the next risk review forward.
"""

from datetime import datetime, timedelta

from workflows.domain.checks import (
    FieldChecks,
    happened,
    in_the_past_since_arrival,
    not_before,
    reference,
    require,
    short_text,
)
from workflows.domain.commands import (
    ImposeRestriction,
    LiftRestriction,
    RecordContactAssessment,
    RecordFamilyContact,
    RecordPhoneReleaseConfirmed,
    RecordSuspiciousActivity,
    RenewRestriction,
    RequestContactAssessment,
    RestrictionCommand,
)
from workflows.domain.common import Actor, ContactOutcome, RestrictionKind, Role
from workflows.domain.errors import DomainError
from workflows.domain.events import PlacementEvent, PlacementFacts
from workflows.domain.policy import Policy
from workflows.domain.protection_events import (
    ContactAssessed,
    ContactAssessmentRequested,
    FamilyContactRecorded,
    PhoneReleaseConfirmed,
    RestrictionImposed,
    RestrictionLifted,
    RestrictionRenewed,
    SuspiciousActivityRecorded,
)
from workflows.domain.protection_state import Restriction
from workflows.domain.state import PlacementState
from workflows.domain.stream import header

RESTRICTION_NAMES = {
    RestrictionKind.internet: "internet and social media restriction",
    RestrictionKind.supervision: "supervision advice (not to go out unsupervised)",
    RestrictionKind.contact: "contact restriction",
}


def decide_restrictions(
    state: PlacementState,
    facts: PlacementFacts,
    command: RestrictionCommand,
    now: datetime,
    policy: Policy,
) -> PlacementEvent:
    match command:
        case RecordPhoneReleaseConfirmed():
            return _phone_release(state, facts, command, now)
        case ImposeRestriction():
            return _impose(state, facts, command, now, policy)
        case RenewRestriction():
            return _renew(state, command, now, policy)
        case LiftRestriction():
            return _lift(state, command, now)
        case RequestContactAssessment():
            return _request_assessment(state, command, now)
        case RecordContactAssessment():
            return _assessment(state, command, now)
        case RecordFamilyContact():
            return _family_contact(state, facts, command, now)
        case RecordSuspiciousActivity():
            return _suspicious_activity(state, facts, command, now)


def _phone_release(
    state: PlacementState,
    facts: PlacementFacts,
    command: RecordPhoneReleaseConfirmed,
    now: datetime,
) -> PhoneReleaseConfirmed:
    if command.actor.role is not Role.social_worker:
        raise DomainError(
            "only the social worker can release the phone, by confirming in writing that the "
            "risks are reduced"
        )
    if not state.phone_held:
        raise DomainError("the child's phone is not held by staff: there is nothing to release")
    checks = FieldChecks()
    with checks.at("confirmation_reference"):
        confirmation = reference(
            command.confirmation_reference,
            "give the reference of the social worker's written confirmation "
            "(for example the e-mail's date and sender)",
            "confirmation reference",
        )
    with checks.at("confirmed_at"):
        in_the_past_since_arrival(command.confirmed_at, now, facts, "written confirmation")
    checks.refuse_if_any()
    return PhoneReleaseConfirmed(
        **header(state, now, command.actor),
        confirmation_reference=confirmation,
        confirmed_at=command.confirmed_at,
    )


def _only_registered_manager_for_contact(kind: RestrictionKind, actor: Actor) -> None:
    if kind is RestrictionKind.contact and actor.role is not Role.registered_manager:
        raise DomainError(
            "only the Registered Manager can restrict the child's contact, or change or lift "
            "that restriction (R18)"
        )


def _review_by(
    given_review_by: datetime | None,
    from_time: datetime,
    now: datetime,
    kind: RestrictionKind,
    policy: Policy,
) -> datetime:
    """The review date: the policy's period when not given, never later than it."""
    longest = policy.restriction_review_within.for_kind(kind)
    review_by = from_time + longest if given_review_by is None else given_review_by
    if review_by > from_time + longest:
        raise DomainError(
            f"the {RESTRICTION_NAMES[kind]} is temporary: set a review date no more than "
            f"{_in_days(longest)} after it starts or is renewed"
        )
    if review_by <= now:
        raise DomainError("the review date has already passed: set a review date in the future")
    return review_by


def _in_days(period: timedelta) -> str:
    days = period / timedelta(days=1)
    return f"{days:g} days" if days != 1 else "1 day"


def _in_force(state: PlacementState, kind: RestrictionKind, doing: str) -> Restriction:
    restriction = state.restriction(kind)
    if restriction is None:
        raise DomainError(f"there is no {RESTRICTION_NAMES[kind]} in force to {doing}")
    return restriction


def _impose(
    state: PlacementState,
    facts: PlacementFacts,
    command: ImposeRestriction,
    now: datetime,
    policy: Policy,
) -> RestrictionImposed:
    kind = command.kind
    _only_registered_manager_for_contact(kind, command.actor)
    if state.restriction(kind) is not None:
        raise DomainError(f"the {RESTRICTION_NAMES[kind]} is already in force: renew it or lift it")
    checks = FieldChecks()
    with checks.at("reason"):
        reason = require(command.reason, f"give the reason for the {RESTRICTION_NAMES[kind]}")
    with checks.at("contact_person_references"):
        people = tuple(
            reference(person, "a contact person reference is empty", "contact person reference")
            for person in command.contact_person_references
        )
        if people and kind is not RestrictionKind.contact:
            raise DomainError("only a contact restriction names the people it applies to")
    with checks.at("starts_at"):
        in_the_past_since_arrival(command.starts_at, now, facts, "start of the restriction")
    with checks.at("review_by"):
        review_by = _review_by(command.review_by, command.starts_at, now, kind, policy)
    checks.refuse_if_any()
    return RestrictionImposed(
        **header(state, now, command.actor),
        kind=kind,
        reason=reason,
        starts_at=command.starts_at,
        review_by=review_by,
        contact_person_references=people,
    )


def _renew(
    state: PlacementState, command: RenewRestriction, now: datetime, policy: Policy
) -> RestrictionRenewed:
    kind = command.kind
    _only_registered_manager_for_contact(kind, command.actor)
    _in_force(state, kind, "renew")
    checks = FieldChecks()
    with checks.at("reason"):
        reason = require(
            command.reason, f"give the reason the {RESTRICTION_NAMES[kind]} is still needed"
        )
    with checks.at("review_by"):
        review_by = _review_by(command.review_by, now, now, kind, policy)
    checks.refuse_if_any()
    return RestrictionRenewed(
        **header(state, now, command.actor), kind=kind, reason=reason, review_by=review_by
    )


def _lift(state: PlacementState, command: LiftRestriction, now: datetime) -> RestrictionLifted:
    kind = command.kind
    _only_registered_manager_for_contact(kind, command.actor)
    restriction = _in_force(state, kind, "lift")
    checks = FieldChecks()
    with checks.at("reason"):
        reason = require(command.reason, f"give the reason the {RESTRICTION_NAMES[kind]} is lifted")
    with checks.at("lifted_at"):
        happened(command.lifted_at, now, "lifting of the restriction")
        if command.lifted_at < restriction.starts_at:
            raise DomainError(
                "a restriction cannot be lifted before it started: check the date and time"
            )
    checks.refuse_if_any()
    return RestrictionLifted(
        **header(state, now, command.actor), kind=kind, reason=reason, lifted_at=command.lifted_at
    )


def _person(text: str) -> str:
    return reference(
        text,
        "give a reference for the family member or friend (a name as given, or a description)",
        "contact person reference",
    )


def _request_assessment(
    state: PlacementState, command: RequestContactAssessment, now: datetime
) -> ContactAssessmentRequested:
    checks = FieldChecks()
    with checks.at("contact_person_reference"):
        person = _person(command.contact_person_reference)
    with checks.at("relationship"):
        relationship = short_text(
            command.relationship, "say how the person is related to the child", "relationship"
        )
    # Which assessment is asked about is known only from a valid reference.
    checks.refuse_if_any()
    latest = state.latest_contact_assessment(person)
    if latest is not None and latest.outcome is None:
        raise DomainError(
            "an assessment of contact with this person is already requested and not yet recorded"
        )
    return ContactAssessmentRequested(
        **header(state, now, command.actor),
        contact_person_reference=person,
        relationship=relationship,
    )


def _assessment(
    state: PlacementState, command: RecordContactAssessment, now: datetime
) -> ContactAssessed:
    person = _person(command.contact_person_reference)
    latest = state.latest_contact_assessment(person)
    if latest is None or latest.outcome is not None:
        raise DomainError(
            "no assessment of contact with this person is waiting: request an assessment first"
        )
    checks = FieldChecks()
    with checks.at("assessed_at"):
        happened(command.assessed_at, now, "contact assessment")
        not_before(command.assessed_at, latest.requested_at, "assessment", "it was requested")
    with checks.at("assessment_reference"):
        assessment_reference = reference(
            command.assessment_reference,
            "give the reference of the assessment record",
            "assessment reference",
        )
    checks.refuse_if_any()
    return ContactAssessed(
        **header(state, now, command.actor),
        contact_person_reference=latest.contact_person_reference,
        outcome=command.outcome,
        assessed_at=command.assessed_at,
        assessment_reference=assessment_reference,
    )


def _family_contact(
    state: PlacementState, facts: PlacementFacts, command: RecordFamilyContact, now: datetime
) -> FamilyContactRecorded:
    person = _person(command.contact_person_reference)
    latest = state.latest_contact_assessment(person)
    if latest is None:
        raise DomainError(
            "contact with this person has not been assessed: request an assessment, and "
            "record contact only once it found contact safe"
        )
    if latest.outcome is None or latest.assessed_at is None:
        raise DomainError(
            "the assessment of contact with this person is not finished: contact is allowed "
            "only once it found contact safe"
        )
    if latest.outcome is ContactOutcome.not_safe:
        raise DomainError("the assessment found contact with this person not safe")
    restriction = state.restriction(RestrictionKind.contact)
    if restriction is not None and _restricts(restriction, person):
        raise DomainError(
            "a contact restriction imposed by the Registered Manager forbids this contact "
            "until it is lifted"
        )
    in_the_past_since_arrival(command.contact_at, now, facts, "contact")
    not_before(command.contact_at, latest.assessed_at, "contact", "the assessment found it safe")
    return FamilyContactRecorded(
        **header(state, now, command.actor),
        contact_person_reference=latest.contact_person_reference,
        means=command.means,
        contact_at=command.contact_at,
    )


def _restricts(restriction: Restriction, person: str) -> bool:
    named = {reference.casefold() for reference in restriction.contact_person_references}
    return not named or person.casefold() in named


def _suspicious_activity(
    state: PlacementState, facts: PlacementFacts, command: RecordSuspiciousActivity, now: datetime
) -> SuspiciousActivityRecorded:
    checks = FieldChecks()
    with checks.at("note_reference_or_text"):
        note = short_text(
            command.note_reference_or_text,
            "write what was seen or heard, or give its log book reference",
            "note",
        )
    with checks.at("observed_at"):
        in_the_past_since_arrival(command.observed_at, now, facts, "suspicious activity")
    checks.refuse_if_any()
    return SuspiciousActivityRecorded(
        **header(state, now, command.actor),
        category=command.category,
        note_reference_or_text=note,
        observed_at=command.observed_at,
    )
