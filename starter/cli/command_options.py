"""Command-line input for domain commands: one option per field of the pydantic model (its
kind read by ``starter.command_fields``), or a JSON file, checked by the model itself so every
wrong field is reported at once.

Options are plain text and pydantic converts them (``true``, ``2026-03-02T10:30:00+00:00``,
``high``); none is marked required for click, because click would stop at the first missing
one while the model names them all.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from safeside.settings import Settings
from starter.command_fields import FieldError, FieldShape, field_errors, field_shape
from workflows.domain.errors import DomainError

M = TypeVar("M", bound=BaseModel)
F = TypeVar("F", bound=Callable[..., Any])

_ACTOR_OPTIONS = {"role": "--actor-role", "reference": "--actor-ref"}
_ACTOR_SETTINGS = {"role": "SAFESIDE_ACTOR_ROLE", "reference": "SAFESIDE_ACTOR_REF"}
_METAVARS = {
    "yes_no": "true|false",
    "datetime": "TIME",
    "date": "DATE",
    "number": "NUMBER",
    "structured": "JSON",
}


class BadInput(Exception):
    """What was given does not make a valid command: one line per wrong field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def option_name(field_name: str) -> str:
    return "--" + field_name.replace("_", "-")


def _metavar(shape: FieldShape) -> str:
    if shape.kind == "choice":
        return "|".join(shape.choices)
    return _METAVARS.get(shape.kind, "TEXT")


def _help(info: FieldInfo, shape: FieldShape) -> str:
    parts = [info.description or ""]
    if shape.kind == "datetime":
        parts.append("ISO 8601 with a zone, e.g. 2026-03-02T10:30:00+00:00.")
    elif shape.kind == "date":
        parts.append("e.g. 2026-03-01.")
    if shape.many:
        parts.append("Repeat for more than one.")
    if info.is_required():
        parts.append("[required]")
    return " ".join(part for part in parts if part)


def model_options(fields: Mapping[str, FieldInfo]) -> Callable[[F], F]:
    """A decorator adding one option per field, in the model's order."""

    def decorate(command: F) -> F:
        for name, info in reversed(list(fields.items())):
            shape = field_shape(info)
            command = click.option(
                option_name(name),
                name,
                multiple=shape.many,
                default=None,
                metavar=_metavar(shape),
                help=_help(info, shape),
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


@dataclass(frozen=True)
class CommandInput:
    """What a command's options (and JSON file) gave, before the model checks it."""

    given: Mapping[str, Any]
    json_file: Path | None
    actor_role: str | None
    actor_ref: str | None

    def command(self, model: type[M], settings: Settings, **fields: Any) -> M:
        """The command from these and ``fields`` (BadInput naming every wrong field)."""
        return build_command(
            model,
            {**self.given, **fields},
            json_file=self.json_file,
            actor_role=self.actor_role,
            actor_ref=self.actor_ref,
            settings=settings,
        )


def command_input(
    fields: Mapping[str, FieldInfo] | None = None, *, from_json: bool = True
) -> Callable[[F], F]:
    """Options for ``fields``, the actor and (``from_json``) ``--json FILE``, handed to the
    command's function as one ``inputs: CommandInput`` argument."""
    asked = dict(fields or {})

    def decorate(callback: F) -> F:
        @functools.wraps(callback)
        def collected(*args: Any, **options: Any) -> Any:
            inputs = CommandInput(
                given={name: options.pop(name) for name in asked},
                json_file=options.pop("json_file", None),
                actor_role=options.pop("actor_role"),
                actor_ref=options.pop("actor_ref"),
            )
            return callback(*args, inputs=inputs, **options)

        command: Any = json_input_option(collected) if from_json else collected
        return model_options(asked)(actor_options(command))  # type: ignore[no-any-return]

    return decorate


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
        structured = field_shape(fields[name]).kind == "structured"
        data[name] = json.loads(value) if structured and _json(value) else value
    if actor_role is not None:
        actor["role"] = actor_role
    if actor_ref is not None:
        actor["reference"] = actor_ref
    data["actor"] = {key: value for key, value in actor.items() if value is not None}
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise BadInput([_problem(e) for e in field_errors(error.errors())]) from None
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


def _problem(error: FieldError) -> str:
    """One line for one wrong field, named as the person gave it (never its value: it may be
    personal)."""
    if not error.field:
        return error.message
    if error.field == "actor" and error.within and error.within[0] in _ACTOR_OPTIONS:
        key = error.within[0]
        return f"{_ACTOR_OPTIONS[key]}: {error.message} (or set {_ACTOR_SETTINGS[key]})"
    where = option_name(error.field)
    if error.within:
        where += " (" + ".".join(error.within) + ")"
    return f"{where}: {error.message}"
