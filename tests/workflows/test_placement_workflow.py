"""PlacementWorkflow on the time-skipping server, with in-memory activities under the real
names: arrival work, the statutory clocks and their escalation ladders, refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from tests.support import placements
from tests.support.fake_activities import FakeActivities
from tests.support.placements import KEY_WORKER, MANAGER
from tests.support.running import Running, running_placement
from tests.support.servers import start_time_skipping
from workflows.domain.calendar import london_day_start
from workflows.domain.commands import ChangeRiskLevel, OpenBreakGlass, RecordLeafletDelivered
from workflows.domain.common import Actor, RiskLevel, Role
from workflows.placement import PlacementWorkflow

DUTY_MANAGER = Actor(role=Role.duty_manager, reference="dm-3")
HOUR = timedelta(hours=1)


async def test_arrival_is_stored_and_partner_agencies_are_told(
    time_skipping_env: WorkflowEnvironment, task_queue: str
) -> None:
    async with running_placement(time_skipping_env, task_queue, ukvi_relevant=False) as p:
        await p.env.sleep(timedelta(minutes=1))
        assert p.fakes.types(p.placement_id)[:2] == ["placement_started", "interpreter_requested"]
        told = set(p.fakes.recipients(p.placement_id))
        assert {"police", "social_worker", "placing_authority", "interpreting_service"} <= told
        assert "ukvi" not in told


async def test_ukvi_is_told_when_immigration_is_relevant(
    time_skipping_env: WorkflowEnvironment, task_queue: str
) -> None:
    async with running_placement(time_skipping_env, task_queue, ukvi_relevant=True) as p:
        await p.env.sleep(timedelta(minutes=1))
        assert "ukvi" in p.fakes.recipients(p.placement_id)


async def test_a_leaflet_recorded_on_time_raises_no_escalation(placement: Running) -> None:
    result = await placement.record(placements.leaflet(placement.arrived_at + timedelta(minutes=2)))
    assert result.events == ["leaflet_delivered"]
    await placement.env.sleep(timedelta(days=3))
    assert placement.escalations("leaflet") == []
    assert "leaflet" not in {d.deadline_id for d in await placement.deadlines()}


async def test_a_missing_leaflet_climbs_the_ladder_once_per_step_then_stops(
    placement: Running,
) -> None:
    await placement.env.sleep(timedelta(hours=21))
    assert [step for step, _ in placement.escalations("leaflet")] == ["reminder"]
    await placement.env.sleep(timedelta(hours=4))
    state = await placement.state()
    assert "leaflet" in state.deadlines_missed
    steps = placement.escalations("leaflet")
    assert [role for _, role in steps] == ["key_worker", "duty_manager"]
    await placement.env.sleep(timedelta(hours=24))
    assert [role for _, role in placement.escalations("leaflet")] == [
        "key_worker",
        "duty_manager",
        "registered_manager",
    ]
    await placement.record(placements.leaflet(await placement.now()))
    await placement.env.sleep(timedelta(days=5))
    assert len(placement.escalations("leaflet")) == 3
    assert "duty_manager" in placement.fakes.recipients(placement.placement_id)


async def test_the_meeting_and_the_review_count_from_their_own_start_dates(
    placement: Running,
) -> None:
    state = await placement.state()
    assert state.facts is not None
    by_kind = {d.kind: d for d in await placement.deadlines()}
    assert by_kind["planning_meeting"].due_at == placement.arrived_at + timedelta(days=7)
    assert by_kind["lac_review"].due_at == london_day_start(
        state.facts.looked_after_since
    ) + timedelta(days=28)


async def test_a_risk_level_change_moves_the_next_risk_review_at_once(placement: Running) -> None:
    await placement.record(
        placements.assessment(placement.arrived_at + timedelta(minutes=1), RiskLevel.low)
    )
    before = {d.kind: d.due_at for d in await placement.deadlines()}["risk_review"]
    await placement.record(
        ChangeRiskLevel(actor=MANAGER, to_level=RiskLevel.high, reason="car seen waiting")
    )
    after = {d.kind: d.due_at for d in await placement.deadlines()}["risk_review"]
    now = await placement.env.get_current_time()
    assert before - placement.arrived_at >= timedelta(days=27)
    assert after - now <= timedelta(days=7)
    assert after < before


async def test_a_refused_action_says_why_and_writes_nothing(placement: Running) -> None:
    await placement.env.sleep(timedelta(minutes=1))
    version_before = (await placement.state()).version
    stored_before = len(placement.fakes.events[placement.placement_id])
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await placement.record(
            RecordLeafletDelivered(
                actor=KEY_WORKER,
                language="Tigrinya",
                delivered_at=placement.arrived_at + timedelta(minutes=1),
            )
        )
    cause = refused.value.cause
    assert isinstance(cause, ApplicationError)
    assert "interpreter" in cause.message
    assert (await placement.state()).version == version_before
    await placement.env.sleep(timedelta(minutes=1))
    assert len(placement.fakes.events[placement.placement_id]) == stored_before


async def test_an_ended_placement_completes_once_its_events_are_stored(placement: Running) -> None:
    await placement.record(placements.end(await placement.now()))
    outcome = await placement.handle.result()
    assert outcome.ended_reason == "moved"
    assert placement.fakes.types(placement.placement_id)[-1] == "placement_ended"
    assert outcome.final_version == len(placement.fakes.events[placement.placement_id])


async def _busy_placement(p: Running) -> None:
    """Thirty-five observations and a risk change, two days apart from the deadlines."""
    for n in range(35):
        await p.record(placements.observation(await p.now(), f"log book entry {n}"))
        if n == 20:
            await p.record(
                ChangeRiskLevel(actor=MANAGER, to_level=RiskLevel.medium, reason="settling in")
            )
    await p.env.sleep(timedelta(days=2))


async def test_continue_as_new_loses_and_doubles_nothing(
    time_skipping_env: WorkflowEnvironment, task_queue: str
) -> None:
    # A second server started now shares the first one's calendar (working days differ from
    # one start date to another), so the same story can run without boundaries beside it.
    twin_env = await start_time_skipping()
    try:
        await _compare_with_and_without_boundaries(time_skipping_env, twin_env, task_queue)
    finally:
        await twin_env.shutdown()


async def _compare_with_and_without_boundaries(
    env: WorkflowEnvironment, twin_env: WorkflowEnvironment, task_queue: str
) -> None:
    async with running_placement(env, task_queue, events_per_run=10) as p:
        first_run = (await p.handle.describe()).run_id
        await _busy_placement(p)
        with_boundaries = await p.state()
        deadlines_with = await p.deadlines()
        assert (await p.handle.describe()).run_id != first_run
        stored = p.fakes.events[p.placement_id]
        assert [e.version for e in stored] == list(range(1, with_boundaries.version + 1))
        assert with_boundaries.observation_count == 35
        assert len(set(p.fakes.delivered)) == len(p.fakes.delivered)
        types_with = p.fakes.types(p.placement_id)

    async with running_placement(
        twin_env, task_queue, events_per_run=10_000, history_bytes_per_run=None
    ) as p:
        first_run = (await p.handle.describe()).run_id
        await _busy_placement(p)
        without = await p.state()
        assert (await p.handle.describe()).run_id == first_run
        assert p.fakes.types(p.placement_id) == types_with
        assert without.version == with_boundaries.version
        assert without.escalations_raised == with_boundaries.escalations_raised
        assert [(d.deadline_id, d.kind) for d in await p.deadlines()] == [
            (d.deadline_id, d.kind) for d in deadlines_with
        ]


async def test_a_notification_that_never_gets_through_is_shown_failed_and_escalated(
    time_skipping_env: WorkflowEnvironment, task_queue: str
) -> None:
    fakes = FakeActivities(unreachable={"police"})
    async with running_placement(time_skipping_env, task_queue, fakes=fakes) as p:
        await p.env.sleep(timedelta(hours=1))
        police_key = f"{p.placement_id}:1:police"
        assert p.fakes.failed == [police_key]
        failures = [
            e for e in p.fakes.events[p.placement_id] if e.event_type == "notification_failed"
        ]
        assert [e.payload["idempotency_key"] for e in failures] == [police_key]
        assert "duty_manager" in p.fakes.recipients(p.placement_id)
        assert police_key in (await p.state()).failed_notifications


async def test_break_glass_is_in_the_trail_and_the_registered_manager_is_told(
    placement: Running,
) -> None:
    now = await placement.now()
    opened = await placement.handle.execute_update(
        PlacementWorkflow.open_break_glass,
        OpenBreakGlass(actor=DUTY_MANAGER, reason="covering nights", until=now + HOUR),
    )
    assert opened.events == ["break_glass_opened"]
    await placement.settled()
    assert placement.fakes.types(placement.placement_id)[-1] == "break_glass_opened"
    told = [
        m.recipient
        for m in placement.fakes.outbox.values()
        if m.stream_id == placement.placement_id and m.purpose == "break_glass_opened"
    ]
    assert told == ["registered_manager"]

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await placement.handle.execute_update(
            PlacementWorkflow.open_break_glass,
            OpenBreakGlass(actor=DUTY_MANAGER, reason="cover", until=now + 5 * HOUR),
        )
    assert "at most 4 hours" in str(refused.value.cause)
