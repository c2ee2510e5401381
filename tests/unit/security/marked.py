"""Every model an answer can hold, and instances of them with a marker in every text field.

``field_universe`` is every key of every model of the domain (events, commands, state,
summaries) and of the service layer's answers, found by walking the models themselves, so a
field added to any of them is in it. ``marked(model)`` builds an instance with every field
filled (nested models too), each text field holding ``MARKER-<field>-<n>``, and the child's
date of birth a date no other field holds (``DATE_OF_BIRTH``): a marker that survives
redaction is found by a substring search, and ``marker_paths`` says where each was planted, so
a test can say whether it should have survived.
"""

from __future__ import annotations

import importlib
import inspect
import itertools
import pkgutil
import types
import typing
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any

from pydantic import AwareDatetime, BaseModel

import workflows.domain
from starter.services.access_log import AccessPage
from starter.services.audit_trail import AuditEntry, AuditPage, ChronologyPage
from starter.services.evidence import MissingRecordEntry, Reg40Notice
from starter.services.lists import DeadlinePage, PlacementPage
from starter.services.notices import NoticePage
from starter.services.philomena import PhilomenaSheet
from starter.services.ssda903 import MissingEpisodeRow
from starter.services.today import MissingChild, RaisedEscalation, UnitCheckDue
from workflows.domain.commands import PlacementCommand
from workflows.domain.deadlines import Deadline
from workflows.domain.events import PlacementEvent
from workflows.domain.state import PlacementState
from workflows.domain.summary import HandoverSummary
from workflows.domain.unit.decide import UnitCommand
from workflows.domain.unit.events import UnitEvent
from workflows.domain.unit.handover import UnitHandover
from workflows.domain.unit.state import UnitState

NOW = datetime(2026, 11, 27, 21, 0, tzinfo=UTC)
MARKER = "MARKER-"
# Planted in every ``date_of_birth``: no other date field holds it (they hold NOW's date).
DATE_OF_BIRTH = date(2009, 2, 17)

# What the service layer answers with (``starter.services.reading``).
ANSWERS: tuple[type[BaseModel], ...] = (
    PlacementState,
    Deadline,
    HandoverSummary,
    UnitHandover,
    UnitState,
    AuditPage,
    ChronologyPage,
    PlacementPage,
    DeadlinePage,
    MissingChild,
    RaisedEscalation,
    UnitCheckDue,
    AccessPage,
    NoticePage,
    MissingEpisodeRow,
    Reg40Notice,
    MissingRecordEntry,
    PhilomenaSheet,
)

# The unit's configuration and the unit workflow's own bookkeeping: never in an answer or an
# event. (A placement's policy is: its start records it, so its models are walked from there.)
NOT_IN_ANY_ANSWER = frozenset(
    {
        "workflows.domain.unit.policy",
        "workflows.domain.unit.owed.ToPlacement",
    }
)


def models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    """The models an annotation names (a union's members, a tuple's items...)."""
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for argument in typing.get_args(annotation):
        yield from models_in(argument)


def domain_models() -> list[type[BaseModel]]:
    """Every pydantic model defined in ``workflows.domain``, but configuration."""
    found: list[type[BaseModel]] = []
    for module_info in pkgutil.walk_packages(workflows.domain.__path__, "workflows.domain."):
        if module_info.name in NOT_IN_ANY_ANSWER:
            continue
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseModel)
                and value.__module__ == module.__name__
                and f"{module.__name__}.{name}" not in NOT_IN_ANY_ANSWER
            ):
                found.append(value)
    return found


def every_model() -> list[type[BaseModel]]:
    """The domain's models, the events and commands of its unions and the answers, and every
    model nested in any of them."""
    seen: dict[type[BaseModel], None] = {}

    def visit(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen[model] = None
        for field in model.model_fields.values():
            for nested in models_in(field.annotation):
                visit(nested)

    roots = [
        *domain_models(),
        *ANSWERS,
        *(
            model
            for union in (PlacementEvent, UnitEvent, PlacementCommand, UnitCommand)
            for model in models_in(union)
        ),
    ]
    for model in roots:
        visit(model)
    return list(seen)


def field_universe() -> frozenset[str]:
    return frozenset(name for model in every_model() for name in model.model_fields)


def event_models() -> list[type[BaseModel]]:
    return [*models_in(PlacementEvent), *models_in(UnitEvent)]


def event_model(event_type: str) -> type[BaseModel]:
    [model] = [m for m in event_models() if m.model_fields["type"].default == event_type]
    return model


# -- Instances with a marker in every text field ---------------------------------------------

_counter = itertools.count()


def _value(name: str, annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _value(name, arguments[0])
    if origin in (typing.Union, types.UnionType):
        chosen = [argument for argument in arguments if argument is not type(None)]
        return _value(name, chosen[0])
    if origin is typing.Literal:
        return arguments[0]
    if origin is tuple:
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            return (_value(name, arguments[0]),)
        return tuple(_value(name, argument) for argument in arguments)
    if origin is list:
        return [_value(name, arguments[0])]
    if origin is dict:
        return {}
    if annotation is AwareDatetime:
        return NOW
    if inspect.isclass(annotation):
        if issubclass(annotation, BaseModel):
            return marked(annotation)
        if issubclass(annotation, Enum):
            return next(iter(annotation))
        if issubclass(annotation, bool):
            return True
        if issubclass(annotation, int):
            return 1
        if issubclass(annotation, datetime):
            return NOW
        if issubclass(annotation, date):
            return DATE_OF_BIRTH if name == "date_of_birth" else NOW.date()
        if issubclass(annotation, timedelta):
            return timedelta(hours=1)
    # str, and anything a person could type.
    return f"{MARKER}{name}-{next(_counter)}"


def marked(model: type[BaseModel]) -> BaseModel:
    """An instance of ``model`` with every field filled, each text field with a marker."""
    values = {
        name: field.default
        if typing.get_origin(field.annotation) is typing.Literal and not field.is_required()
        else _value(name, field.annotation)
        for name, field in model.model_fields.items()
    }
    return model.model_construct(**values)


def audit_entry(event: BaseModel) -> AuditEntry:
    """The audit trail's entry for ``event``, as ``starter.services.audit_trail`` builds it."""
    payload = event.model_dump(mode="json")
    actor = payload.get("actor") or {}
    return AuditEntry(
        version=payload.get("version", 1),
        occurred_at=NOW,
        event_type=payload["type"],
        actor_role=actor.get("role", "system"),
        actor_ref=actor.get("reference", f"{MARKER}actor_ref-{next(_counter)}"),
        details={
            key: value
            for key, value in payload.items()
            if key not in {"stream_id", "version", "occurred_at", "actor"}
        },
    )


def marker_paths(data: Any, path: tuple[str, ...] = ()) -> dict[str, tuple[str, ...]]:
    """Each marker in JSON-ready ``data``, with the keys leading to it."""
    found: dict[str, tuple[str, ...]] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            found |= marker_paths(value, (*path, key))
    elif isinstance(data, list):
        for value in data:
            found |= marker_paths(value, path)
    elif isinstance(data, str) and (data.startswith(MARKER) or data == DATE_OF_BIRTH.isoformat()):
        found[data] = path
    return found
