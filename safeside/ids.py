"""Workflow ids: opaque placement ids only, never anything about the child."""

from __future__ import annotations

PLACEMENT_WORKFLOW_PREFIX = "placement-"


def placement_workflow_id(placement_id: str) -> str:
    return f"{PLACEMENT_WORKFLOW_PREFIX}{placement_id}"


def placement_id_of(workflow_id: str | None) -> str | None:
    """The opaque placement id in a placement workflow's id, else None."""
    if workflow_id is None or not workflow_id.startswith(PLACEMENT_WORKFLOW_PREFIX):
        return None
    return workflow_id.removeprefix(PLACEMENT_WORKFLOW_PREFIX)


UNIT_WORKFLOW_PREFIX = "unit-"


def unit_workflow_id(unit_id: str) -> str:
    """One workflow per residential unit, under its opaque unit id."""
    return f"{UNIT_WORKFLOW_PREFIX}{unit_id}"
