"""What is due and when: pure functions of the state, the time now and the policy.

A recurring clock (reviews, visits, risk reviews) shows only its next occurrence. Each
occurrence has its own deadline id ("sw_visit:3"), so escalations raised for one visit are
never mistaken for the next. A missing episode is a watch rather than a deadline: it never
expires, and the last step of its ladder repeats until the child returns.
"""

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from workflows.domain.calendar import (
    add_months,
    add_working_days,
    london_day_start,
    london_days_after,
)
from workflows.domain.common import DeadlineKind, Role, UtcDatetime, utc
from workflows.domain.events import PlacementFacts
from workflows.domain.ladders import EscalationStep
from workflows.domain.policy import Policy
from workflows.domain.state import PlacementState, PlacementStatus


class Deadline(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    deadline_id: str
    kind: DeadlineKind
    requirement: str
    due_at: UtcDatetime
    responsible_role: Role
    # The first escalation step not yet raised; None once every step has been raised.
    next_step_index: int | None
    next_step_at: UtcDatetime | None
    next_step_name: str | None
    overdue: bool
    # A watch (a missing episode) runs from the report until the child returns: nobody can be
    # late for it, so it is never overdue; its ladder says who is told next, and when.
    watch: bool = False


@dataclass(frozen=True)
class RunningClock:
    deadline_id: str
    kind: DeadlineKind
    due_at: datetime


def running_clocks(state: PlacementState, policy: Policy) -> list[RunningClock]:
    """Every deadline not yet satisfied, in due order; none unless the placement is open."""
    facts = state.facts
    if state.status is not PlacementStatus.open or facts is None:
        return []
    arrived = facts.arrived_at
    clocks: list[RunningClock] = []

    def add(deadline_id: str, kind: DeadlineKind, due_at: datetime) -> None:
        clocks.append(RunningClock(deadline_id, kind, due_at))

    if state.leaflet_delivered_at is None:
        add("leaflet", DeadlineKind.leaflet, arrived + policy.leaflet_within)
    if state.missing_procedures_explained_at is None:
        add(
            "missing_procedures",
            DeadlineKind.missing_procedures,
            arrived + policy.missing_procedures_within,
        )
    planning_meeting_due = arrived + policy.planning_meeting_within
    # R17: a return from missing or suspicious activity brings the next review forward. The
    # deadline keeps its id, so steps already raised for it are not raised again.
    concern_due = (
        None
        if state.risk_review_requested_at is None
        else state.risk_review_requested_at + policy.risk_review_after_concern_within
    )
    if state.first_assessed_at is None:
        # R8: the assessment is discussed at the planning meeting, so it is due before it.
        assessment_due = min(arrived + policy.risk_assessment_within, planning_meeting_due)
        add("risk_assessment", DeadlineKind.risk_assessment, _earlier(assessment_due, concern_due))
    elif state.risk_clock_started_at is not None and state.risk_level is not None:
        interval = policy.risk_review_every.for_level(state.risk_level)
        add(
            f"risk_review:{state.risk_review_sequence}",
            DeadlineKind.risk_review,
            _earlier(state.risk_clock_started_at + interval, concern_due),
        )
    if state.planning_meeting_held_at is None:
        add("planning_meeting", DeadlineKind.planning_meeting, planning_meeting_due)
    review_number = state.reviews_counted + 1
    review_due = _next_review_due(state, facts, policy)
    add(f"lac_review:{review_number}", DeadlineKind.lac_review, review_due)
    visit_number = len(state.social_worker_visits) + 1
    if state.social_worker_visits:
        visit_due = state.social_worker_visits[-1] + policy.visits_every
    else:
        visit_due = arrived + policy.first_visit_within
    add(f"sw_visit:{visit_number}", DeadlineKind.sw_visit, visit_due)
    if state.nrm_referred_at is None:
        nrm_due = add_working_days(arrived, policy.nrm_referral_within_working_days)
        add("nrm_referral", DeadlineKind.nrm_referral, nrm_due)
    clocks.extend(_protection_clocks(state, policy))
    return sorted(clocks, key=lambda clock: (clock.due_at, clock.deadline_id))


def _earlier(due_at: datetime, brought_forward_to: datetime | None) -> datetime:
    return due_at if brought_forward_to is None else min(due_at, brought_forward_to)


def _protection_clocks(state: PlacementState, policy: Policy) -> list[RunningClock]:
    """Missing episodes and return interviews (R5), restriction reviews (R6, R12, R18) and
    contact assessments (R10)."""
    clocks = []
    for episode in state.missing_episodes:
        if episode.open:
            # A watch from the report: its ladder repeats until the child returns.
            clocks.append(
                RunningClock(
                    f"missing_episode:{episode.number}",
                    DeadlineKind.missing_episode,
                    episode.reported_at,
                )
            )
        elif episode.return_interview_held_at is None and episode.returned_at is not None:
            clocks.append(
                RunningClock(
                    f"return_interview:{episode.number}",
                    DeadlineKind.return_interview,
                    episode.returned_at + policy.return_interview_within,
                )
            )
    clocks.extend(
        RunningClock(
            f"restriction_review:{restriction.review_number}",
            DeadlineKind.restriction_review,
            restriction.review_by,
        )
        for restriction in state.restrictions
    )
    clocks.extend(
        RunningClock(
            f"contact_assessment:{assessment.number}",
            DeadlineKind.contact_assessment,
            add_working_days(
                assessment.requested_at, policy.contact_assessment_within_working_days
            ),
        )
        for assessment in state.contact_assessments
        if assessment.outcome is None
    )
    return clocks


def next_step(
    state: PlacementState, clock: RunningClock, policy: Policy
) -> tuple[int, datetime, EscalationStep] | None:
    """The first step of `clock` not yet raised (never None for a repeating ladder)."""
    for index, at, step in policy.clocks.for_kind(clock.kind).steps(clock.due_at):
        if not state.step_behind(clock.deadline_id, index):
            return index, at, step
    return None


def steps_due(
    state: PlacementState, clock: RunningClock, now: datetime, policy: Policy
) -> list[tuple[int, datetime, EscalationStep]]:
    """The steps of `clock` whose time has come and that have not been raised yet."""
    due_steps = []
    for index, at, step in policy.clocks.for_kind(clock.kind).steps(clock.due_at):
        if at > now:
            break  # steps come in time order, and a repeating ladder never ends
        if not state.step_behind(clock.deadline_id, index):
            due_steps.append((index, at, step))
    return due_steps


def expiry_due(state: PlacementState, clock: RunningClock, now: datetime, policy: Policy) -> bool:
    """Whether `clock` has just expired: a watch (a missing episode) never does."""
    return (
        policy.clocks.for_kind(clock.kind).expires
        and clock.due_at <= now
        and not state.deadline_missed(clock.deadline_id)
    )


def _next_review_due(state: PlacementState, facts: PlacementFacts, policy: Policy) -> datetime:
    reviews = state.reviews_held
    if state.reviews_counted >= 2:
        return add_months(reviews[-1], policy.later_reviews_every_months)
    if len(reviews) == 1:
        return add_months(reviews[0], policy.second_review_within_months)
    due = london_days_after(facts.looked_after_since, policy.first_review_within_days)
    if policy.first_review_working_days is not None:
        became_looked_after = london_day_start(facts.looked_after_since)
        due = min(due, add_working_days(became_looked_after, policy.first_review_working_days))
    return due


def due(state: PlacementState, now: datetime, policy: Policy) -> list[Deadline]:
    """Every open deadline, soonest first, with the next escalation step for each."""
    now = utc(now)
    deadlines = []
    for clock in running_clocks(state, policy):
        clock_policy = policy.clocks.for_kind(clock.kind)
        upcoming = next_step(state, clock, policy)
        deadlines.append(
            Deadline(
                deadline_id=clock.deadline_id,
                kind=clock.kind,
                requirement=clock_policy.requirement,
                due_at=clock.due_at,
                responsible_role=clock_policy.responsible_role,
                next_step_index=None if upcoming is None else upcoming[0],
                next_step_at=None if upcoming is None else upcoming[1],
                next_step_name=None if upcoming is None else upcoming[2].name,
                overdue=clock_policy.expires and now >= clock.due_at,
                watch=not clock_policy.expires,
            )
        )
    return deadlines


def next_wake_at(state: PlacementState, now: datetime, policy: Policy) -> datetime | None:
    """The earliest moment after `now` at which a step or an expiry falls due.

    Steps whose time has already come are not included: `escalations_due` raises them
    now, so a workflow calls that first and then sleeps until this time.
    """
    now = utc(now)
    times: list[datetime] = []
    for clock in running_clocks(state, policy):
        clock_policy = policy.clocks.for_kind(clock.kind)
        if clock_policy.expires and not state.deadline_missed(clock.deadline_id):
            times.append(clock.due_at)
        for index, at, _ in clock_policy.steps(clock.due_at):
            if at > now and not state.step_behind(clock.deadline_id, index):
                times.append(at)
                break  # later steps of this clock come later still
    future = [moment for moment in times if moment > now]
    return min(future, default=None)
