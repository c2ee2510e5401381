"""Redacting an answer for a role, by allow-list (``safeside.need_to_know``): a key the role's
list holds keeps its value; every other key, at any depth and including one added to a model
after the list was written, keeps its key and reads ``[redacted]``, so the answer's shape stays.

A container (an object or a list) is opened only under a key the role may see, and under any
other key it is redacted whole. Opening every container and judging only its leaves would let
a container nobody has listed show its shape (how many people it holds, under which keys) and
every inner value whose key happens to be listed for another reason; so the containers that
are structure (``facts``, ``details``, ``entries``, ``visitors``, ``missing_episodes``...) are
listed like any other field, and a new one reveals nothing until someone lists it. None and
empty values stay as they are: they reveal nothing, and a page can still say "not recorded".

The Philomena Protocol profile is the one group the relationship narrows as well as the role:
it reads whole only for the unit's own staff (``whole_profile``, which the gate sets for a
member of the child's unit), never for a unit role reading by break-glass or by allocation,
and never in an answer across placements.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from safeside.need_to_know import visible_fields
from safeside.need_to_know_fields import FIELDS, FieldGroup
from safeside.redact import redact
from workflows.domain.common import Role

_PROFILE = FIELDS[FieldGroup.philomena]


def redacted_answer(
    role: Role, answer: BaseModel | Sequence[BaseModel], *, whole_profile: bool = False
) -> Any:
    """``answer`` as JSON-ready data, without what ``role`` has no need to know; the
    Philomena Protocol profile only with ``whole_profile`` (a member of the child's unit)."""
    if not isinstance(answer, BaseModel):
        data: Any = [item.model_dump(mode="json") for item in answer]
    else:
        data = answer.model_dump(mode="json")
    visible = visible_fields(role)
    return redact(data, visible if whole_profile else visible - _PROFILE)
