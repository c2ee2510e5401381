"""The domain's command models, read once for every door: which actions there are (one per
member of ``PlacementCommand`` but the start; the unit's by their permission key), what a
caller sends (the command without its actor, who is the caller), what kind of input each field
takes, and which field each validation error belongs to.

The command line turns these into options (``starter.cli.command_options``), the HTTP API into
routes and bodies (``starter.api.actions``, ``starter.api.units``) and the web page into form
fields (``starter.web.forms``), so a command added to the domain appears in all three, and a
form or an option cannot drift from the command it fills.

An action's name is the command's ``type`` without a leading ``record_``, with hyphens
(``record_leaflet_delivered`` -> ``leaflet-delivered``).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, create_model
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from workflows.domain.commands import PlacementCommand, StartPlacement
from workflows.domain.unit.commands import (
    AcknowledgeHandover,
    RecordBuildingCheck,
    RecordHouseMeeting,
    RecordUnitCheck,
)

# -- Which commands there are -----------------------------------------------------------------


def command_models(union: Any = PlacementCommand) -> list[type[BaseModel]]:
    """The model classes of a (possibly Annotated) union of pydantic models, in order."""
    if typing.get_origin(union) is typing.Annotated:
        union = typing.get_args(union)[0]
    if typing.get_origin(union) in (typing.Union, types.UnionType):
        return [model for member in typing.get_args(union) for model in command_models(member)]
    if isinstance(union, type) and issubclass(union, BaseModel):
        return [union]
    raise TypeError(f"{union!r} is not a pydantic model or a union of them")


def person_fields(model: type[BaseModel]) -> dict[str, FieldInfo]:
    """The fields a person fills in: everything but the type and the actor."""
    return {
        name: info for name, info in model.model_fields.items() if name not in {"type", "actor"}
    }


def without_actor(model: type[BaseModel]) -> type[BaseModel]:
    """The command's fields but ``actor``, with the command's documentation."""
    fields: Any = {
        name: (info.annotation, info)
        for name, info in model.model_fields.items()
        if name != "actor"
    }
    body: type[BaseModel] = create_model(
        f"{model.__name__}Body",
        # The command's own limits (str_max_length) apply to the body too: a body that passes
        # here must make a valid command, or the route would answer 500 rather than 422.
        __config__=ConfigDict(
            frozen=True, extra="forbid", str_max_length=model.model_config.get("str_max_length")
        ),
        __doc__=model.__doc__,
        **fields,
    )
    return body


@dataclass(frozen=True)
class Action:
    name: str  # as it appears in a URL or on the command line
    command_type: str  # the command's `type` literal
    model: type[BaseModel]
    # What a caller sends: the command without its actor, who is the caller (their token).
    body: type[BaseModel] = field(repr=False)

    @property
    def summary(self) -> str:
        """The first line of the command's docstring, else its name in words."""
        doc = (self.model.__doc__ or "").strip()
        first_line = doc.splitlines()[0].rstrip(".") if doc else ""
        return (first_line or self.command_type.replace("_", " ").capitalize()) + "."

    @property
    def fields(self) -> dict[str, FieldInfo]:
        return person_fields(self.model)


def action_name(command_type: str) -> str:
    return command_type.removeprefix("record_").replace("_", "-")


def placement_actions() -> dict[str, Action]:
    actions: dict[str, Action] = {}
    for model in command_models():
        if model is StartPlacement:
            continue  # starting has its own command and route
        command_type = str(model.model_fields["type"].default)
        name = action_name(command_type)
        if name in actions:
            raise RuntimeError(f"two commands would share the action name {name!r}")
        actions[name] = Action(
            name=name, command_type=command_type, model=model, body=without_actor(model)
        )
    return actions


ACTIONS = placement_actions()

# The unit's commands by their key in the permission table (unit commands have no `type`).
UNIT_COMMANDS: dict[str, type[BaseModel]] = {
    "record_unit_check": RecordUnitCheck,
    "record_house_meeting": RecordHouseMeeting,
    "record_building_check": RecordBuildingCheck,
    "acknowledge_handover": AcknowledgeHandover,
}
UNIT_BODIES = {key: without_actor(model) for key, model in UNIT_COMMANDS.items()}

# -- What kind of input a field takes ---------------------------------------------------------

FieldKind = Literal["text", "number", "datetime", "date", "yes_no", "choice", "lines", "structured"]


@dataclass(frozen=True)
class FieldShape:
    kind: FieldKind
    # The values a choice takes, as text.
    choices: tuple[str, ...] = ()
    # A list: an option given more than once, or one item a line.
    many: bool = False


def field_shape(info: FieldInfo) -> FieldShape:
    """What ``info`` takes, read through Optional, unions and Annotated: the first member
    that says (a choice, yes or no, a time, a date, a number), else a nested model or mapping
    (``structured``), a list (``lines``) or text."""
    members = _members(info.annotation)
    many = any(typing.get_origin(m) in (list, tuple, set, frozenset) for m in members)
    for member in members:
        if typing.get_origin(member) is typing.Literal:
            return FieldShape("choice", tuple(str(v) for v in typing.get_args(member)), many)
        if not isinstance(member, type):
            continue
        if issubclass(member, bool):
            return FieldShape("yes_no", many=many)
        if issubclass(member, Enum):
            return FieldShape("choice", tuple(str(item.value) for item in member), many)
        if issubclass(member, datetime) or member is AwareDatetime:
            return FieldShape("datetime", many=many)
        if issubclass(member, date):
            return FieldShape("date", many=many)
        if issubclass(member, int):
            return FieldShape("number", many=many)
    structured = any(
        typing.get_origin(m) is dict or (isinstance(m, type) and issubclass(m, BaseModel))
        for m in members
    )
    if structured:
        return FieldShape("structured", many=many)
    return FieldShape("lines" if many else "text", many=many)


def _members(annotation: Any) -> list[Any]:
    """The types an annotation may hold, through Optional, unions and Annotated."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _members(arg)]
    return [annotation]


# -- Which field a validation error belongs to ------------------------------------------------


@dataclass(frozen=True)
class FieldError:
    """One validation error, by the field a person filled in (``""``: the whole command)
    and where inside it (a list's index, a nested field). Never the submitted value."""

    field: str
    within: tuple[str, ...]
    error: ErrorDetails

    @property
    def message(self) -> str:
        return str(self.error["msg"])


def field_errors(errors: Iterable[ErrorDetails]) -> list[FieldError]:
    found = []
    for error in errors:
        head, *rest = [str(part) for part in error["loc"]] or [""]
        found.append(FieldError(field=head, within=tuple(rest), error=error))
    return found
