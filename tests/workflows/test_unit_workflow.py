"""UnitWorkflow on the time-skipping server with its residents' PlacementWorkflows and
in-memory activities under the real names: whereabouts checks (R4), their escalations, the
missing procedure started in the placement, risk-led check intervals, and years of checks
kept within a bounded history by continue-as-new."""

from __future__ import annotations

from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from safeside.contracts.workflows import MIN_HISTORY_BYTES_PER_RUN
from tests.support.placements import MANAGER
from tests.support.units import RunningUnit, running_unit, until
from workflows.domain.commands import ChangeRiskLevel
from workflows.domain.common import MissingKind, RiskLevel
from workflows.domain.state import PlacementState
from workflows.domain.unit.events import Whereabouts
from workflows.placement import PlacementWorkflow

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


async def test_checks_recorded_on_time_never_escalate(unit: RunningUnit) -> None:
    await unit.admit(RiskLevel.medium)
    await unit.admit(RiskLevel.low)
    for _ in range(8):
        await unit.env.sleep(50 * MINUTE)
        await unit.check()
    await unit.env.sleep(30 * MINUTE)
    assert unit.stored_types().count("unit_check_recorded") == 8
    assert unit.escalations() == []


async def test_a_missed_check_escalates_once_to_each_manager(unit: RunningUnit) -> None:
    await unit.admit(RiskLevel.medium)
    await unit.env.sleep(3 * HOUR)
    assert unit.escalations() == [
        ("unit_check:1", "duty_manager"),
        ("unit_check:1", "registered_manager"),
    ]
    await unit.env.sleep(6 * HOUR)
    assert len(unit.escalations()) == 2
    told = {m.recipient for m in unit.fakes.outbox.values() if m.stream_id == unit.stream_id}
    assert {"duty_manager", "registered_manager"} <= told


async def test_a_child_not_seen_starts_the_missing_procedure_in_the_placement_at_once(
    unit: RunningUnit,
) -> None:
    placement_id = await unit.admit(RiskLevel.medium)
    await unit.env.sleep(40 * MINUTE)
    result = await unit.check(**{placement_id: Whereabouts.not_seen})
    assert result.events == ["unit_check_recorded", "missing_procedure_requested"]

    async def episode_open() -> PlacementState | None:
        state = await unit.placement_state(placement_id)
        return state if state.open_episode() is not None else None

    state = await until(episode_open)
    episode = state.open_episode()
    assert episode is not None
    assert episode.kind is MissingKind.missing
    handover = await unit.handover()
    assert (await until(lambda: _missing_in_handover(unit, placement_id))) is True
    assert handover.residents[0].whereabouts is Whereabouts.not_seen


async def test_a_unit_notice_given_up_on_is_escalated_to_the_duty_manager(
    time_skipping_env: WorkflowEnvironment, task_queue: str
) -> None:
    async with running_unit(
        time_skipping_env, task_queue, unreachable=frozenset({"registered_manager"})
    ) as unit:
        await unit.admit(RiskLevel.medium)
        # The missed check escalates to both managers; the Registered Manager's channel fails
        # through every retry (about half an hour of backoff).
        await unit.env.sleep(3 * HOUR)

        async def failed() -> list[str] | None:
            events = unit.fakes.events.get(unit.stream_id, [])
            found = [
                e.payload["recipient"] for e in events if e.event_type == "notification_failed"
            ]
            return found or None

        assert await until(failed) == ["registered_manager"]
        assert [unit.fakes.outbox[k].recipient for k in unit.fakes.failed] == ["registered_manager"]
        warnings = [
            m
            for m in unit.fakes.outbox.values()
            if m.stream_id == unit.stream_id and m.purpose == "notification_failed"
        ]
        assert [m.recipient for m in warnings] == ["duty_manager"]


async def _missing_in_handover(unit: RunningUnit, placement_id: str) -> bool:
    handover = await unit.handover()
    return any(r.placement_id == placement_id and r.missing for r in handover.residents)


async def test_a_high_risk_childs_shorter_interval_applies_as_soon_as_the_level_changes(
    time_skipping_env: WorkflowEnvironment, task_queue: str
) -> None:
    async with running_unit(time_skipping_env, task_queue) as unit:
        placement_id = await unit.admit(RiskLevel.medium)
        await unit.env.sleep(10 * MINUTE)
        await unit.check()
        checked_at = (await unit.state()).last_check_at
        assert checked_at is not None
        due_before = {d.kind: d.due_at for d in await unit.deadlines()}["unit_check"]
        assert due_before == checked_at + HOUR

        await unit.placements[placement_id].execute_update(
            PlacementWorkflow.record,
            ChangeRiskLevel(actor=MANAGER, to_level=RiskLevel.high, reason="car seen waiting"),
        )

        async def due_now() -> bool:
            due = {d.kind: d.due_at for d in await unit.deadlines()}["unit_check"]
            return due == checked_at + 30 * MINUTE

        await until(due_now)
        await unit.env.sleep(50 * MINUTE)
        # Due at 30 minutes, the Duty Manager told 15 minutes later: not at 1 h 15.
        assert unit.escalations() == [("unit_check:2", "duty_manager")]


# Two weeks of hourly checks with a small history bound: enough runs to show the bound holds
# and the state carries over; `bench/unit_year.py` runs a whole year at the default bound.
CHECKS = 24 * 14


async def test_hourly_checks_run_through_continue_as_new_with_bounded_history(
    time_skipping_env: WorkflowEnvironment, task_queue: str
) -> None:
    bound = 300
    async with running_unit(time_skipping_env, task_queue, max_history_length=bound) as unit:
        await unit.admit(RiskLevel.medium)
        for _ in range(CHECKS):
            await unit.env.sleep(55 * MINUTE)
            await unit.check()
        await unit.env.sleep(10 * MINUTE)
        state = await unit.state()
        lengths = await unit.history_lengths()
        print(f"runs: {len(lengths)}, largest history: {max(lengths)} events, lengths: {lengths}")
        assert state.checks_recorded == CHECKS
        assert len(lengths) > 3
        # The bound is checked after each wake, so a run ends a few events past it.
        assert max(lengths) <= bound + 50
        await until(lambda: _all_stored(unit, state.version))
        assert unit.escalations() == []


async def _all_stored(unit: RunningUnit, version: int) -> bool:
    return len(unit.fakes.events.get(unit.stream_id, [])) == version


async def test_a_carry_over_larger_than_the_byte_limit_does_not_hand_over_at_every_step(
    time_skipping_env: WorkflowEnvironment, task_queue: str
) -> None:
    # Eight residents' reports are more than the smallest byte limit: each run carries them.
    smallest = MIN_HISTORY_BYTES_PER_RUN
    async with running_unit(time_skipping_env, task_queue, history_bytes_per_run=smallest) as unit:
        for _ in range(8):
            await unit.admit(RiskLevel.medium)
        for _ in range(24):
            await unit.env.sleep(55 * MINUTE)
            await unit.check()
        state = await unit.state()
        lengths = await unit.history_lengths()
        assert state.checks_recorded == 24
        assert len(state.residents) == 8
        # Each run adds its own budget of history before it hands over (9 runs here): without
        # that, every run would hand over in its first task, and the next, without end.
        assert 2 <= len(lengths) <= 12
