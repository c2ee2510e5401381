"""Restrictions (R6, R10, R11, R12, R18) and vigilance (R7): the phone held until the social
worker confirms in writing; temporary restrictions with review clocks; contact only once
assessed safe and not restricted; suspicious activity to the Duty Manager at once."""

from datetime import timedelta

from tests.unit.domain.builders import (
    ARRIVED,
    DUTY_MANAGER,
    HOUR,
    KEY_WORKER,
    MANAGER,
    NOW,
    POLICY,
    SOCIAL_WORKER,
    apply,
    decided,
    refusal,
    run_clock,
    started,
    steps_for,
)
from workflows.domain.calendar import add_working_days
from workflows.domain.commands import (
    ImposeRestriction,
    LiftRestriction,
    RecordContactAssessment,
    RecordFamilyContact,
    RecordPhoneReleaseConfirmed,
    RecordRiskAssessment,
    RecordSuspiciousActivity,
    RenewRestriction,
    RequestContactAssessment,
)
from workflows.domain.common import ContactOutcome, RestrictionKind, RiskLevel, Role
from workflows.domain.deadlines import due
from workflows.domain.notices import notices_for
from workflows.domain.policy import Policy
from workflows.domain.protection_events import SuspiciousActivityRecorded
from workflows.domain.state import PlacementState
from workflows.domain.summary import handover_summary

DAY = timedelta(days=1)
AUNT = "aunt in Leeds (case file p.4)"


# R11: the phone


def release(**changes: object) -> RecordPhoneReleaseConfirmed:
    fields: dict[str, object] = {
        "actor": SOCIAL_WORKER,
        "confirmation_reference": "e-mail 2026-03-04 14:02 from social worker sw-3301",
        "confirmed_at": NOW - HOUR,
    }
    return RecordPhoneReleaseConfirmed.model_validate(fields | changes)


def test_the_phone_is_held_from_arrival_by_default() -> None:
    assert started().phone_held is True
    assert handover_summary(started(), NOW, POLICY).phone_held is True


def test_a_policy_may_leave_the_phone_with_the_child() -> None:
    policy = Policy(phone_held_from_arrival=False)
    assert started(policy).phone_held is False


def test_only_the_social_workers_written_confirmation_releases_the_phone() -> None:
    state = apply(started(), release())
    assert (state.phone_held, state.phone_release_reference) == (
        False,
        "e-mail 2026-03-04 14:02 from social worker sw-3301",
    )
    (event,) = decided(started(), release())
    assert {n.recipient for n in notices_for(state, event)} == {Role.key_worker}


def test_no_one_else_can_release_the_phone() -> None:
    for actor in (KEY_WORKER, MANAGER, DUTY_MANAGER):
        assert refusal(started(), release(actor=actor)) == (
            "only the social worker can release the phone, by confirming in writing that the "
            "risks are reduced"
        )


def test_a_release_needs_the_written_confirmations_reference() -> None:
    assert refusal(started(), release(confirmation_reference="")) == (
        "give the reference of the social worker's written confirmation "
        "(for example the e-mail's date and sender)"
    )


def test_a_phone_not_held_cannot_be_released() -> None:
    assert refusal(apply(started(), release()), release()) == (
        "the child's phone is not held by staff: there is nothing to release"
    )


# R6, R12, R18: restrictions


def impose(
    kind: RestrictionKind = RestrictionKind.internet, **changes: object
) -> ImposeRestriction:
    fields: dict[str, object] = {
        "actor": MANAGER,
        "kind": kind,
        "reason": "contacted by an unknown adult on social media",
        "starts_at": NOW - HOUR,
    }
    return ImposeRestriction.model_validate(fields | changes)


def restricted(
    kind: RestrictionKind = RestrictionKind.internet, **changes: object
) -> PlacementState:
    return apply(started(), impose(kind, **changes))


def test_a_restriction_has_a_reason_and_a_review_date_from_policy() -> None:
    state = restricted()
    restriction = state.restriction(RestrictionKind.internet)
    assert restriction is not None
    assert restriction.review_by == NOW - HOUR + POLICY.restriction_review_within.internet
    assert handover_summary(state, NOW, POLICY).restrictions == (restriction,)
    (review,) = [d for d in due(state, NOW, POLICY) if d.kind == "restriction_review"]
    assert (review.deadline_id, review.due_at) == ("restriction_review:1", restriction.review_by)


def test_a_restriction_is_temporary_by_construction() -> None:
    too_late = NOW - HOUR + POLICY.restriction_review_within.internet + HOUR
    assert refusal(started(), impose(review_by=too_late)) == (
        "the internet and social media restriction is temporary: set a review date no more than "
        "14 days after it starts or is renewed"
    )
    assert refusal(started(), impose(review_by=NOW - HOUR)) == (
        "the review date has already passed: set a review date in the future"
    )


