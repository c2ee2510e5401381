"""Escalation ladders, shared by the placement's clocks and the unit's: the steps, the clock a
ladder belongs to (who answers for it, and which requirement it serves), the checks every
policy value passes, and the fields of the event recording a step raised. The placement's and
the unit's modules say only what is their own."""

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from workflows.domain.common import NonEmptyText, Role, UtcDatetime
from workflows.domain.stream import StreamEvent

RESPONSIBLE: Literal["responsible"] = "responsible"


class EscalationStep(BaseModel):
    """Tell `notify_role` when `due_at + offset` is reached (a negative offset is a reminder)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    offset: timedelta
    notify_role: Role | Literal["responsible"] = RESPONSIBLE


def _in_time_order(ladder: tuple[EscalationStep, ...]) -> tuple[EscalationStep, ...]:
    # Step indexes are stored in events, so the order must be the order they fire in.
    offsets = [step.offset for step in ladder]
    if offsets != sorted(offsets):
        raise ValueError("escalation steps must be listed in the order they fall due")
    return ladder


# A ladder's steps, in the order they fall due.
Ladder = Annotated[tuple[EscalationStep, ...], AfterValidator(_in_time_order)]


class LadderClock(BaseModel):
    """A clock with an escalation ladder: the requirement it serves and the role answering for
    it, whom a "responsible" step tells."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    requirement: str = Field(min_length=1)
    responsible_role: Role

    def notify_role_for(self, step: EscalationStep) -> Role:
        return self.responsible_role if step.notify_role == RESPONSIBLE else Role(step.notify_role)


def longer_than_zero(what: str) -> AfterValidator:
    """A check that a duration is longer than zero; `what` names it in the refusal
    ("a check interval" must be longer than zero)."""

    def check(value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError(f"{what} must be longer than zero")
        return value

    return AfterValidator(check)


class LadderStepRaised(StreamEvent):
    """A step of a clock's ladder was raised. Each stream's event names its own `type` and
    narrows `kind` to its own kinds of deadline."""

    type: str
    deadline_id: NonEmptyText
    kind: str
    step_index: int = Field(ge=0)
    step_name: NonEmptyText
    # Already resolved from "responsible" to a concrete role when the event was decided,
    # so reading the event never needs the policy that was in force at the time.
    notify_role: Role
    due_at: UtcDatetime


def with_step_raised(
    raised: tuple[tuple[str, int], ...], event: LadderStepRaised
) -> tuple[tuple[str, int], ...]:
    """The (deadline id, step index) pairs raised, sorted, once `event` is folded in."""
    return tuple(sorted({*raised, (event.deadline_id, event.step_index)}))
