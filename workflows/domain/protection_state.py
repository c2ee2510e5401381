"""The state of a child's protection, and its fold: missing episodes (R5), visitors (R2),
restrictions in force (R6, R12, R18) and contact assessments (R10).

Part of `state.PlacementState`, which folds every protection event through
`protection_changes`. Where a child was last seen or found stays in the events (the audit
trail), so no query can show it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from workflows.domain.common import (
    Actor,
    ContactOutcome,
    MissingKind,
    Ordinal,
    PoliceRiskGrade,
    RestrictionKind,
    Role,
)
from workflows.domain.protection_events import (
    ChildReturned,
    ContactAssessed,
    ContactAssessmentRequested,
    EnquiryRecorded,
    FamilyContactRecorded,
    MissingEvent,
    MissingReported,
    PhilomenaProfileRecorded,
    PhoneReleaseConfirmed,
    PoliceAcknowledged,
    ProtectionEvent,
    RestrictionEvent,
    RestrictionImposed,
    RestrictionLifted,
    RestrictionRenewed,
    ReturnInterviewHeld,
    SuspiciousActivityRecorded,
    UnverifiedVisitAttempted,
    VisitorEvent,
    VisitorProposed,
    VisitorVerified,
    VisitRecorded,
)

if TYPE_CHECKING:
    # Only for annotations: the placement state holds these records and calls this fold.
    from workflows.domain.state import PlacementState


class MissingEpisode(BaseModel):
    """One episode as the state keeps it: times and grades only. Where the child was last seen
    or found stays in the events (the audit trail), so no query can show it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    number: Ordinal
    episode_id: str
    kind: MissingKind
    reported_at: datetime
    last_seen_at: datetime
    police_risk_grade: PoliceRiskGrade | None = None
    returned_at: datetime | None = None
    return_interview_held_at: datetime | None = None
    # When the police acknowledged the episode, and their crime or CAD reference.
    police_acknowledged_at: datetime | None = None
    police_reference: str | None = None

    @property
    def open(self) -> bool:
        return self.returned_at is None


class PhilomenaProfile(BaseModel):
    """The Philomena Protocol profile, part 1, as last recorded, with when and by whom: the
    police's notice of a missing episode carries it (``activities.notifications``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    physical_description: str
    photograph_references: tuple[str, ...] = ()
    clothing_references: tuple[str, ...] = ()
    known_associate_references: tuple[str, ...] = ()
    known_place_references: tuple[str, ...] = ()
    profile_recorded_at: datetime
    profile_recorded_by: Actor


class Visitor(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    visitor_reference: str
    stated_relationship: str
    proposed_at: datetime
    verified_at: datetime | None = None

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


class Restriction(BaseModel):
    """A restriction in force. Each imposition or renewal numbers its review clock anew
    ("restriction_review:4"), so escalations of an earlier review never count for this one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: RestrictionKind
    reason: str
    starts_at: datetime
    review_by: datetime
    imposed_by: Role
    review_number: Ordinal
    contact_person_references: tuple[str, ...] = ()


