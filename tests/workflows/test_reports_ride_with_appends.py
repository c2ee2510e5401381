"""A placement's report to its unit rides with the append that stores each change: the unit
hears of every change without an activity of its own, and a report the append could not
deliver goes by itself, so the unit still hears where the placement stands."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from safeside.contracts.activities import ActivityName
from tests.support.fake_activities import FakeActivities
from tests.support.placements import MANAGER, leaflet, observation
from tests.support.running import Running, running_placement
from workflows.domain.commands import ChangeRiskLevel
from workflows.domain.common import RiskLevel


async def reports_sent_by_themselves(running: Running) -> int:
    history = await running.handle.fetch_history()
    return sum(
        1
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        and event.activity_task_scheduled_event_attributes.activity_type.name
        == ActivityName.REPORT_TO_UNIT
    )


async def unit_has_heard(running: Running) -> None:
    """Wait (in real time, briefly) until the unit's last report is the placement's version."""
    version = (await running.state()).version
    for _ in range(300):
        reports = running.fakes.unit_reports
        if reports and reports[-1].version == version:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the unit did not hear where the placement stands")


async def test_every_change_reaches_the_unit_with_its_append(placement: Running) -> None:
    now = await placement.now()
    await placement.record(leaflet(now))
    await placement.record(
        ChangeRiskLevel(actor=MANAGER, to_level=RiskLevel.medium, reason="seen with an adult")
    )
    await placement.record(observation(now))
    await placement.settled()
    await unit_has_heard(placement)

    reports = placement.fakes.unit_reports
    assert reports[-1].risk_level is RiskLevel.medium
    assert [r.version for r in reports] == sorted({r.version for r in reports})
    assert await reports_sent_by_themselves(placement) == 0


async def test_a_report_the_append_could_not_deliver_goes_by_itself(
    time_skipping_env: WorkflowEnvironment, task_queue: str
) -> None:
    fakes = FakeActivities(unit_unreachable=True)
    async with running_placement(time_skipping_env, task_queue, fakes=fakes) as running:
        await running.record(
            ChangeRiskLevel(actor=MANAGER, to_level=RiskLevel.medium, reason="seen with an adult")
        )
        await running.settled()
        await unit_has_heard(running)
        assert running.fakes.unit_reports[-1].risk_level is RiskLevel.medium
        assert await reports_sent_by_themselves(running) >= 1

        # The unit answers again: the next change rides with its append once more.
        fakes.unit_unreachable = False
        sent_alone = await reports_sent_by_themselves(running)
        await running.env.sleep(timedelta(minutes=1))
        await running.record(observation(await running.now()))
        await running.settled()
        await unit_has_heard(running)
        assert await reports_sent_by_themselves(running) == sent_alone
