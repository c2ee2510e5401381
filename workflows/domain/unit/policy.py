"""The unit's rules, as data: whereabouts checks (R4), house meetings (R13) and building and
outside checks (R14), each a recurring clock with a grace period and an escalation ladder.

A check interval follows the residents' risk levels: the unit check is due when the most
closely watched child's interval runs out, so one high-risk child brings the whole check
forward to every 30 minutes. Round-trips through JSON, so a workflow carries the one it
started with across continue-as-new.
"""

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator

from workflows.domain.common import RiskLevel, Role
from workflows.domain.policy import EscalationStep


class CheckIntervals(BaseModel):
    """R4, R17: hourly checks, more often for a child at higher risk."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    low: timedelta = timedelta(hours=1)
    medium: timedelta = timedelta(hours=1)
    high: timedelta = timedelta(minutes=30)

    @field_validator("low", "medium", "high")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("a check interval must be longer than zero")
        return value

    def for_level(self, level: RiskLevel | None) -> timedelta:
        # A child whose level is not yet known is watched as closely as a high-risk one.
        interval: timedelta = getattr(self, (level or RiskLevel.high).value)
        return interval


class UnitClock(BaseModel):
    """A recurring duty: due `every` after the last one; the ladder's offsets count from the
    due time plus the grace period, and each step is raised once per occurrence."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    requirement: str = Field(min_length=1)
    responsible_role: Role
    grace: timedelta = timedelta(0)
    ladder: tuple[EscalationStep, ...]

    @field_validator("ladder")
    @classmethod
    def _in_time_order(cls, ladder: tuple[EscalationStep, ...]) -> tuple[EscalationStep, ...]:
        offsets = [step.offset for step in ladder]
        if offsets != sorted(offsets) or not ladder:
            raise ValueError("a unit clock needs escalation steps listed in the order they fall")
        return ladder

    def notify_role_for(self, step: EscalationStep) -> Role:
        return (
            self.responsible_role if step.notify_role == "responsible" else Role(step.notify_role)
        )


def _managers(registered_manager_after: timedelta) -> tuple[EscalationStep, ...]:
    return (
        EscalationStep(name="duty_manager", offset=timedelta(0), notify_role=Role.duty_manager),
        EscalationStep(
            name="registered_manager",
            offset=registered_manager_after,
            notify_role=Role.registered_manager,
        ),
    )


class UnitPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    check_every: CheckIntervals = CheckIntervals()
    # R4: a check not recorded by its time plus the grace goes to the Duty Manager, and half
    # an hour later to the Registered Manager.
    unit_check: UnitClock = UnitClock(
        requirement="R4",
        responsible_role=Role.residential_worker,
        grace=timedelta(minutes=15),
        ladder=_managers(timedelta(minutes=30)),
    )
    # R13: weekly, with phones on the agenda while a recently arrived child lives here.
    house_meeting_every: timedelta = timedelta(days=7)
    house_meeting: UnitClock = UnitClock(
        requirement="R13",
        responsible_role=Role.registered_manager,
        grace=timedelta(hours=24),
        ladder=_managers(timedelta(days=2)),
    )
    recent_arrival_within: timedelta = timedelta(days=28)
    # R14: the building and outside are checked at least once a shift.
    building_check_every: timedelta = timedelta(hours=8)
    building_check: UnitClock = UnitClock(
        requirement="R14",
        responsible_role=Role.residential_worker,
        grace=timedelta(minutes=30),
        ladder=_managers(timedelta(hours=2)),
    )

    @field_validator("house_meeting_every", "building_check_every", "recent_arrival_within")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("a unit interval must be longer than zero")
        return value
