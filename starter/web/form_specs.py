"""The forms the pages offer: the common actions on a placement, starting one, and
acknowledging a unit's handover. Each fills a domain model (the command without its actor, who
is the person signed in), through the same path as the API (``starter.services.recording``)."""

from __future__ import annotations

from dataclasses import replace

from starter.command_fields import ACTIONS, UNIT_BODIES
from starter.web.forms import FieldAsk, FormSpec, form_spec
from workflows.domain.events import PlacementFacts

# The Philomena Protocol profile's form: its values are the profile as last recorded.
PROFILE_FORM = "philomena-profile"
_FOR_THE_POLICE = (
    "A reference to the place, for the police: roles without need to know never see it."
)


def _time_of(what: str) -> tuple[str, ...]:
    """The words of the domain's refusals of the time of ``what`` (``workflows.domain.checks``:
    in the future, or before the child arrived)."""
    return (f"time of the {what}", f"the {what} cannot be before the child arrived")


def _action_form(name: str, asks: list[FieldAsk], **texts: str) -> FormSpec:
    """The form of the placement action ``name``: its body, as the API takes it."""
    return form_spec(name, ACTIONS[name].body, asks, **texts)


# Placement actions, by their action name (as in the API's URLs), in the order the page shows
# them. Each is offered only to the roles the permission table lets record it.
PLACEMENT_FORMS: dict[str, FormSpec] = {
    spec.key: spec
    for spec in (
        _action_form(
            "observation",
            [
                FieldAsk("category", "What kind of check or observation",
                         hint="For example: whereabouts check, mood, phone, visitor.",
                         refusals=("kind of observation",)),
                FieldAsk("note_reference_or_text", "What you saw", long=True,
                         hint="Or the reference of the log book entry.",
                         refusals=("write the observation", "observation is longer")),
                FieldAsk("observed_at", "When", refusals=_time_of("observation")),
            ],
            title="Record a check or observation (R15)",
            submit="Record the observation",
            recorded="the observation",
            when="observed_at",
        ),
        _action_form(
            "leaflet-delivered",
            [
                FieldAsk("language", "Language of the leaflet",
                         refusals=("child's own language",)),
                FieldAsk("interpreter_reference", "Interpreter's reference",
                         hint="Needed unless the child's first language is English, or the "
                              "start said no interpreter is needed.",
                         refusals=("interpreter",)),
                FieldAsk("child_understanding", "What the child understood", long=True,
                         needed=True, refusals=("understood the leaflet",)),
                FieldAsk("delivered_at", "When it was explained",
                         refusals=_time_of("leaflet delivery")),
            ],
            title="Record the leaflet (R1)",
            submit="Record the leaflet",
            recorded="the leaflet",
            when="delivered_at",
        ),
        _action_form(
            "risk-assessment",
            [
                FieldAsk("level", "Risk level"),
                FieldAsk("factors", "Risk factors", hint="One a line.", needed=True,
                         refusals=("risk factor",)),
                FieldAsk("child_participated", "Did the child take part?"),
                FieldAsk("child_views", "The child's views (R9)", long=True, needed=True,
                         refusals=("child's views",)),
                FieldAsk("assessed_at", "When it was assessed",
                         refusals=(*_time_of("risk assessment"), "older than the latest")),
            ],
            title="Record a risk assessment (R8, R17)",
            submit="Record the assessment",
            recorded="the risk assessment",
            when="assessed_at",
        ),
        _action_form(
            "report-missing",
            [
                FieldAsk("kind", "Missing, or away without permission?", choice_labels={
                    "missing": "missing: whereabouts unknown",
                    "away_without_authorisation": "away without permission: whereabouts known",
                }),
                FieldAsk("last_seen_at", "Last seen at", refusals=_time_of("last sighting")),
                FieldAsk("last_seen_place_reference", "Where the child was last seen",
                         needed=True, hint=_FOR_THE_POLICE,
                         refusals=("where the child was last seen", "last-seen place")),
                FieldAsk("circumstances", "Circumstances", long=True, needed=True,
                         hint="How the child went missing. " + _FOR_THE_POLICE,
                         refusals=("circumstances",)),
                FieldAsk("clothing_reference", "What the child was wearing",
                         hint="Or the reference of the Philomena Protocol part 2 form. Needed "
                         "when the child is missing.",
                         refusals=("wearing", "clothing reference")),
                FieldAsk("known_whereabouts_reference", "Where the child is",
                         hint="Needed when the child is away without permission. "
                         + _FOR_THE_POLICE,
                         refusals=("whereabouts are known", "known whereabouts",
                                   "reference to where they are")),
                FieldAsk("police_risk_grade", "Police risk grade, if given"),
                FieldAsk("description_reference", "Description or photo reference",
                         refusals=("description reference",)),
            ],
            title="Report missing (R5)",
            submit="Report missing",
            recorded="the child reported missing, last seen",
            when="last_seen_at",
            intro="The police, UK Visas and Immigration (where relevant) and the social worker "
            "are told at once.",
        ),
        _action_form(
            PROFILE_FORM,
            [
                FieldAsk("physical_description", "Description", long=True, needed=True,
                         hint="How the police would recognise the child: height, build, hair, "
                         "marks. Or the reference of the description in the case file.",
                         refusals=("physical description",)),
                FieldAsk("photograph_references", "Photograph references",
                         hint="One a line: recent photographs in the case file, by reference "
                         "(never the photograph).",
                         refusals=("photograph reference",)),
                FieldAsk("clothing_references", "Clothing references",
                         hint="One a line: what the child usually wears, by reference.",
                         refusals=("clothing reference",)),
                FieldAsk("known_associate_references", "Known associates",
                         hint="One a line: references to people the child may be with.",
                         refusals=("known associate reference",)),
                FieldAsk("known_place_references", "Known places",
                         hint="One a line: references to places the child may go. "
                         + _FOR_THE_POLICE,
                         refusals=("known place reference",)),
            ],
            title="Philomena Protocol profile, part 1",
            submit="Record the profile",
            recorded="the Philomena Protocol profile (part 1)",
            intro="What the police need at once if the child goes missing. Recording it again "
            "replaces it. Only the unit's own staff, and the police when the child is reported "
            "missing, see it.",
        ),
        _action_form(
            "return",
            [
                FieldAsk("returned_at", "Back at",
                         refusals=(*_time_of("return"), "return cannot be before")),
                FieldAsk("found_by_reference", "Found or brought back by", needed=True,
                         hint="A reference, such as a police officer's or a staff id.",
                         refusals=("who found the child", "found-by reference")),
                FieldAsk("where_found_reference", "Where the child was found", needed=True,
                         hint=_FOR_THE_POLICE,
                         refusals=("where the child was found", "where-found reference")),
            ],
            title="Report returned (R5)",
            submit="Report returned",
            recorded="the child's return",
            when="returned_at",
            intro="Closes the missing episode; the return home interview is due within 72 hours.",
        ),
        _action_form(
            "police-acknowledgement",
            [
                FieldAsk("episode_id", "Missing episode",
                         hint="As the missing episodes table shows it, such as PL-2031-M1.",
                         refusals=("episode id",)),
                FieldAsk("police_acknowledged_at", "When the police acknowledged it",
                         refusals=(*_time_of("police's acknowledgement"),
                                   "police's acknowledgement cannot be before")),
                FieldAsk("police_reference", "Police reference", needed=True,
                         hint="The crime or CAD reference the police gave.",
                         refusals=("CAD reference", "police reference")),
            ],
            title="Record the police's acknowledgement (R5)",
            submit="Record the acknowledgement",
            recorded="the police's acknowledgement",
            when="police_acknowledged_at",
            intro="Shown beside the missing episode, so whoever is on duty knows the police "
            "have it and can quote their reference.",
        ),
    )
}  # fmt: skip

