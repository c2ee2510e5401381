"""Location and visitors (R2): enquiries go to the Duty Manager and are never answered; no
visit before the social worker has verified the visitor; an unverified visitor is escalated."""

import typing

from tests.unit.domain.builders import (
    ARRIVED,
    HOUR,
    KEY_WORKER,
    NOW,
    SOCIAL_WORKER,
    apply,
    decided,
    refusal,
    started,
)
from workflows.domain.commands import (
    ProposeVisitor,
    RecordEnquiry,
    RecordUnverifiedVisitAttempt,
    RecordVisit,
    RecordVisitorVerified,
)
from workflows.domain.common import EnquiryChannel, Role
from workflows.domain.events import PlacementEvent
from workflows.domain.notices import notices_for
from workflows.domain.protection_events import (
    EnquiryRecorded,
    UnverifiedVisitAttempted,
    VisitorVerified,
    VisitRecorded,
)
from workflows.domain.state import PlacementState

VISITOR = "VIS-9 man calling himself uncle"


def enquiry(**changes: object) -> RecordEnquiry:
    fields: dict[str, object] = {
        "actor": KEY_WORKER,
        "channel": EnquiryChannel.phone,
        "enquirer_reference": "withheld number, male voice",
        "question": "asked if the girl from Eritrea lives here",
        "received_at": NOW - HOUR,
    }
    return RecordEnquiry.model_validate(fields | changes)


def propose(visitor: str = VISITOR) -> ProposeVisitor:
    return ProposeVisitor(actor=KEY_WORKER, visitor_reference=visitor, stated_relationship="uncle")


def verify(**changes: object) -> RecordVisitorVerified:
    fields: dict[str, object] = {
        "actor": SOCIAL_WORKER,
        "visitor_reference": VISITOR,
        "interviewed_at": NOW - HOUR,
        "identity_established": True,
        "relationship_established": True,
        "immigration_check_reference": "HO-CHK-12",
    }
    return RecordVisitorVerified.model_validate(fields | changes)


def visit(visitor: str = VISITOR) -> RecordVisit:
    return RecordVisit(actor=KEY_WORKER, visitor_reference=visitor, visited_at=NOW)


def turned_away(visitor: str = VISITOR) -> RecordUnverifiedVisitAttempt:
    return RecordUnverifiedVisitAttempt(
        actor=KEY_WORKER, visitor_reference=visitor, attempted_at=NOW
    )


def proposed() -> PlacementState:
    return apply(started(), propose())


def verified() -> PlacementState:
    return apply(proposed(), verify())


def recipients(state: PlacementState, event: PlacementEvent) -> dict[Role, str]:
    return {n.recipient: n.purpose for n in notices_for(state, event)}


# Enquiries


def test_an_enquiry_is_recorded_and_routed_to_the_duty_manager() -> None:
    (event,) = decided(started(), enquiry())
    assert isinstance(event, EnquiryRecorded)
    assert recipients(apply(started(), enquiry()), event) == {Role.duty_manager: "enquiry_recorded"}
    assert apply(started(), enquiry()).enquiry_count == 1


def test_there_is_no_way_to_answer_an_enquirer() -> None:
    fields = set(EnquiryRecorded.model_fields) | set(RecordEnquiry.model_fields)
    assert not {name for name in fields if "answer" in name or "reply" in name or "told" in name}


def test_an_enquiry_needs_who_asked_and_what() -> None:
    assert refusal(started(), enquiry(enquirer_reference=" ")) == (
        "say who made the enquiry (a name as given, a number, or a description)"
    )
    assert refusal(started(), enquiry(question=None)) == "write what was asked"


def test_an_enquiry_before_arrival_is_refused() -> None:
    assert refusal(started(), enquiry(received_at=ARRIVED - HOUR)) == (
        "the enquiry cannot be before the child arrived: check the date and time"
    )


# Proposed visitors and verification


def test_a_proposed_visitor_is_pending_and_the_social_worker_is_asked_to_verify() -> None:
    (event,) = decided(started(), propose())
    visitor = proposed().visitor(VISITOR)
    assert visitor is not None
    assert not visitor.verified
    assert recipients(proposed(), event) == {Role.social_worker: "visitor_verification_needed"}


def test_a_visitor_proposed_twice_is_refused() -> None:
    assert refusal(proposed(), propose(VISITOR.upper())) == (
        "this visitor is already proposed and waiting for the social worker"
    )
    assert refusal(verified(), propose()) == "this visitor is already verified"


def test_a_proposal_needs_the_stated_relationship() -> None:
    command = ProposeVisitor(actor=KEY_WORKER, visitor_reference=VISITOR, stated_relationship="")
    assert refusal(started(), command) == "say what relationship to the child the visitor claims"


def test_only_the_social_worker_verifies_a_visitor() -> None:
    for actor in (KEY_WORKER, SOCIAL_WORKER.model_copy(update={"role": Role.registered_manager})):
        assert refusal(proposed(), verify(actor=actor)) == (
            "only the child's social worker can verify a visitor, after interviewing them"
        )
    (event,) = decided(proposed(), verify())
    assert isinstance(event, VisitorVerified)
    assert event.actor == SOCIAL_WORKER


def test_verification_needs_identity_and_relationship_established() -> None:
    for missing in ("identity_established", "relationship_established"):
        message = refusal(proposed(), verify(**{missing: False}))
        assert message.startswith("a visitor is verified only once the interview established")


def test_a_visitor_never_proposed_cannot_be_verified() -> None:
    assert refusal(started(), verify()) == (
        "this visitor has not been proposed: propose the visitor first"
    )


# Visits


def test_a_verified_visitor_may_visit() -> None:
    (event,) = decided(verified(), visit())
    assert isinstance(event, VisitRecorded)
    assert apply(verified(), visit()).visit_count == 1


def test_a_visit_by_an_unverified_visitor_is_refused_and_says_to_record_the_attempt() -> None:
    for state in (started(), proposed()):
        message = refusal(state, visit())
        assert message.startswith(
            "this visitor has not been verified by the social worker, so the visit may not go ahead"
        )
        assert "record the attempt" in message
        assert VISITOR not in message


def test_the_turned_away_visitor_is_escalated_to_the_duty_manager_and_social_worker() -> None:
    for state, was_proposed in ((started(), False), (proposed(), True)):
        (event,) = decided(state, turned_away())
        assert isinstance(event, UnverifiedVisitAttempted)
        assert event.visitor_was_proposed is was_proposed
        assert recipients(apply(state, turned_away()), event) == {
            Role.duty_manager: "unverified_visit_attempted",
            Role.social_worker: "unverified_visit_attempted",
        }


def test_a_verified_visitor_is_not_recorded_as_turned_away() -> None:
    assert refusal(verified(), turned_away()) == (
        "this visitor is verified: record the visit instead"
    )


def test_a_visit_before_the_verification_is_refused() -> None:
    command = RecordVisit(actor=KEY_WORKER, visitor_reference=VISITOR, visited_at=NOW - 2 * HOUR)
    assert refusal(verified(), command) == (
        "the visit cannot be before the social worker verified the visitor: check the date and time"
    )


def test_no_command_can_answer_with_the_location() -> None:
    from workflows.domain.commands import PlacementCommand

    (union,) = typing.get_args(PlacementCommand)[:1]
    names = {
        name
        for model in typing.get_args(union)
        for name in model.model_fields
        if any(word in name for word in ("answer", "reply", "disclos", "address", "location"))
    }
    assert names == set()
