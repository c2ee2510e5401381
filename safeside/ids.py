"""Workflow ids: opaque placement ids only, never anything about the child."""

from __future__ import annotations

import secrets

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


# Letters and digits that cannot be mistaken for one another read aloud or in handwriting:
# no 0/O, 1/I/L, nor U (heard as "you") or V.
READABLE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
GENERATED_PLACEMENT_PREFIX = "PL-"
GENERATED_LENGTH = 6


def new_placement_id() -> str:
    """A placement id for a new placement: short, random, and opaque, such as "PL-7KQ4XM"
    (about 600 million of them, so a clash is refused as a reused id, never merged)."""
    chosen = "".join(secrets.choice(READABLE_ALPHABET) for _ in range(GENERATED_LENGTH))
    return f"{GENERATED_PLACEMENT_PREFIX}{chosen}"
