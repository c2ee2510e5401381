"""Forms from the domain's own models: what each field is, reading a submitted form into the
model's values, and the model's validation errors as a plain message next to each field.

A page's form lists the fields it asks for (name, label, hint); what kind of input each needs
(text, a date and time, a choice, yes or no, one item a line) is read from the model by
``starter.command_fields``, as the command line's options are, so a form cannot drift from the
command it fills. Times are entered on the London wall clock.
Messages never repeat what was typed: it may be personal, and messages can end up in logs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from starter.command_fields import field_errors, field_shape
from workflows.domain.common import LONDON, OPAQUE_ID_PATTERN

FieldKind = Literal["text", "long_text", "datetime", "date", "choice", "yes_no", "lines"]

YES, NO = "yes", "no"


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: FieldKind
    required: bool
    hint: str | None = None
    # (value, label) for a choice.
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class FieldAsk:
    """What a form says about one of its model's fields."""

    name: str
    label: str
    hint: str | None = None
    long: bool = False
    # Shown as required although the model may leave it out: the domain refuses the command
    # without it (and says why), as the child's understanding of the leaflet (R1).
    needed: bool = False
    # Labels for some of a choice's values; the others are their names in words.
    choice_labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FormSpec:
    key: str
    title: str
    submit: str
    model: type[BaseModel]
    fields: tuple[FormField, ...]
    intro: str | None = None


@dataclass
class FormState:
    """A form as shown again: what was typed, a message per wrong field, and the whole
    form's outcome (``problem``: refused, with the reason; ``done``: recorded)."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    problem: str | None = None
    done: str | None = None


def form_spec(
    key: str,
    model: type[BaseModel],
    asks: list[FieldAsk],
    *,
    title: str,
    submit: str,
    intro: str | None = None,
) -> FormSpec:
    return FormSpec(
        key=key,
        title=title,
        submit=submit,
        model=model,
        fields=tuple(_field(model, ask) for ask in asks),
        intro=intro,
    )


# The form's input for each kind of field (``starter.command_fields``); text unless listed.
_INPUTS: dict[str, FieldKind] = {
    "datetime": "datetime",
    "date": "date",
    "yes_no": "yes_no",
    "choice": "choice",
    "lines": "lines",
}


def _field(model: type[BaseModel], ask: FieldAsk) -> FormField:
    info = model.model_fields[ask.name]  # a KeyError here is a form naming a field it lacks
    shape = field_shape(info)
    kind = _INPUTS.get(shape.kind, "long_text" if ask.long else "text")
    return FormField(
        name=ask.name,
        label=ask.label,
        kind=kind,
        required=info.is_required() or ask.needed,
        hint=ask.hint,
        choices=tuple((value, _choice_label(ask, value)) for value in shape.choices),
    )


def _choice_label(ask: FieldAsk, value: str) -> str:
    label = ask.choice_labels.get(value, value.replace("_", " "))
    return label[:1].upper() + label[1:]


# -- Reading a submitted form ---------------------------------------------------------------


def london_input(moment: datetime) -> str:
    """A time as a ``datetime-local`` input shows it: London wall clock, to the minute."""
    return moment.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M")


def london_moment(text: str) -> str:
    """A time typed on the London wall clock (``datetime-local``), as an aware ISO time;
    ValueError when it is not a time."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        # fold=0: in the hour repeated each October, the first of the two.
        moment = moment.replace(tzinfo=LONDON, fold=0)
    return moment.isoformat()


def read_form(
    spec: FormSpec, submitted: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The model's values from the form's text, and a message per field that could not be
    read. A field left empty is left out, so the model's default or "required" applies."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for item in spec.fields:
        raw = submitted.get(item.name, "")
        if item.kind == "lines":
            lines = [line.strip() for line in raw.splitlines() if line.strip()]
            if lines:
                values[item.name] = lines
            continue
        text = raw.strip()
        if not text:
            continue
        if item.kind == "datetime":
            try:
                values[item.name] = london_moment(text)
            except ValueError:
                errors[item.name] = "Enter a date and time, such as 27/11/2026 21:30"
        elif item.kind == "yes_no":
            if text in (YES, NO):
                values[item.name] = text == YES
            else:
                errors[item.name] = "Choose yes or no"
        elif item.kind == "choice" and text not in {value for value, _ in item.choices}:
            errors[item.name] = "Choose one of the options"
        else:
            values[item.name] = text
    return values, errors


def validated(
    spec: FormSpec, submitted: Mapping[str, str], extra: Mapping[str, Any] | None = None
) -> tuple[BaseModel | None, FormState]:
    """The form's model, or None and the form to show again with a message per field (and
    a form-level problem for an error no field owns). ``extra`` fills fields the form does
    not ask for (the time now, say)."""
    values, errors = read_form(spec, submitted)
    state = FormState(values={f.name: submitted.get(f.name, "") for f in spec.fields})
    try:
        model = spec.model.model_validate({**values, **(extra or {})})
    except ValidationError as exc:
        model = None
        asked = {f.name: f for f in spec.fields}
        for error in field_errors(exc.errors()):
            if error.field in asked:
                errors.setdefault(error.field, plain_message(error.error, asked[error.field]))
            else:
                state.problem = state.problem or plain_message(error.error, None)
    if errors or model is None:
        state.errors = {f.name: errors[f.name] for f in spec.fields if f.name in errors}
        return None, state
    return model, state


def plain_message(error: ErrorDetails, item: FormField | None) -> str:
    """pydantic's message for ``error``, in plain words where pydantic's are technical."""
    kind = error["type"]
    context = error.get("ctx") or {}
    choosing = item is not None and item.kind in ("choice", "yes_no")
    if kind == "missing" or kind == "string_too_short":
        return "Choose one" if choosing else "Fill this in"
    if kind == "string_pattern_mismatch" and context.get("pattern") == OPAQUE_ID_PATTERN:
        return (
            "Use 3 to 64 letters, digits, hyphens or underscores, starting with a letter "
            "or digit (an id, never a name)"
        )
    if kind == "string_too_long":
        return f"Use at most {context.get('max_length')} characters"
    if kind in ("enum", "literal_error"):
        return "Choose one of the options"
    if kind == "bool_parsing":
        return "Choose yes or no"
    if kind.startswith(("date", "datetime", "timezone")):
        if item is not None and item.kind == "date":
            return "Enter a date, such as 27/11/2026"
        return "Enter a date and time, such as 27/11/2026 21:30"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")
