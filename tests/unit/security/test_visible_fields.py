"""Redaction by allow-list: every field of every model is listed for the roles that need it,
and a marker planted in any field reaches exactly the roles whose list holds it (and every
container around it); a field nobody has listed reaches nobody."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from pydantic import BaseModel

from activities.notifications import redacted_for
from safeside import need_to_know as visible_fields_module
from safeside.need_to_know import (
    DECIDED_ROLES,
    KNOWN_FIELDS,
    VISIBLE_TO,
    may_see,
    visible_fields,
)
from safeside.need_to_know_fields import FIELDS, FieldGroup
from safeside.redact import REDACTED
from starter.services.access_log import AccessPage
from starter.services.permissions import hidden_fields
from starter.services.redaction import redacted_answer
from tests.unit.security.marked import (
    ANSWERS,
    DATE_OF_BIRTH,
    MARKER,
    NOW,
    audit_entry,
    event_model,
    event_models,
    field_universe,
    marked,
    marker_paths,
)
from workflows.domain.common import LOCATION_FIELDS, Role
from workflows.domain.protection_events import MissingReported

STAFF = sorted(DECIDED_ROLES)
_CARE_UNIT_AND_SW = {
    Role.residential_worker,
    Role.key_worker,
    Role.duty_manager,
    Role.registered_manager,
    Role.social_worker,
}
UNIT_DERIVED = FIELDS[FieldGroup.location] | FIELDS[FieldGroup.unit]


def _representative_answers() -> list[BaseModel]:
    """Every answer model, and the audit trail of every event, each field marked."""
    trail = [audit_entry(marked(model)) for model in event_models()]
    return [*(marked(model) for model in ANSWERS), *trail]


def _shown(role: Role, answer: BaseModel) -> tuple[dict[str, tuple[str, ...]], str]:
    """What the role sees of ``answer`` by its allow-list alone: as a member of the child's
    unit would, for whom the gate leaves the Philomena Protocol profile whole."""
    planted = marker_paths(answer.model_dump(mode="json"))
    return planted, json.dumps(redacted_answer(role, answer, whole_profile=True))


def test_every_field_of_every_model_is_listed_in_exactly_one_group() -> None:
    universe = field_universe()
    assert universe - KNOWN_FIELDS == set(), "list each new field in visible_fields.FIELDS"
    assert KNOWN_FIELDS - universe == set(), "a listed field no model has any more"
    listed = Counter(field for fields in FIELDS.values() for field in fields)
    assert [field for field, times in listed.items() if times > 1] == []


def test_every_group_names_the_roles_that_see_it_as_the_table_in_the_docstring_says() -> None:
    assert set(VISIBLE_TO) == set(FieldGroup)
    assert all(roles <= DECIDED_ROLES for roles in VISIBLE_TO.values())
    columns = [
        Role.residential_worker,
        Role.key_worker,
        Role.duty_manager,
        Role.registered_manager,
        Role.social_worker,
        Role.independent_reviewing_officer,
        Role.auditor,
        Role.administrator,
    ]
    rows = {
        words[0]: {role for role, cell in zip(columns, words[1:], strict=True) if cell == "yes"}
        for line in (visible_fields_module.__doc__ or "").splitlines()
        if (words := line.split()) and words[0] in set(FieldGroup)
    }
    assert rows == {group.value: set(roles) for group, roles in VISIBLE_TO.items()}


@pytest.mark.parametrize("role", STAFF, ids=str)
def test_a_marker_reaches_a_role_exactly_when_its_field_and_every_container_are_listed(
    role: Role,
) -> None:
    visible = visible_fields(role)
    checked = 0
    for answer in _representative_answers():
        planted, shown = _shown(role, answer)
        for marker, path in planted.items():
            expected = all(key in visible for key in path)
            assert (marker in shown) is expected, (role, type(answer).__name__, path)
            checked += 1
    assert checked > 150


def test_the_markers_the_tester_found_reach_the_care_roles_and_never_the_auditor() -> None:
    found_by_the_tester = {
        "child_views",
        "child_understanding",
        "interpreter_reference",
        "reason",
        "absence_reason",
        "stated_relationship",
        "police_check_reference",
        "immigration_check_reference",
        "referral_reference",
    }
    for answer in _representative_answers():
        planted, by_auditor = _shown(Role.auditor, answer)
        _, by_social_worker = _shown(Role.social_worker, answer)
        for marker, path in planted.items():
            if path[-1] in found_by_the_tester:
                assert marker not in by_auditor
                assert marker in by_social_worker  # the positive control


@pytest.mark.parametrize("role", STAFF, ids=str)
def test_the_child_s_date_of_birth_reaches_only_the_roles_that_see_identifying_fields(
    role: Role,
) -> None:
    born = DATE_OF_BIRTH.isoformat()
    planted = 0
    for answer in _representative_answers():
        paths, shown = _shown(role, answer)
        if born not in paths:
            continue
        planted += 1
        expected = role in VISIBLE_TO[FieldGroup.identifying] and all(
            may_see(role, key) for key in paths[born]
        )
        assert (born in shown) is expected, (type(answer).__name__, paths[born])
    # In the live state's facts and in the start's audit entry, at least.
    assert planted >= 2
    assert {Role.auditor, Role.administrator}.isdisjoint(VISIBLE_TO[FieldGroup.identifying])


@pytest.mark.parametrize("role", [Role.auditor, Role.administrator], ids=str)
def test_no_free_text_reference_or_identifying_field_reaches_the_auditor_or_administrator(
    role: Role,
) -> None:
    private = (
        FIELDS[FieldGroup.free_text]
        | FIELDS[FieldGroup.references]
        | FIELDS[FieldGroup.identifying]
        | UNIT_DERIVED
    )
    for answer in _representative_answers():
        planted, shown = _shown(role, answer)
        for marker, path in planted.items():
            if private & set(path):
                assert marker not in shown, path


@pytest.mark.parametrize("role", [Role.independent_reviewing_officer, Role.auditor], ids=str)
def test_nothing_derived_from_a_unit_reaches_the_iro_or_the_auditor(role: Role) -> None:
    assert not UNIT_DERIVED & visible_fields(role)
    assert {"unit_id", "unit_check_reference", *LOCATION_FIELDS} <= hidden_fields(role)
    report = marked(MissingReported)
    [entry] = redacted_answer(role, [audit_entry(report)])
    assert entry["details"]["unit_check_reference"] == REDACTED
    for field in LOCATION_FIELDS & set(entry["details"]):
        assert entry["details"][field] == REDACTED
    for answer in _representative_answers():
        planted, shown = _shown(role, answer)
        assert not any(
            marker in shown for marker, path in planted.items() if UNIT_DERIVED & set(path)
        )


@pytest.mark.parametrize("role", sorted(_CARE_UNIT_AND_SW), ids=str)
def test_the_unit_s_staff_and_the_social_worker_still_see_the_unit_and_the_places(
    role: Role,
) -> None:
    assert visible_fields(role) >= UNIT_DERIVED
    [entry] = redacted_answer(role, [audit_entry(marked(MissingReported))])
    assert entry["details"]["unit_check_reference"].startswith(MARKER)


def test_the_auditor_sees_event_types_times_and_roles_but_not_who() -> None:
    entries = [audit_entry(marked(model)) for model in event_models()]
    for entry, shown in zip(entries, redacted_answer(Role.auditor, entries), strict=True):
        assert shown["event_type"] == entry.event_type
        assert shown["occurred_at"] == NOW.isoformat().replace("+00:00", "Z")
        assert shown["version"] == entry.version
        assert shown["actor_role"] == entry.actor_role
        assert shown["actor_ref"] == REDACTED
    started = marked(event_model("placement_started"))
    [shown] = redacted_answer(Role.auditor, [audit_entry(started)])
    assert shown["details"]["initial_risk_level"] == "low"
    assert shown["details"]["case_reference"] == shown["details"]["placing_authority"] == REDACTED


def test_the_auditor_sees_who_read_a_record_in_the_access_log() -> None:
    page = marked(AccessPage)
    shown = redacted_answer(Role.auditor, page)
    [entry] = shown["items"]
    assert entry["subject"].startswith(MARKER)
    assert entry["read_at"] is not None
    assert entry["allowed"] is True


def test_the_administrator_sees_nothing_of_a_child() -> None:
    assert visible_fields(Role.administrator) == frozenset()
    for answer in _representative_answers():
        shown = redacted_answer(Role.administrator, answer)
        assert all(value in (REDACTED, None, [], {}, "") for value in shown.values())


class _WithAFieldAddedLater(BaseModel):
    placement_id: str
    added_after_the_allow_list: str
    added_later_holding_more: dict[str, Any]


@pytest.mark.parametrize("role", [*STAFF, Role.police, Role.system], ids=str)
def test_a_field_nobody_has_listed_reads_redacted_for_every_role(role: Role) -> None:
    later = _WithAFieldAddedLater(
        placement_id="PL-0001",
        added_after_the_allow_list="MARKER-later",
        added_later_holding_more={"status": "open", "child_views": "MARKER-inside"},
    )
    shown = redacted_answer(role, later)
    assert shown["added_after_the_allow_list"] == REDACTED
    # A container nobody has listed is redacted whole: not even its shape shows.
    assert shown["added_later_holding_more"] == REDACTED
    assert not may_see(role, "added_after_the_allow_list")
    # In an audit entry's details too.
    entry = audit_entry(marked(event_model("placement_started")))
    entry = entry.model_copy(update={"details": entry.details | {"added_later": "MARKER-new"}})
    [shown_entry] = redacted_answer(role, [entry])
    details = shown_entry["details"]
    if role in VISIBLE_TO[FieldGroup.structure]:
        assert details["added_later"] == REDACTED
    else:  # a role that sees no structure sees not even the details' keys
        assert details == REDACTED


@pytest.mark.parametrize("role", STAFF, ids=str)
def test_none_and_empty_values_stay_as_they_are(role: Role) -> None:
    class Sparse(BaseModel):
        child_views: str | None = None
        factors: tuple[str, ...] = ()
        added_later: dict[str, str] = {}

    assert redacted_answer(role, Sparse()) == {
        "child_views": None,
        "factors": [],
        "added_later": {},
    }


# -- Notifications -----------------------------------------------------------------------------


def _details() -> dict[str, Any]:
    fields = {"deadline_id", "kind", "due_at", "step_name", "notify_role"}
    planted = {
        "child_views",
        "reason",
        "visitor_reference",
        "unit_check_reference",
        "unit_id",
        *LOCATION_FIELDS,
    }
    return {field: "value" for field in fields} | {f: f"MARKER-{f}" for f in planted}


@pytest.mark.parametrize("role", STAFF, ids=str)
def test_a_staff_role_s_notification_shows_only_its_list_and_never_the_place(
    role: Role,
) -> None:
    shown = redacted_for(role.value, _details())
    assert not FIELDS[FieldGroup.location] & set(shown)
    for field, value in shown.items():
        assert (value != REDACTED) is may_see(role, field)
    assert shown["deadline_id"] == ("value" if role is not Role.administrator else REDACTED)


def test_a_partner_is_never_sent_the_place_or_the_unit_and_the_police_are() -> None:
    to_authority = redacted_for(Role.placing_authority.value, _details())
    assert not FIELDS[FieldGroup.location] & set(to_authority)
    to_police = redacted_for(Role.police.value, _details())
    assert to_police == _details()
