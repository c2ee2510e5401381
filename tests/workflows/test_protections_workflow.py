"""Placement protections on the time-skipping server: the missing ladder repeating until the
return, the 72-hour Return Home Interview, a restriction's review clock, the contact
assessment deadline and the Philomena Protocol profile kept up to date, with in-memory
activities under the real names."""

from __future__ import annotations

from datetime import timedelta

from tests.support import placements
from tests.support.placements import MANAGER, SOCIAL_WORKER
from tests.support.running import Running
from workflows.domain.calendar import add_working_days
from workflows.domain.commands import (
    ImposeRestriction,
    RecordPhilomenaProfile,
    RenewRestriction,
    RequestContactAssessment,
)
from workflows.domain.common import RestrictionKind

DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


async def report_missing(p: Running) -> str:
    await p.record(placements.report_missing(await p.now() - MINUTE))
    return f"{p.placement_id}-M1"


async def record_return(p: Running) -> None:
    await p.record(placements.record_return(await p.now()))


async def test_the_missing_ladder_repeats_daily_until_the_child_returns(placement: Running) -> None:
    await report_missing(placement)
    await placement.settled()
    told = set(placement.fakes.recipients(placement.placement_id))
    assert {"police", "ukvi", "ofsted", "duty_manager", "registered_manager"} <= told
    assert (await placement.handover()).missing is True

    await placement.env.sleep(3 * DAY + MINUTE)
    assert placement.escalations("missing_episode:1") == [
        ("duty_manager", "duty_manager"),
        ("registered_manager", "registered_manager"),
        ("placing_authority", "placing_authority"),
    ]
    await placement.env.sleep(2 * DAY)
    assert len(placement.escalations("missing_episode:1")) == 5

    await record_return(placement)
    await placement.env.sleep(4 * DAY)
    assert len(placement.escalations("missing_episode:1")) == 5
    assert (await placement.handover()).missing is False
    await placement.settled()
    assert len(set(placement.fakes.delivered)) == len(placement.fakes.delivered)


async def test_the_return_home_interview_is_due_72_hours_after_the_return(
    placement: Running,
) -> None:
    episode_id = await report_missing(placement)
    await placement.env.sleep(timedelta(hours=5))
    await record_return(placement)
    returned_at = await placement.env.get_current_time()
    by_id = {d.deadline_id: d for d in await placement.deadlines()}
    assert by_id["return_interview:1"].due_at - returned_at <= timedelta(hours=72)
    assert by_id["return_interview:1"].due_at - returned_at > timedelta(hours=71, minutes=59)

    await placement.env.sleep(timedelta(hours=72) + MINUTE)
    assert "return_interview:1" in (await placement.state()).deadlines_missed
    assert [step for step, _ in placement.escalations("return_interview:1")] == [
        "reminder",
        "duty_manager",
    ]
    await placement.record(placements.return_interview(episode_id, await placement.now()))
    await placement.env.sleep(3 * DAY)
    assert len(placement.escalations("return_interview:1")) == 2
    assert "return_interview:1" not in {d.deadline_id for d in await placement.deadlines()}


async def test_a_restriction_review_date_escalates_until_renewed(placement: Running) -> None:
    now = await placement.env.get_current_time()
    await placement.record(
        ImposeRestriction(
            actor=MANAGER,
            kind=RestrictionKind.internet,
            reason="contacted by an unknown adult online",
            starts_at=now,
            review_by=now + 2 * DAY,
        )
    )
    await placement.env.sleep(2 * DAY + MINUTE)
    assert "restriction_review:1" in (await placement.state()).deadlines_missed
    assert placement.escalations("restriction_review:1") == [
        ("reminder", "registered_manager"),
        ("duty_manager", "duty_manager"),
    ]
    await placement.record(
        RenewRestriction(
            actor=MANAGER, kind=RestrictionKind.internet, reason="still being contacted"
        )
    )
    await placement.env.sleep(2 * DAY)
    assert len(placement.escalations("restriction_review:1")) == 2
    reviews = [d for d in await placement.deadlines() if d.kind == "restriction_review"]
    assert [d.deadline_id for d in reviews] == ["restriction_review:2"]


async def test_a_contact_assessment_not_done_in_five_working_days_escalates(
    placement: Running,
) -> None:
    requested_at = await placement.env.get_current_time()
    await placement.record(
        RequestContactAssessment(
            actor=SOCIAL_WORKER,
            contact_person_reference="aunt (case file placement.4)",
            relationship="maternal aunt",
        )
    )
    (deadline,) = [d for d in await placement.deadlines() if d.kind == "contact_assessment"]
    assert abs(deadline.due_at - add_working_days(requested_at, 5)) < MINUTE
    await placement.env.sleep(deadline.due_at - requested_at + MINUTE)
    assert "contact_assessment:1" in (await placement.state()).deadlines_missed
    assert ("duty_manager", "duty_manager") in placement.escalations("contact_assessment:1")


async def test_the_philomena_profile_is_kept_up_to_date_and_reaches_the_unit_s_handover(
    placement: Running,
) -> None:
    assert (await placement.handover()).profile_recorded_at is None
    profile = RecordPhilomenaProfile(
        actor=placements.KEY_WORKER,
        physical_description="slight build, scar on left hand",
        photograph_references=("PHOTO-1",),
        known_place_references=("PLACE-4",),
    )
    await placement.record(profile)
    first = await placement.now()
    await placement.env.sleep(DAY)
    await placement.record(profile.model_copy(update={"physical_description": "hair dyed red"}))
    state = await placement.state()
    assert state.philomena_profile is not None
    assert state.philomena_profile.physical_description == "hair dyed red"
    assert state.philomena_profile.profile_recorded_at > first
    assert (await placement.handover()).profile_recorded_at == (
        state.philomena_profile.profile_recorded_at
    )
    await placement.settled()
    types = placement.fakes.types(placement.placement_id)
    assert types.count("philomena_profile_recorded") == 2
    # The unit hears that part 1 is recorded, with the rest of its handover.
    assert placement.fakes.unit_reports[-1].summary.profile_recorded_at is not None
