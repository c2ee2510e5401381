"""The actions people record on an open placement, read from the domain's command union.

Every member of ``PlacementCommand`` except the start is an action: its name is the command's
``type`` without a leading ``record_``, with hyphens (``record_leaflet_delivered`` ->
``leaflet-delivered``). The command line and the HTTP API build one subcommand and one route
per action from this list, so a command added to the union appears in both without edits here.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

from workflows.domain.commands import PlacementCommand, StartPlacement


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
    def fields(self) -> dict[str, Any]:
        """The fields a person fills in: everything but the type and the actor."""
        return {
            name: field
            for name, field in self.model.model_fields.items()
            if name not in {"type", "actor"}
        }


def command_models(union: Any = PlacementCommand) -> list[type[BaseModel]]:
    """The model classes of a (possibly Annotated) union of pydantic models, in order."""
    if typing.get_origin(union) is typing.Annotated:
        union = typing.get_args(union)[0]
    if typing.get_origin(union) in (typing.Union, types.UnionType):
        return [model for member in typing.get_args(union) for model in command_models(member)]
    if isinstance(union, type) and issubclass(union, BaseModel):
        return [union]
    raise TypeError(f"{union!r} is not a pydantic model or a union of them")


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
