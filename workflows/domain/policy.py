"""The rules in force, as data: statutory clocks and escalation ladders.

Every value can be overridden (e.g. `Policy.model_validate(json_from_settings)`), and a
Policy round-trips through JSON so a workflow can carry the one it started with.

Who is responsible for each clock, and why:
- leaflet (R1), missing procedures (R4), risk assessment (R8), risk review (R17): the key
  worker, who does the work with the child in the unit.
- planning meeting (R8), looked-after reviews (R8, reg 33), social worker visits (reg 28):
  the social worker, because the placing authority convenes meetings and reviews and makes
  the visits; the Independent Reviewing Officer chairs reviews and is told when one is late.
- missing episode (R5): the Duty Manager, who leads the search; while the child is missing the
  episode is escalated again every `repeat_last_step_every`, climbing to the Registered Manager
  and then the placing authority, and repeating there until the child returns.
- return home interview (DfE 2014 guidance): the social worker; the placing authority arranges
  the independent interview within 72 hours of the return.
- restriction reviews (R6, R12, R18): the Registered Manager, who answers for every limit put
  on a child's liberty, internet or contact; the social worker is told when one is overdue.
- contact assessments (R10): the social worker, "as quickly as possible".
- NRM referral: the social worker. The local authority is the first responder under the
  National Referral Mechanism; a children's home not run by that authority is not, so the
  unit's part is to chase (its Duty Manager and Registered Manager are on the ladder).
"""

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)

from workflows.domain.common import DeadlineKind, RestrictionKind, RiskLevel, Role
from workflows.domain.ladders import EscalationStep, Ladder, LadderClock, longer_than_zero

TimeLimit = Annotated[timedelta, longer_than_zero("a time limit")]
ReviewInterval = Annotated[timedelta, longer_than_zero("a risk review interval")]
ReviewPeriod = Annotated[timedelta, longer_than_zero("a restriction review period")]


# A placement's clock: a deadline (or a watch) and the ladder escalating it.
class ClockPolicy(LadderClock):
    ladder: Ladder
    # False for a watch rather than a deadline (a missing episode): nothing can be "missed",
    # only the ladder runs until the clock stops.
    expires: bool = True
    # When set, the last step is raised again at this interval until the clock stops.
    repeat_last_step_every: timedelta | None = None

    @model_validator(mode="after")
    def _repeats_sensibly(self) -> "ClockPolicy":
        every = self.repeat_last_step_every
        if every is not None and (every <= timedelta(0) or not self.ladder):
            raise ValueError("a repeating step needs a ladder and an interval longer than zero")
        return self

    def steps(self, due_at: datetime) -> Iterator[tuple[int, datetime, EscalationStep]]:
        """(index, time, step) in time order; endless when the last step repeats, so callers
        stop at the first step later than the time they care about."""
        for index, step in enumerate(self.ladder):
            yield index, due_at + step.offset, step
        every = self.repeat_last_step_every
        if every is None:
            return
        last = self.ladder[-1]
        index, at = len(self.ladder) - 1, due_at + last.offset
        while True:
            index, at = index + 1, at + every
            yield index, at, last


def standard_ladder(
    reminder_before: timedelta,
    *extra: EscalationStep,
    registered_manager_after: timedelta = timedelta(hours=24),
) -> tuple[EscalationStep, ...]:
    """A reminder before the deadline, the Duty Manager at it, the Registered Manager after it,
    then any ``extra`` steps."""
    return (
        EscalationStep(name="reminder", offset=-reminder_before),
        EscalationStep(name="duty_manager", offset=timedelta(0), notify_role=Role.duty_manager),
        EscalationStep(
            name="registered_manager",
            offset=registered_manager_after,
            notify_role=Role.registered_manager,
        ),
        *extra,
    )


# A 24-hour clock gets its reminder 4 hours before; longer clocks a day before.
SAME_DAY_LADDER = standard_ladder(timedelta(hours=4))
MULTI_DAY_LADDER = standard_ladder(timedelta(hours=24))
REVIEW_LADDER = standard_ladder(
    timedelta(hours=24),
    EscalationStep(
        name="independent_reviewing_officer",
        offset=timedelta(hours=48),
        notify_role=Role.independent_reviewing_officer,
    ),
)


