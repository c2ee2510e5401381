"""The event that closes an adoption: what was already overdue when Safeside took over a
placement whose child already lived in the unit, and which ladder steps fell due before then.

A ladder is for telling people in time. Steps whose time had passed before the placement was
adopted are never raised (nobody is chased today for work done, or missed, months ago): they
are recorded here as passed, so the clocks run on from the next step. The deadlines already
overdue are recorded as missed, shown as overdue like any other, and told once, together, to
the unit's Registered Manager (``notices``). From then on the normal ladders apply.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict

from workflows.domain.common import DeadlineKind, UtcDatetime
from workflows.domain.stream import StreamEvent


class OverdueDeadline(BaseModel):
    """A deadline already past when the placement was adopted."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    deadline_id: str
    kind: DeadlineKind
    due_at: UtcDatetime


class OverdueAtAdoption(StreamEvent):
    type: Literal["overdue_at_adoption"] = "overdue_at_adoption"
    # Missed before the adoption, in due order; empty when nothing was overdue.
    overdue_deadlines: tuple[OverdueDeadline, ...] = ()
    # (deadline id, step index) of every ladder step whose time had passed: never raised.
    passed_steps: tuple[tuple[str, int], ...] = ()