def test_an_unreviewed_restriction_escalates_to_the_duty_manager_then_the_social_worker() -> None:
    state = restricted(review_by=NOW + 3 * DAY)
    _, events = run_clock(state, NOW, NOW + 6 * DAY)
    assert steps_for(events, "restriction_review:1") == [
        ("reminder", Role.registered_manager),
        ("missed", None),
        ("duty_manager", Role.duty_manager),
        ("social_worker", Role.social_worker),
    ]


def test_renewing_starts_a_new_review_clock_and_lifting_stops_it() -> None:
    state = restricted(review_by=NOW + 3 * DAY)
    renew = RenewRestriction(
        actor=KEY_WORKER, kind=RestrictionKind.internet, reason="still being contacted"
    )
    state = apply(state, renew, now=NOW + 2 * DAY)
    (review,) = [d for d in due(state, NOW, POLICY) if d.kind == "restriction_review"]
    assert (review.deadline_id, review.due_at) == ("restriction_review:2", NOW + 16 * DAY)
    lift = LiftRestriction(
        actor=KEY_WORKER, kind=RestrictionKind.internet, reason="risk reduced", lifted_at=NOW
    )
    state = apply(state, lift, now=NOW + 3 * DAY)
    assert state.restrictions == ()
    assert not [d for d in due(state, NOW, POLICY) if d.kind == "restriction_review"]


def test_a_second_restriction_of_the_same_kind_is_refused() -> None:
    assert refusal(restricted(), impose()) == (
        "the internet and social media restriction is already in force: renew it or lift it"
    )


def test_renewing_or_lifting_what_is_not_in_force_is_refused() -> None:
    renew = RenewRestriction(actor=MANAGER, kind=RestrictionKind.supervision, reason="x")
    assert refusal(started(), renew) == (
        "there is no supervision advice (not to go out unsupervised) in force to renew"
    )
    lift = LiftRestriction(actor=MANAGER, kind=RestrictionKind.internet, reason="x", lifted_at=NOW)
    assert refusal(started(), lift) == (
        "there is no internet and social media restriction in force to lift"
    )


def test_a_restriction_needs_a_reason() -> None:
    assert refusal(started(), impose(RestrictionKind.supervision, reason=" ")) == (
        "give the reason for the supervision advice (not to go out unsupervised)"
    )


def test_supervision_advice_is_a_restriction_with_its_own_review() -> None:
    state = restricted(RestrictionKind.supervision, actor=KEY_WORKER)
    restriction = state.restriction(RestrictionKind.supervision)
    assert restriction is not None
    assert restriction.imposed_by is Role.key_worker


def test_only_the_registered_manager_restricts_contact() -> None:
    for actor in (KEY_WORKER, DUTY_MANAGER, SOCIAL_WORKER):
        assert refusal(started(), impose(RestrictionKind.contact, actor=actor)) == (
            "only the Registered Manager can restrict the child's contact, or change or lift "
            "that restriction (R18)"
        )
    state = restricted(RestrictionKind.contact)
    assert state.restriction(RestrictionKind.contact) is not None


def test_only_a_contact_restriction_names_people() -> None:
    assert refusal(started(), impose(contact_person_references=(AUNT,))) == (
        "only a contact restriction names the people it applies to"
    )


# R10: family and friends contact


def request(person: str = AUNT) -> RequestContactAssessment:
    return RequestContactAssessment(
        actor=SOCIAL_WORKER, contact_person_reference=person, relationship="maternal aunt"
    )


def assessment(
    outcome: ContactOutcome = ContactOutcome.safe, **changes: object
) -> RecordContactAssessment:
    fields: dict[str, object] = {
        "actor": SOCIAL_WORKER,
        "contact_person_reference": AUNT,
        "outcome": outcome,
        "assessed_at": NOW,
        "assessment_reference": "CA-2026-17",
    }
    return RecordContactAssessment.model_validate(fields | changes)


def contact() -> RecordFamilyContact:
    return RecordFamilyContact(
        actor=KEY_WORKER, contact_person_reference=AUNT, means="phone", contact_at=NOW + HOUR
    )


def test_a_contact_assessment_is_due_in_five_working_days() -> None:
    state = apply(started(), request(), now=NOW)
    (deadline,) = [d for d in due(state, NOW, POLICY) if d.kind == "contact_assessment"]
    assert deadline.due_at == add_working_days(NOW, 5)
    assert deadline.responsible_role is Role.social_worker