class ContactAssessment(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    number: Ordinal
    contact_person_reference: str
    relationship: str
    requested_at: datetime
    outcome: ContactOutcome | None = None
    assessed_at: datetime | None = None


# What the event and the state's profile share: the profile part 1 itself.
_PROFILE_FIELDS = set(PhilomenaProfile.model_fields) - {
    "profile_recorded_at",
    "profile_recorded_by",
}


def protection_changes(state: PlacementState, event: ProtectionEvent) -> dict[str, object]:
    """The fields of `state` that `event` changes."""
    if isinstance(event, RestrictionEvent):
        return _restriction_changes(state, event)
    return _missing_and_visitor_changes(state, event)


def _risk_review_requested(state: PlacementState, at: datetime) -> datetime:
    """The earliest open concern: a later one never pushes the brought-forward review back."""
    current = state.risk_review_requested_at
    return at if current is None else min(current, at)


def _replace_episode(state: PlacementState, episode_id: str, **changes: object) -> object:
    return tuple(
        episode.model_copy(update=changes) if episode.episode_id == episode_id else episode
        for episode in state.missing_episodes
    )


def _missing_and_visitor_changes(
    state: PlacementState, event: MissingEvent | VisitorEvent
) -> dict[str, object]:
    match event:
        case MissingReported():
            episode = MissingEpisode(
                number=len(state.missing_episodes) + 1,
                episode_id=event.episode_id,
                kind=event.kind,
                reported_at=event.occurred_at,
                last_seen_at=event.last_seen_at,
                police_risk_grade=event.police_risk_grade,
            )
            return {"missing_episodes": (*state.missing_episodes, episode)}
        case PhilomenaProfileRecorded():
            profile = PhilomenaProfile(
                **event.model_dump(include=_PROFILE_FIELDS),
                profile_recorded_at=event.occurred_at,
                profile_recorded_by=event.actor,
            )
            return {"philomena_profile": profile}
        case ChildReturned():
            return {
                "missing_episodes": _replace_episode(
                    state, event.episode_id, returned_at=event.returned_at
                ),
                "risk_review_requested_at": _risk_review_requested(state, event.occurred_at),
            }
        case ReturnInterviewHeld():
            return {
                "missing_episodes": _replace_episode(
                    state, event.episode_id, return_interview_held_at=event.held_at
                )
            }
        case PoliceAcknowledged():
            return {
                "missing_episodes": _replace_episode(
                    state,
                    event.episode_id,
                    police_acknowledged_at=event.police_acknowledged_at,
                    police_reference=event.police_reference,
                )
            }
        case EnquiryRecorded():
            return {"enquiry_count": state.enquiry_count + 1}
        case VisitorProposed():
            visitor = Visitor(
                visitor_reference=event.visitor_reference,
                stated_relationship=event.stated_relationship,
                proposed_at=event.occurred_at,
            )
            return {"visitors": (*state.visitors, visitor)}
        case VisitorVerified():
            wanted = event.visitor_reference.casefold()
            return {
                "visitors": tuple(
                    v.model_copy(update={"verified_at": event.interviewed_at})
                    if v.visitor_reference.casefold() == wanted
                    else v
                    for v in state.visitors
                )
            }
        case VisitRecorded():
            return {"visit_count": state.visit_count + 1}
        case UnverifiedVisitAttempted():
            return {"unverified_visit_attempts": state.unverified_visit_attempts + 1}


def _restriction_changes(state: PlacementState, event: RestrictionEvent) -> dict[str, object]:
    match event:
        case PhoneReleaseConfirmed():
            return {"phone_held": False, "phone_release_reference": event.confirmation_reference}
        case RestrictionImposed():
            number = state.restriction_review_sequence + 1
            restriction = Restriction(
                kind=event.kind,
                reason=event.reason,
                starts_at=event.starts_at,
                review_by=event.review_by,
                imposed_by=event.actor.role,
                review_number=number,
                contact_person_references=event.contact_person_references,
            )
            others = [r for r in state.restrictions if r.kind is not event.kind]
            return {
                "restrictions": tuple(sorted([*others, restriction], key=lambda r: r.kind.value)),
                "restriction_review_sequence": number,
            }
        case RestrictionRenewed():
            number = state.restriction_review_sequence + 1
            renewed = {
                "reason": event.reason,
                "review_by": event.review_by,
                "review_number": number,
            }
            return {
                "restrictions": tuple(
                    r.model_copy(update=renewed) if r.kind is event.kind else r
                    for r in state.restrictions
                ),
                "restriction_review_sequence": number,
            }
        case RestrictionLifted():
            return {
                "restrictions": tuple(r for r in state.restrictions if r.kind is not event.kind)
            }
        case ContactAssessmentRequested():
            assessment = ContactAssessment(
                number=len(state.contact_assessments) + 1,
                contact_person_reference=event.contact_person_reference,
                relationship=event.relationship,
                requested_at=event.occurred_at,
            )
            return {"contact_assessments": (*state.contact_assessments, assessment)}
        case ContactAssessed():
            latest = state.latest_contact_assessment(event.contact_person_reference)
            assessed_number = None if latest is None else latest.number
            outcome = {"outcome": event.outcome, "assessed_at": event.assessed_at}
            return {
                "contact_assessments": tuple(
                    a.model_copy(update=outcome) if a.number == assessed_number else a
                    for a in state.contact_assessments
                )
            }
        case FamilyContactRecorded():
            return {"family_contact_count": state.family_contact_count + 1}
        case SuspiciousActivityRecorded():
            return {
                "suspicious_activity_count": state.suspicious_activity_count + 1,
                "risk_review_requested_at": _risk_review_requested(state, event.occurred_at),
            }
