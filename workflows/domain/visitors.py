"""Location and visitors (R2): enquiries, proposed visitors, verification and visits.

No command answers an enquirer: an enquiry is recorded and routed to the Duty Manager, and
there is no event or field that holds a reply (reg 13(3) allows the address to be withheld).
A visit needs the social worker's verification of the visitor first. Because a refused
command writes nothing, a visit by someone unverified cannot be "recorded and refused" in one
step: `RecordVisit` is refused for them (the worker is told to turn the visitor away), and the
turning away is its own accepted command, `RecordUnverifiedVisitAttempt`, whose event tells
the Duty Manager and the social worker. Refusals never repeat the visitor's reference.
"""

from datetime import datetime

from workflows.domain.checks import (
    FieldChecks,
    happened,
    in_the_past_since_arrival,
    not_before,
    optional_reference,
    reference,
    short_text,
)
from workflows.domain.commands import (
    ProposeVisitor,
    RecordEnquiry,
    RecordUnverifiedVisitAttempt,
    RecordVisit,
    RecordVisitorVerified,
    VisitorCommand,
)
from workflows.domain.common import Role
from workflows.domain.errors import DomainError
from workflows.domain.events import PlacementEvent, PlacementFacts
from workflows.domain.protection_events import (
    EnquiryRecorded,
    UnverifiedVisitAttempted,
    VisitorProposed,
    VisitorVerified,
    VisitRecorded,
)
from workflows.domain.state import PlacementState
from workflows.domain.stream import header


def decide_visitors(
    state: PlacementState, facts: PlacementFacts, command: VisitorCommand, now: datetime
) -> PlacementEvent:
    match command:
        case RecordEnquiry():
            return _enquiry(state, facts, command, now)
        case ProposeVisitor():
            return _propose(state, command, now)
        case RecordVisitorVerified():
            return _verify(state, command, now)
        case RecordVisit():
            return _visit(state, facts, command, now)
        case RecordUnverifiedVisitAttempt():
            return _turned_away(state, facts, command, now)


def _visitor_reference(text: str) -> str:
    return reference(
        text,
        "give a reference for the visitor (a name as given, or a description)",
        "visitor reference",
    )


def _enquiry(
    state: PlacementState, facts: PlacementFacts, command: RecordEnquiry, now: datetime
) -> EnquiryRecorded:
    checks = FieldChecks()
    with checks.at("enquirer_reference"):
        enquirer = reference(
            command.enquirer_reference,
            "say who made the enquiry (a name as given, a number, or a description)",
            "enquirer reference",
        )
    with checks.at("question"):
        question = short_text(command.question, "write what was asked", "question")
    with checks.at("received_at"):
        in_the_past_since_arrival(command.received_at, now, facts, "enquiry")
    checks.refuse_if_any()
    return EnquiryRecorded(
        **header(state, now, command.actor),
        channel=command.channel,
        enquirer_reference=enquirer,
        question=question,
        received_at=command.received_at,
    )


def _propose(state: PlacementState, command: ProposeVisitor, now: datetime) -> VisitorProposed:
    checks = FieldChecks()
    with checks.at("visitor_reference"):
        visitor_reference = _visitor_reference(command.visitor_reference)
    with checks.at("stated_relationship"):
        relationship = short_text(
            command.stated_relationship,
            "say what relationship to the child the visitor claims",
            "stated relationship",
        )
    # Whether the visitor is known is asked only of a valid reference.
    checks.refuse_if_any()
    known = state.visitor(visitor_reference)
    if known is not None:
        raise DomainError(
            "this visitor is already verified"
            if known.verified
            else "this visitor is already proposed and waiting for the social worker"
        )
    return VisitorProposed(
        **header(state, now, command.actor),
        visitor_reference=visitor_reference,
        stated_relationship=relationship,
    )


def _verify(
    state: PlacementState, command: RecordVisitorVerified, now: datetime
) -> VisitorVerified:
    if command.actor.role is not Role.social_worker:
        raise DomainError(
            "only the child's social worker can verify a visitor, after interviewing them"
        )
    visitor = state.visitor(_visitor_reference(command.visitor_reference))
    if visitor is None:
        raise DomainError("this visitor has not been proposed: propose the visitor first")
    if visitor.verified:
        raise DomainError("this visitor is already verified")
    if not (command.identity_established and command.relationship_established):
        raise DomainError(
            "a visitor is verified only once the interview established both who they are and "
            "their relationship to the child: until then they stay unverified and may not visit"
        )
    checks = FieldChecks()
    with checks.at("interviewed_at"):
        happened(command.interviewed_at, now, "interview")
    with checks.at("police_check_reference"):
        police_check = optional_reference(command.police_check_reference, "police check reference")
    with checks.at("immigration_check_reference"):
        immigration_check = optional_reference(
            command.immigration_check_reference, "immigration check reference"
        )
    checks.refuse_if_any()
    return VisitorVerified(
        **header(state, now, command.actor),
        visitor_reference=visitor.visitor_reference,
        interviewed_at=command.interviewed_at,
        police_check_reference=police_check,
        immigration_check_reference=immigration_check,
    )


def _visit(
    state: PlacementState, facts: PlacementFacts, command: RecordVisit, now: datetime
) -> VisitRecorded:
    visitor = state.visitor(_visitor_reference(command.visitor_reference))
    if visitor is None or visitor.verified_at is None:
        raise DomainError(
            "this visitor has not been verified by the social worker, so the visit may not go "
            "ahead: turn the visitor away and record the attempt as an unverified visit "
            "attempt, so the Duty Manager and the social worker are told"
        )
    in_the_past_since_arrival(command.visited_at, now, facts, "visit")
    not_before(
        command.visited_at, visitor.verified_at, "visit", "the social worker verified the visitor"
    )
    return VisitRecorded(
        **header(state, now, command.actor),
        visitor_reference=visitor.visitor_reference,
        visited_at=command.visited_at,
    )


def _turned_away(
    state: PlacementState,
    facts: PlacementFacts,
    command: RecordUnverifiedVisitAttempt,
    now: datetime,
) -> UnverifiedVisitAttempted:
    visitor_reference = _visitor_reference(command.visitor_reference)
    visitor = state.visitor(visitor_reference)
    if visitor is not None and visitor.verified:
        raise DomainError("this visitor is verified: record the visit instead")
    in_the_past_since_arrival(command.attempted_at, now, facts, "attempted visit")
    return UnverifiedVisitAttempted(
        **header(state, now, command.actor),
        visitor_reference=visitor_reference if visitor is None else visitor.visitor_reference,
        attempted_at=command.attempted_at,
        visitor_was_proposed=visitor is not None,
    )
