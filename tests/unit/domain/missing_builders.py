"""Builders the missing-from-care tests share (tests/unit/domain/test_missing_*.py): the Return
Home Interview, and a child back from their first episode."""

from datetime import timedelta

from tests.unit.domain.builders import HOUR, NOW, SOCIAL_WORKER, apply, missing, record_return
from workflows.domain.commands import RecordReturnInterview
from workflows.domain.state import PlacementState

DAY = timedelta(days=1)


def interview(**changes: object) -> RecordReturnInterview:
    fields: dict[str, object] = {
        "actor": SOCIAL_WORKER,
        "episode_id": "pl-0001-M1",
        "held_at": NOW + 30 * HOUR,
        "interviewer_reference": "rhi-independent-3",
        "child_views": "was frightened; wants to stay",
    }
    return RecordReturnInterview.model_validate(fields | changes)


def returned(at_hours: int = 10) -> PlacementState:
    return apply(missing(), record_return(), now=NOW + at_hours * HOUR)
