"""Forms from the domain's own models: what each field is, reading a submitted form into the
model's values, and the model's validation errors as a plain message next to each field.

A page's form lists the fields it asks for (name, label, hint); what kind of input each needs
(text, a date and time, a choice, yes or no, one item a line) is read from the model by
``starter.command_fields``, as the command line's options are, so a form cannot drift from the
command it fills. Dates and times are entered in UK order on the London wall clock
(``starter.web.uk_time``).

Every wrong field is found in one answer: what could not be read, what the model refuses, and
every field the form needs left empty. The domain's refusals of the command's own fields come
all at once, each at its field (the form's fields are named as the command's); another refusal
of the domain's that names a field (the words ``FieldAsk.refusals`` lists) is shown at that
field too.
Messages never repeat what was typed: it may be personal, and messages can end up in logs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from starter.command_fields import field_errors, field_shape
from starter.web import uk_time
from workflows.domain.common import OPAQUE_ID_PATTERN

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
    # Words found only in the domain's refusals about this field.
    refusals: tuple[str, ...] = ()
    # What a value not among the choices is told.
    not_a_choice: str = "Choose one of the options"

    @property
    def inputs(self) -> tuple[str, ...]:
        """The names of the field's inputs: a date has one per part."""
        if self.kind == "datetime":
            return tuple(uk_time.part_name(self.name, p) for p in uk_time.MOMENT_PARTS)
        if self.kind == "date":
            return tuple(uk_time.part_name(self.name, p) for p in uk_time.DATE_PARTS)
        return (self.name,)

    @property
    def anchor(self) -> str:
        """What follows the field's id in the id of its first input (an error links to it)."""
        if self.kind in ("datetime", "date"):
            return "-" + uk_time.DAY
        return "-yes" if self.kind == "yes_no" else ""


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
    # Words found only in the domain's refusals about this field ("interpreter"): such a
    # refusal is shown at the field.
    refusals: tuple[str, ...] = ()
    # Shown as optional although the model needs it: the page fills it in when left empty
    # (a generated placement id).
    optional: bool = False


@dataclass(frozen=True)
class FormSpec:
    key: str
    title: str
    submit: str
    model: type[BaseModel]
    fields: tuple[FormField, ...]
    intro: str | None = None
    # What a confirmation says was recorded ("the child's return"), and the field whose
    # time it gives.
    recorded: str = "it"
    when: str | None = None

    def field_named(self, name: str) -> FormField:
        return next(item for item in self.fields if item.name == name)

    def refused_at(self, refusal: str) -> str | None:
        """The field a refusal of the domain's is about, if the form has it."""
        text = refusal.casefold()
        for item in self.fields:
            if any(words.casefold() in text for words in item.refusals):
                return item.name
        return None


@dataclass
class FormState:
    """A form as shown again: what was typed, a message per wrong field, and the whole
    form's outcome (``problem``: refused, with the reason; ``done``: recorded)."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    problem: str | None = None
    done: str | None = None

    def error_links(self, spec: FormSpec) -> list[tuple[str, str]]:
        """The error summary's links: each wrong field's message, to its first input."""
        return [
            (
                f"#{spec.key}-{item.name}{item.anchor}",
                f"{item.label}{'' if item.label.endswith('?') else ':'} {self.errors[item.name]}",
            )
            for item in spec.fields
            if item.name in self.errors
        ]

    def refuse(
        self, spec: FormSpec, refusal: str, problems: Sequence[tuple[str, str]] = ()
    ) -> None:
        """The domain's refusal: each refused field (``problems``) at its field where the form
        has one, the others for the form; a refusal without fields at the field its words
        name, else for the form."""
        if not problems:
            at = spec.refused_at(refusal)
            problems = [(at or "", refusal)]
        asked = {item.name for item in spec.fields}
        elsewhere = []
        for name, message in problems:
            if name in asked:
                self.errors[name] = sentence(message)
            else:
                elsewhere.append(message)
        if elsewhere:
            self.problem = sentence("; ".join(elsewhere))


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def form_spec(
    key: str,
    model: type[BaseModel],
    asks: list[FieldAsk],
    *,
    title: str,
    submit: str,
    intro: str | None = None,
    recorded: str = "it",
    when: str | None = None,
) -> FormSpec:
    return FormSpec(
        key=key,
        title=title,
        submit=submit,
        model=model,
        fields=tuple(_field(model, ask) for ask in asks),
        intro=intro,
        recorded=recorded,
        when=when,
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
        required=(info.is_required() or ask.needed) and not ask.optional,
        hint=ask.hint,
        choices=tuple((value, _choice_label(ask, value)) for value in shape.choices),
        refusals=ask.refusals,
    )


def _choice_label(ask: FieldAsk, value: str) -> str:
    label = ask.choice_labels.get(value, value.replace("_", " "))
    return label[:1].upper() + label[1:]


# -- Reading a submitted form ---------------------------------------------------------------


def fresh_times(spec: FormSpec, moment: Any) -> dict[str, str]:
    """A fresh form's time inputs, all at ``moment``."""
    values: dict[str, str] = {}
    for item in spec.fields:
        if item.kind == "datetime":
            values |= uk_time.moment_parts(item.name, moment)
    return values


