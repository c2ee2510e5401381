"""Command-line input for domain commands: one option per field of the pydantic model, or a
JSON file, checked by the model itself so every wrong field is reported at once.

Options are plain text and pydantic converts them (``true``, ``2026-03-02T10:30:00+00:00``,
``high``); none is marked required for click, because click would stop at the first missing
one while the model names them all.
"""

from __future__ import annotations

import json
import sys
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import AwareDatetime, BaseModel, ValidationError
from pydantic.fields import FieldInfo

from safeside.settings import Settings
from workflows.domain.errors import DomainError

M = TypeVar("M", bound=BaseModel)
F = TypeVar("F", bound=Callable[..., Any])

_ACTOR_OPTIONS = {"role": "--actor-role", "reference": "--actor-ref"}
_ACTOR_SETTINGS = {"role": "SAFESIDE_ACTOR_ROLE", "reference": "SAFESIDE_ACTOR_REF"}


class BadInput(Exception):
    """What was given does not make a valid command: one line per wrong field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def option_name(field_name: str) -> str:
    return "--" + field_name.replace("_", "-")


def _members(annotation: Any) -> list[Any]:
    """The types an annotation may hold, through Optional, unions and Annotated."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _members(arg)]
    return [annotation]


def _is_many(field: FieldInfo) -> bool:
    return any(
        typing.get_origin(m) in (list, tuple, set, frozenset) for m in _members(field.annotation)
    )


def _is_structured(field: FieldInfo) -> bool:
    """Given as JSON text on the command line (a nested model or a mapping)."""
    return any(
        typing.get_origin(m) is dict or (isinstance(m, type) and issubclass(m, BaseModel))
        for m in _members(field.annotation)
    )


def _metavar(field: FieldInfo) -> str:
    for member in _members(field.annotation):
        if typing.get_origin(member) is typing.Literal:
            return "|".join(str(value) for value in typing.get_args(member))
        if isinstance(member, type):
            if issubclass(member, bool):
                return "true|false"
            if issubclass(member, Enum):
                return "|".join(str(item.value) for item in member)
            if issubclass(member, datetime) or member is AwareDatetime:
                return "TIME"
            if issubclass(member, date):
                return "DATE"
            if issubclass(member, int):
                return "NUMBER"
    return "JSON" if _is_structured(field) else "TEXT"


def _help(field: FieldInfo) -> str:
    parts = [field.description or ""]
    metavar = _metavar(field)
    if metavar == "TIME":
        parts.append("ISO 8601 with a zone, e.g. 2026-03-02T10:30:00+00:00.")
    elif metavar == "DATE":
        parts.append("e.g. 2026-03-01.")
    if _is_many(field):
        parts.append("Repeat for more than one.")
    if field.is_required():
        parts.append("[required]")
    return " ".join(part for part in parts if part)


def model_options(fields: Mapping[str, FieldInfo]) -> Callable[[F], F]:
    """A decorator adding one option per field, in the model's order."""

    def decorate(command: F) -> F:
        for name, field in reversed(list(fields.items())):
            command = click.option(
                option_name(name),
                name,
                multiple=_is_many(field),
                default=None,
                metavar=_metavar(field),
                help=_help(field),
            )(command)
        return command

    return decorate


def actor_options(command: F) -> F:
    command = click.option(
        "--actor-ref", help="Opaque reference of the person acting (default: SAFESIDE_ACTOR_REF)."
    )(command)
    command = click.option(
        "--actor-role", help="Role of the person acting (default: SAFESIDE_ACTOR_ROLE)."
    )(command)
    return command


def json_input_option(command: F) -> F:
    return click.option(
        "--json",
        "json_file",
        type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
        help="Read the details from a JSON object in FILE ('-' for standard input); "
        "options given as well override its fields.",
    )(command)


def build_command(
    model: type[M],
    given: Mapping[str, Any],
    *,
    json_file: Path | None,
    actor_role: str | None,
    actor_ref: str | None,
    settings: Settings,
) -> M:
    """The command from (lowest to highest precedence) the settings' actor, the JSON file and
    the options; BadInput naming every wrong field."""
    data: dict[str, Any] = {}
    actor: dict[str, Any] = {"role": settings.actor_role, "reference": settings.actor_ref}
    if json_file is not None:
        from_file = _read_json_object(json_file)
        actor.update(from_file.pop("actor", None) or {})
        data.update(from_file)
    fields = model.model_fields
    for name, value in given.items():
        if value is None or value == ():
            continue
        data[name] = json.loads(value) if _is_structured(fields[name]) and _json(value) else value
    if actor_role is not None:
        actor["role"] = actor_role
    if actor_ref is not None:
        actor["reference"] = actor_ref
    data["actor"] = {key: value for key, value in actor.items() if value is not None}
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise BadInput([_problem(e["loc"], e["msg"]) for e in error.errors()]) from None
    except DomainError as error:
        raise BadInput([str(error)]) from None


def _json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _read_json_object(path: Path) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BadInput([f"--json: cannot read {path}: {exc.strerror}"]) from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput([f"--json: {path} is not JSON ({exc.msg} at line {exc.lineno})"]) from None
    if not isinstance(value, dict):
        raise BadInput([f"--json: {path} must hold a JSON object of field names and values"])
    return value


def _problem(loc: tuple[int | str, ...], message: str) -> str:
    """One line for one wrong field, named as the person gave it (never its value: it may be
    personal)."""
    if not loc:
        return message
    head, *rest = loc
    if head == "actor" and rest and rest[0] in _ACTOR_OPTIONS:
        key = str(rest[0])
        return f"{_ACTOR_OPTIONS[key]}: {message} (or set {_ACTOR_SETTINGS[key]})"
    where = option_name(str(head))
    if rest:
        where += " (" + ".".join(str(part) for part in rest) + ")"
    return f"{where}: {message}"
