"""Adopting a placement on the time-skipping server: a child who arrived 100 days ago, with
what was done before. Nothing from the past is replayed: with every step done nobody is told
anything; with two steps overdue the Registered Manager is told once, listing both; the
normal ladders run on from there."""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio.testing import WorkflowEnvironment

from tests.support.adoptions import adoption
from tests.support.running import running_placement
from workflows.domain.adoption_command import AdoptPlacement

DAY = timedelta(days=1)


async def test_adopting_a_child_placed_100_days_ago_with_every_step_done_tells_nobody(
    time_skipping_env: WorkflowEnvironment, task_queue: str
) -> None:
    async with running_placement(time_skipping_env, task_queue, start=adoption) as p:
        await p.env.sleep(timedelta(hours=1))
        await p.settled()

        stored = p.fakes.events[p.placement_id]
        assert all(e.payload.get("recorded_on_adoption") is True for e in stored)
        assert "escalation_raised" not in p.fakes.types(p.placement_id)
        assert p.fakes.outbox == {}
        assert not any(d.overdue for d in await p.deadlines())


async def test_two_steps_overdue_at_adoption_send_exactly_one_notice_listing_both(
    time_skipping_env: WorkflowEnvironment, task_queue: str
) -> None:
    def two_overdue(placement_id: str, now: datetime) -> AdoptPlacement:
        return adoption(placement_id, now, leave_out=("planning_meeting", "nrm"))

    async with running_placement(time_skipping_env, task_queue, start=two_overdue) as p:
        await p.env.sleep(timedelta(hours=1))
        await p.settled()

        [notice] = p.fakes.outbox.values()
        assert (notice.recipient, notice.purpose) == ("registered_manager", "overdue_at_adoption")
        [closing] = [
            e for e in p.fakes.events[p.placement_id] if e.event_type == "overdue_at_adoption"
        ]
        listed = [d["kind"] for d in closing.payload["overdue_deadlines"]]
        assert listed == ["nrm_referral", "planning_meeting"]
        assert "escalation_raised" not in p.fakes.types(p.placement_id)
        overdue = {d.kind.value for d in await p.deadlines() if d.overdue}
        assert overdue == {"nrm_referral", "planning_meeting"}


async def test_after_adoption_the_normal_ladders_apply(
    time_skipping_env: WorkflowEnvironment, task_queue: str
) -> None:
    async with running_placement(time_skipping_env, task_queue, start=adoption) as p:
        # The internet restriction is due for review 4 days after adoption.
        await p.env.sleep(3 * DAY + timedelta(hours=1))
        await p.settled()

        assert p.escalations("restriction_review:1") == [("reminder", "registered_manager")]
        assert [m.purpose for m in p.fakes.outbox.values()] == ["escalation"]