def typed_values(spec: FormSpec, submitted: Mapping[str, str]) -> dict[str, str]:
    """What was typed in the form's inputs, to show again."""
    return {name: submitted.get(name, "") for item in spec.fields for name in item.inputs}


def read_form(
    spec: FormSpec, submitted: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The model's values from the form's text, and a message per field that could not be
    read. A field left empty is left out, so the model's default or "required" applies."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for item in spec.fields:
        if item.kind in ("datetime", "date"):
            read = (uk_time.read_moment if item.kind == "datetime" else uk_time.read_date)(
                submitted, item.name
            )
            if read.error is not None:
                errors[item.name] = read.error
            elif read.value is not None:
                values[item.name] = read.value
            continue
        raw = submitted.get(item.name, "")
        if item.kind == "lines":
            lines = [line.strip() for line in raw.splitlines() if line.strip()]
            if lines:
                values[item.name] = lines
            continue
        text = raw.strip()
        if not text:
            continue
        if item.kind == "yes_no":
            if text in (YES, NO):
                values[item.name] = text == YES
            else:
                errors[item.name] = "Choose yes or no"
        elif item.kind == "choice" and text not in {value for value, _ in item.choices}:
            errors[item.name] = item.not_a_choice
        else:
            values[item.name] = text
    return values, errors


def validated(
    spec: FormSpec, submitted: Mapping[str, str], extra: Mapping[str, Any] | None = None
) -> tuple[BaseModel | None, FormState]:
    """The form's model, or None and the form to show again with a message at every wrong
    field at once (and a form-level problem for an error no field owns). ``extra`` fills
    fields the form does not ask for (the time now, say)."""
    values, errors = read_form(spec, submitted)
    state = FormState(values=typed_values(spec, submitted))
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
    # A field the domain needs, left empty, is said now with the others, not one a submit.
    for item in spec.fields:
        filled = item.name in values or item.name in (extra or {})
        if item.required and not filled and item.name not in errors:
            errors[item.name] = _left_empty(item)
    if errors or model is None:
        state.errors = {f.name: errors[f.name] for f in spec.fields if f.name in errors}
        return None, state
    return model, state


def _left_empty(item: FormField) -> str:
    if item.kind in ("datetime", "date"):
        return f"Enter the date{' and time' if item.kind == 'datetime' else ''}"
    return "Choose one" if item.kind in ("choice", "yes_no") else "Fill this in"


def plain_message(error: ErrorDetails, item: FormField | None) -> str:
    """pydantic's message for ``error``, in plain words where pydantic's are technical."""
    kind = error["type"]
    context = error.get("ctx") or {}
    choosing = item is not None and item.kind in ("choice", "yes_no")
    if kind == "missing" and item is not None:
        return _left_empty(item)
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
            return f"Enter a real date, such as {uk_time.EXAMPLE_DATE}"
        return f"Enter a real date and time, such as {uk_time.EXAMPLE_DATE} {uk_time.EXAMPLE_TIME}"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")