START_FORM = form_spec(
    "start-placement",
    PlacementFacts,
    [
        FieldAsk(
            "placement_id",
            "Placement id",
            hint="Leave it empty and Safeside makes one, such as PL-7KQ4XM, easy to read "
            "aloud. An id, never a name.",
            optional=True,
        ),
        FieldAsk("case_reference", "Case reference"),
        FieldAsk("unit_id", "Unit", hint="One of the units you work in."),
        FieldAsk("first_language", "The child's first language"),
        FieldAsk(
            "date_of_birth",
            "Date of birth",
            hint="As the placing authority holds it, if known. Only those who work with the "
            "child see it.",
        ),
        FieldAsk("age_disputed", "Is the child's age disputed?"),
        FieldAsk(
            "age_assessment",
            "Age assessment",
            hint="Where the local authority's age assessment stands, if the age is in doubt.",
        ),
        FieldAsk("looked_after_since", "Looked after since"),
        FieldAsk("arrived_at", "Arrived at"),
        FieldAsk(
            "placing_authority", "Placing authority", hint="The council that placed the child."
        ),
        FieldAsk("social_worker_reference", "Social worker's reference"),
        FieldAsk("initial_risk_level", "Risk level on arrival"),
        FieldAsk("ukvi_relevant", "Are UK Visas and Immigration to be told?"),
    ],
    title="Start a placement",
    submit="Continue",
    intro="A child has arrived. Starting the placement books an interpreter, tells the partner "
    "agencies and starts the statutory clocks.",
)

# The acknowledgement's time is when the button is pressed: the page fills it in.
ACKNOWLEDGE_FORM = form_spec(
    "acknowledge-handover",
    UNIT_BODIES["acknowledge_handover"],
    [
        FieldAsk(
            "handed_over_by_reference",
            "Handed over by",
            hint="The person handing over to you, from the unit's staff.",
            refusals=("person handing over",),
        )
    ],
    title="Acknowledge the handover (R16)",
    submit="I have read the handover",
    recorded="your acknowledgement of the handover",
)


def with_choices(
    spec: FormSpec, name: str, choices: list[tuple[str, str]], not_a_choice: str
) -> FormSpec:
    """``spec`` with its field ``name`` a choice of ``choices`` (value, label): the units a
    manager works in, the staff of a unit. A value not among them is refused at the field
    with ``not_a_choice``."""
    fields = tuple(
        replace(item, kind="choice", choices=tuple(choices), not_a_choice=not_a_choice)
        if item.name == name
        else item
        for item in spec.fields
    )
    return replace(spec, fields=fields)
