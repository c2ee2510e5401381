"""The unit's rules, as data: whereabouts checks (R4), house meetings (R13) and building and
outside checks (R14), each a recurring clock with a grace period and an escalation ladder.

A check interval follows the residents' risk levels: the unit check is due when the most
closely watched child's interval runs out, so one high-risk child brings the whole check
forward to every 30 minutes. Round-trips through JSON, so a workflow carries the one it
started with across continue-as-new.
"""

from datetime import timedelta
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

from workflows.domain.common import RiskLevel, Role
from workflows.domain.ladders import EscalationStep, Ladder, LadderClock, longer_than_zero

CheckInterval = Annotated[timedelta, longer_than_zero("a check interval")]
UnitInterval = Annotated[timedelta, longer_than_zero("a unit interval")]


class CheckIntervals(BaseModel):
    """R4, R17: hourly checks, more often for a child at higher risk."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    low: CheckInterval = timedelta(hours=1)
    medium: CheckInterval = timedelta(hours=1)
    high: CheckInterval = timedelta(minutes=30)

    def for_level(self, level: RiskLevel | None) -> timedelta:
        # A child whose level is not yet known is watched as closely as a high-risk one.
        interval: timedelta = getattr(self, (level or RiskLevel.high).value)
        return interval


def _has_steps(ladder: tuple[EscalationStep, ...]) -> tuple[EscalationStep, ...]:
    if not ladder:
        raise ValueError("a unit clock needs at least one escalation step")
    return ladder


class UnitClock(LadderClock):
    """A recurring duty: due `every` after the last one; the ladder's offsets count from the
    due time plus the grace period, and each step is raised once per occurrence."""

    grace: timedelta = timedelta(0)
    # Unlike a placement's clock, a unit's always escalates: its ladder has a step at least.
    ladder: Annotated[Ladder, AfterValidator(_has_steps)]


def _unit_clock(
    requirement: str, responsible: Role, grace: timedelta, registered_manager_after: timedelta
) -> UnitClock:
    """A unit duty's clock: once its grace has run out it goes to the Duty Manager, and
    `registered_manager_after` that to the Registered Manager."""
    return UnitClock(
        requirement=requirement,
        responsible_role=responsible,
        grace=grace,
        ladder=(
            EscalationStep(name="duty_manager", offset=timedelta(0), notify_role=Role.duty_manager),
            EscalationStep(
                name="registered_manager",
                offset=registered_manager_after,
                notify_role=Role.registered_manager,
            ),
        ),
    )


class UnitPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    check_every: CheckIntervals = CheckIntervals()
    # R4: a check not recorded by its time plus the grace goes to the Duty Manager, and half
    # an hour later to the Registered Manager.
    unit_check: UnitClock = _unit_clock(
        "R4", Role.residential_worker, timedelta(minutes=15), timedelta(minutes=30)
    )
    # R13: weekly, with phones on the agenda while a recently arrived child lives here.
    house_meeting_every: UnitInterval = timedelta(days=7)
    house_meeting: UnitClock = _unit_clock(
        "R13", Role.registered_manager, timedelta(hours=24), timedelta(days=2)
    )
    recent_arrival_within: UnitInterval = timedelta(days=28)
    # R14: the building and outside are checked at least once a shift.
    building_check_every: UnitInterval = timedelta(hours=8)
    building_check: UnitClock = _unit_clock(
        "R14", Role.residential_worker, timedelta(minutes=30), timedelta(hours=2)
    )