def test_an_overdue_contact_assessment_escalates_and_a_recorded_one_stops_the_clock() -> None:
    state = apply(started(), request(), now=NOW)
    due_at = add_working_days(NOW, 5)
    _, events = run_clock(state, NOW, due_at + HOUR)
    assert steps_for(events, "contact_assessment:1") == [
        ("reminder", Role.social_worker),
        ("missed", None),
        ("duty_manager", Role.duty_manager),
    ]
    state = apply(state, assessment(), now=NOW + HOUR)
    assert not [d for d in due(state, NOW, POLICY) if d.kind == "contact_assessment"]


def test_contact_is_allowed_once_assessed_safe() -> None:
    state = apply(apply(started(), request(), now=NOW), assessment(), now=NOW)
    state = apply(state, contact(), now=NOW + 2 * HOUR)
    assert state.family_contact_count == 1


def test_contact_without_a_safe_assessment_is_refused() -> None:
    assert refusal(started(), contact(), now=NOW + 2 * HOUR).startswith(
        "contact with this person has not been assessed"
    )
    requested = apply(started(), request(), now=NOW)
    assert refusal(requested, contact(), now=NOW + 2 * HOUR).startswith(
        "the assessment of contact with this person is not finished"
    )
    unsafe = apply(requested, assessment(ContactOutcome.not_safe), now=NOW)
    assert refusal(unsafe, contact(), now=NOW + 2 * HOUR) == (
        "the assessment found contact with this person not safe"
    )


def test_a_contact_restriction_forbids_contact_even_when_assessed_safe() -> None:
    safe = apply(apply(started(), request(), now=NOW), assessment(), now=NOW)
    for people in ((), (AUNT.upper(),)):
        state = apply(safe, impose(RestrictionKind.contact, contact_person_references=people))
        assert refusal(state, contact(), now=NOW + 2 * HOUR) == (
            "a contact restriction imposed by the Registered Manager forbids this contact "
            "until it is lifted"
        )
    others = apply(safe, impose(RestrictionKind.contact, contact_person_references=("uncle",)))
    assert apply(others, contact(), now=NOW + 2 * HOUR).family_contact_count == 1


def test_assessment_requests_and_records_are_refused_out_of_order() -> None:
    requested = apply(started(), request(), now=NOW)
    assert refusal(requested, request()) == (
        "an assessment of contact with this person is already requested and not yet recorded"
    )
    assert refusal(started(), assessment()) == (
        "no assessment of contact with this person is waiting: request an assessment first"
    )
    assert refusal(requested, assessment(assessed_at=NOW - HOUR)) == (
        "the assessment cannot be before it was requested: check the date and time"
    )


# R7: suspicious activity


def suspicious(**changes: object) -> RecordSuspiciousActivity:
    fields: dict[str, object] = {
        "actor": KEY_WORKER,
        "category": "waiting_car",
        "note_reference_or_text": "silver car waited 40 minutes, log p.12",
        "observed_at": NOW - HOUR,
    }
    return RecordSuspiciousActivity.model_validate(fields | changes)


def test_suspicious_activity_goes_to_the_duty_manager_at_once() -> None:
    (event,) = decided(started(), suspicious())
    assert isinstance(event, SuspiciousActivityRecorded)
    notices = notices_for(apply(started(), suspicious()), event)
    assert [(n.recipient, n.purpose) for n in notices] == [
        (Role.duty_manager, "suspicious_activity")
    ]


def test_suspicious_activity_brings_the_next_risk_review_forward() -> None:
    assess = RecordRiskAssessment(
        actor=KEY_WORKER,
        level=RiskLevel.low,
        factors=("recently arrived",),
        child_participated=True,
        child_views="likes college",
        assessed_at=ARRIVED + HOUR,
    )
    state = apply(started(), assess, now=ARRIVED + HOUR)
    (before,) = [d for d in due(state, NOW, POLICY) if d.kind == "risk_review"]
    state = apply(state, suspicious(), now=NOW)
    (after,) = [d for d in due(state, NOW, POLICY) if d.kind == "risk_review"]
    assert before.due_at == ARRIVED + HOUR + timedelta(days=28)
    assert after.due_at == NOW + POLICY.risk_review_after_concern_within
    assert after.deadline_id == before.deadline_id


def test_a_later_concern_never_pushes_the_review_back() -> None:
    state = apply(apply(started(), suspicious(), now=NOW), suspicious(), now=NOW + 5 * HOUR)
    assert state.risk_review_requested_at == NOW


def test_suspicious_activity_needs_a_note() -> None:
    assert refusal(started(), suspicious(note_reference_or_text=" ")) == (
        "write what was seen or heard, or give its log book reference"
    )
