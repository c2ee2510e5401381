"""Placement protections on the time-skipping server: the missing ladder repeating until the
return, the 72-hour Return Home Interview, a restriction's review clock and the contact
assessment deadline, with in-memory activities under the real names."""

from __future__ import annotations

from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from tests.support.placements import KEY_WORKER, MANAGER, SOCIAL_WORKER
from tests.support.running import Running, running_placement
from workflows.domain.calendar import add_working_days
from workflows.domain.commands import (
    ImposeRestriction,
    RecordReturn,
    RecordReturnInterview,
    RenewRestriction,
    ReportMissing,
    RequestContactAssessment,
)
from workflows.domain.common import MissingKind, PoliceRiskGrade, RestrictionKind

DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


async def report_missing(p: Running) -> str:
    now = await p.env.get_current_time()
    await p.record(
        ReportMissing(
            actor=KEY_WORKER,
            kind=MissingKind.missing,
            last_seen_at=now - MINUTE,
            last_seen_place_reference="PLACE-REF-17",
            circumstances="did not come back from college",
            police_risk_grade=PoliceRiskGrade.medium,
            clothing_reference="PHIL-2-0042",
        )
    )
    return f"{p.placement_id}-M1"


async def record_return(p: Running) -> None:
    await p.record(
        RecordReturn(
            actor=KEY_WORKER,
            returned_at=await p.env.get_current_time(),
            found_by_reference="police",
            where_found_reference="FOUND-REF-3",
        )
    )


async def test_the_missing_ladder_repeats_daily_until_the_child_returns(
    time_skipping_env: WorkflowEnvironment, task_queue: str
) -> None:
    async with running_placement(time_skipping_env, task_queue) as p:
        await report_missing(p)
        await p.settled()
        told = set(p.fakes.recipients(p.placement_id))
        assert {"police", "ukvi", "ofsted", "duty_manager", "registered_manager"} <= told
        assert (await p.handover()).missing is True

        await p.env.sleep(3 * DAY + MINUTE)
        assert p.escalations("missing_episode:1") == [
            ("duty_manager", "duty_manager"),
            ("registered_manager", "registered_manager"),
            ("placing_authority", "placing_authority"),
        ]
        await p.env.sleep(2 * DAY)
        assert len(p.escalations("missing_episode:1")) == 5

        await record_return(p)
        await p.env.sleep(4 * DAY)
        assert len(p.escalations("missing_episode:1")) == 5
        assert (await p.handover()).missing is False
        await p.settled()
        assert len(set(p.fakes.delivered)) == len(p.fakes.delivered)


async def test_the_return_home_interview_is_due_72_hours_after_the_return(
    time_skipping_env: WorkflowEnvironment, task_queue: str
) -> None:
    async with running_placement(time_skipping_env, task_queue) as p:
        episode_id = await report_missing(p)
        await p.env.sleep(timedelta(hours=5))
        await record_return(p)
        returned_at = await p.env.get_current_time()
        by_id = {d.deadline_id: d for d in await p.deadlines()}
        assert by_id["return_interview:1"].due_at - returned_at <= timedelta(hours=72)
        assert by_id["return_interview:1"].due_at - returned_at > timedelta(hours=71, minutes=59)

        await p.env.sleep(timedelta(hours=72) + MINUTE)
        assert "return_interview:1" in (await p.state()).deadlines_missed
        assert [step for step, _ in p.escalations("return_interview:1")] == [
            "reminder",
            "duty_manager",
        ]
        await p.record(
            RecordReturnInterview(
                actor=SOCIAL_WORKER,
                episode_id=episode_id,
                held_at=await p.env.get_current_time(),
                interviewer_reference="rhi-independent-3",
                child_views="wants to stay at the unit",
            )
        )
        await p.env.sleep(3 * DAY)
        assert len(p.escalations("return_interview:1")) == 2
        assert "return_interview:1" not in {d.deadline_id for d in await p.deadlines()}


async def test_a_restriction_review_date_escalates_until_renewed(
    time_skipping_env: WorkflowEnvironment, task_queue: str
) -> None:
    async with running_placement(time_skipping_env, task_queue) as p:
        now = await p.env.get_current_time()
        await p.record(
            ImposeRestriction(
                actor=MANAGER,
                kind=RestrictionKind.internet,
                reason="contacted by an unknown adult online",
                starts_at=now,
                review_by=now + 2 * DAY,
            )
        )
        await p.env.sleep(2 * DAY + MINUTE)
        assert "restriction_review:1" in (await p.state()).deadlines_missed
        assert p.escalations("restriction_review:1") == [
            ("reminder", "registered_manager"),
            ("duty_manager", "duty_manager"),
        ]
        await p.record(
            RenewRestriction(
                actor=MANAGER, kind=RestrictionKind.internet, reason="still being contacted"
            )
        )
        await p.env.sleep(2 * DAY)
        assert len(p.escalations("restriction_review:1")) == 2
        reviews = [d for d in await p.deadlines() if d.kind == "restriction_review"]
        assert [d.deadline_id for d in reviews] == ["restriction_review:2"]


async def test_a_contact_assessment_not_done_in_five_working_days_escalates(
    time_skipping_env: WorkflowEnvironment, task_queue: str
) -> None:
    async with running_placement(time_skipping_env, task_queue) as p:
        requested_at = await p.env.get_current_time()
        await p.record(
            RequestContactAssessment(
                actor=SOCIAL_WORKER,
                contact_person_reference="aunt (case file p.4)",
                relationship="maternal aunt",
            )
        )
        (deadline,) = [d for d in await p.deadlines() if d.kind == "contact_assessment"]
        assert abs(deadline.due_at - add_working_days(requested_at, 5)) < MINUTE
        await p.env.sleep(deadline.due_at - requested_at + MINUTE)
        assert "contact_assessment:1" in (await p.state()).deadlines_missed
        assert ("duty_manager", "duty_manager") in p.escalations("contact_assessment:1")