# Every missing episode: a daily review that climbs to more senior people (R5).
MISSING_EPISODE_LADDER = (
    EscalationStep(name="duty_manager", offset=timedelta(hours=24), notify_role=Role.duty_manager),
    EscalationStep(
        name="registered_manager",
        offset=timedelta(hours=48),
        notify_role=Role.registered_manager,
    ),
    EscalationStep(
        name="placing_authority", offset=timedelta(hours=72), notify_role=Role.placing_authority
    ),
)
# An overdue restriction review goes to the social worker: the limit outlived its reason.
RESTRICTION_REVIEW_LADDER = (
    EscalationStep(name="reminder", offset=-timedelta(hours=24)),
    EscalationStep(name="duty_manager", offset=timedelta(0), notify_role=Role.duty_manager),
    EscalationStep(
        name="social_worker", offset=timedelta(hours=24), notify_role=Role.social_worker
    ),
)


def _clock(requirement: str, responsible: Role, ladder: Ladder) -> ClockPolicy:
    """A deadline's clock: one row of the table below."""
    return ClockPolicy(requirement=requirement, responsible_role=responsible, ladder=ladder)


class Clocks(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    leaflet: ClockPolicy = _clock("R1", Role.key_worker, SAME_DAY_LADDER)
    missing_procedures: ClockPolicy = _clock("R4", Role.key_worker, SAME_DAY_LADDER)
    risk_assessment: ClockPolicy = _clock("R8", Role.key_worker, MULTI_DAY_LADDER)
    planning_meeting: ClockPolicy = _clock("R8", Role.social_worker, MULTI_DAY_LADDER)
    lac_review: ClockPolicy = _clock("R8", Role.social_worker, REVIEW_LADDER)
    sw_visit: ClockPolicy = _clock("reg28", Role.social_worker, MULTI_DAY_LADDER)
    risk_review: ClockPolicy = _clock("R17", Role.key_worker, MULTI_DAY_LADDER)
    nrm_referral: ClockPolicy = _clock("MSA2015-s52", Role.social_worker, MULTI_DAY_LADDER)
    missing_episode: ClockPolicy = ClockPolicy(
        requirement="R5",
        responsible_role=Role.duty_manager,
        ladder=MISSING_EPISODE_LADDER,
        expires=False,
        repeat_last_step_every=timedelta(hours=24),
    )
    return_interview: ClockPolicy = _clock("R5", Role.social_worker, MULTI_DAY_LADDER)
    restriction_review: ClockPolicy = _clock(
        "R6-R12-R18", Role.registered_manager, RESTRICTION_REVIEW_LADDER
    )
    contact_assessment: ClockPolicy = _clock("R10", Role.social_worker, MULTI_DAY_LADDER)

    def for_kind(self, kind: DeadlineKind) -> ClockPolicy:
        clock: ClockPolicy = getattr(self, kind.value)
        return clock


class RiskReviewIntervals(BaseModel):
    """R17: the higher the risk, the sooner the assessment is looked at again."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    high: ReviewInterval = timedelta(days=7)
    medium: ReviewInterval = timedelta(days=14)
    low: ReviewInterval = timedelta(days=28)

    def for_level(self, level: RiskLevel) -> timedelta:
        interval: timedelta = getattr(self, level.value)
        return interval


class RestrictionReviewPeriods(BaseModel):
    """The default (and longest) time before a restriction must be reviewed: lifted or renewed.

    A restriction of a child's liberty, internet or contact is temporary by construction.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    internet: ReviewPeriod = timedelta(days=14)
    supervision: ReviewPeriod = timedelta(days=14)
    contact: ReviewPeriod = timedelta(days=28)

    def for_kind(self, kind: RestrictionKind) -> timedelta:
        period: timedelta = getattr(self, kind.value)
        return period


class Policy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # R1: leaflet in the child's language, explained with an interpreter.
    leaflet_within: TimeLimit = timedelta(hours=24)
    # R4: the child is told the standard missing procedures.
    missing_procedures_within: TimeLimit = timedelta(hours=24)
    # R8: the first assessment is also due before the planning meeting that discusses it.
    risk_assessment_within: TimeLimit = timedelta(hours=72)
    planning_meeting_within: TimeLimit = timedelta(days=7)
    # R8 / reg 33: counted from the start of the day the child became looked after.
    first_review_within_days: int = Field(default=28, ge=1)
    # reg 33's 20 working days; when set, the earlier of the two applies.
    first_review_working_days: int | None = Field(default=None, ge=1)
    second_review_within_months: int = Field(default=3, ge=1)
    later_reviews_every_months: int = Field(default=6, ge=1)
    # reg 28: the 6-week interval applies to the first year; it is kept after that as the
    # safer choice until long-term placements are modelled.
    first_visit_within: TimeLimit = timedelta(weeks=1)
    visits_every: TimeLimit = timedelta(weeks=6)
    # R17: from the last assessment or risk level change.
    risk_review_every: RiskReviewIntervals = RiskReviewIntervals()
    nrm_referral_within_working_days: int = Field(default=2, ge=0)
    # R5 / DfE 2014: the independent Return Home Interview, from the moment of return.
    return_interview_within: TimeLimit = timedelta(hours=72)
    # R17: a return from missing or suspicious activity brings the next risk review forward
    # to this long after it. "At once" is read as: the key worker is reminded at once (the
    # reminder falls 24 hours before) and the review counts as missed only after a day; a zero
    # here would record a missed deadline the instant the concern was recorded.
    risk_review_after_concern_within: timedelta = timedelta(hours=24)
    # R10: family and friends contact assessments, "as quickly as possible".
    contact_assessment_within_working_days: int = Field(default=5, ge=1)
    # R6, R12, R18.
    restriction_review_within: RestrictionReviewPeriods = RestrictionReviewPeriods()
    # R11: the phone is kept for safe keeping from arrival until the social worker confirms in
    # writing that the risks are reduced.
    phone_held_from_arrival: bool = True
    clocks: Clocks = Clocks()

    @field_validator("risk_review_after_concern_within")
    @classmethod
    def _not_negative(cls, value: timedelta) -> timedelta:
        if value < timedelta(0):
            raise ValueError("a review cannot be due before the concern that brought it forward")
        return value


# A worker holds hundreds of placements, nearly all under one policy or a few, and a policy is
# about 35 KiB of objects (each placement held two: its input's and its state's). Equal policies
# are kept as one object per process; policies are frozen, so sharing one is safe. The table
# stops growing at this size.
SHARED_POLICIES = 256
_shared: dict[Policy, Policy] = {}


def shared_policy(policy: Policy) -> Policy:
    """The process's one object equal to ``policy`` (``policy`` itself the first time)."""
    known = _shared.get(policy)
    if known is not None:
        return known
    if len(_shared) < SHARED_POLICIES:
        _shared[policy] = policy
    return policy


# The shared policies by the form they were read from (a payload's or a row's JSON, as
# Python values): a policy read again in the same form is the shared object at once, not
# validated again (a policy takes about 85 µs to validate, its form 30 µs to recognise).
# Equal forms validate to equal policies, so this changes no result.
_shared_by_form: dict[str, Policy] = {}


def _shared_from_form(value: Any, validate: ValidatorFunctionWrapHandler) -> Policy:
    if not isinstance(value, dict):
        return shared_policy(validate(value))
    form = repr(value)
    known = _shared_by_form.get(form)
    if known is not None:
        return known
    policy = shared_policy(validate(value))
    if len(_shared_by_form) < SHARED_POLICIES:
        _shared_by_form[form] = policy
    return policy


# A policy field that holds the shared object: for every model a workflow keeps.
SharedPolicy = Annotated[Policy, WrapValidator(_shared_from_form)]
