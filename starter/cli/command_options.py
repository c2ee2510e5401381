"""Command-line input for domain commands: one option per field of the pydantic model (its
kind read by ``starter.command_fields``), or a JSON file, checked by the model itself so every
wrong field is reported at once.

Options are plain text and pydantic converts them (``true``, ``2026-03-02T10:30:00+00:00``,
``high``); none is marked required for click, because click would stop at the first missing
one while the model names them all. The actor is never an option: it is the signed-in person
(``starter.cli.signing_in``), as the service layer records it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import click
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from starter.command_fields import FieldError, FieldShape, field_errors, field_shape
from workflows.domain.errors import DomainError

F = TypeVar("F", bound=Callable[..., Any])

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

    def fields(self, model: type[BaseModel], **fields: Any) -> dict[str, Any]:
        """The command's fields from these and ``fields``, not yet checked (its actor is the
        caller's, added by the service that records it)."""
        return read_fields(model, {**self.given, **fields}, json_file=self.json_file)


def command_input(fields: Mapping[str, FieldInfo]) -> Callable[[F], F]:
    """Options for ``fields`` and ``--json FILE``, handed to the command's function as one
    ``inputs: CommandInput`` argument."""
    asked = dict(fields)

    def decorate(callback: F) -> F:
        @functools.wraps(callback)
        def collected(*args: Any, **options: Any) -> Any:
            inputs = CommandInput(
                given={name: options.pop(name) for name in asked},
                json_file=options.pop("json_file"),
            )
            return callback(*args, inputs=inputs, **options)

        return model_options(asked)(json_input_option(cast(F, collected)))

    return decorate


def read_fields(
    model: type[BaseModel], given: Mapping[str, Any], *, json_file: Path | None
) -> dict[str, Any]:
    """The fields from (lowest to highest precedence) the JSON file and the options; BadInput
    when the file cannot be read or names an actor (the actor is whoever signed in)."""
    data: dict[str, Any] = {}
    if json_file is not None:
        from_file = _read_json_object(json_file)
        if "actor" in from_file:
            raise BadInput(
                [
                    f"--json: {json_file} names an actor: leave it out, the actor is the person "
                    "signed in (SAFESIDE_TOKEN)"
                ]
            )
        data.update(from_file)
    fields = model.model_fields
    for name, value in given.items():
        if value is None or value == ():
            continue
        structured = field_shape(fields[name]).kind == "structured"
        data[name] = json.loads(value) if structured and _json(value) else value
    return data


@contextlib.contextmanager
def reported_as_bad_input(names: Mapping[str, str] | None = None) -> Iterator[None]:
    """Checking a command inside: BadInput naming every wrong field as the person gave it
    (``names``: a field given as an argument, ``UNIT_ID``; else its option)."""
    try:
        yield
    except ValidationError as error:
        problems = [_problem(e, names or {}) for e in field_errors(error.errors())]
        raise BadInput(problems) from None
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


def _problem(error: FieldError, names: Mapping[str, str]) -> str:
    """One line for one wrong field, named as the person gave it (never its value: it may be
    personal)."""
    if not error.field:
        return error.message
    where = names.get(error.field) or option_name(error.field)
    if error.within:
        where += " (" + ".".join(error.within) + ")"
    return f"{where}: {error.message}"
