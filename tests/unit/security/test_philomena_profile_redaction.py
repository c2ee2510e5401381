"""The Philomena Protocol profile is seen whole by the staff of the child's unit alone: a marker
planted in each of its fields reaches a unit role reading as a member of the child's unit, and
no one else (the social worker, the IRO, the auditor, the administrator; a unit role reading by
break-glass or by allocation; any answer across placements), who see its structure only."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
from pydantic import BaseModel

from safeside.need_to_know import DECIDED_ROLES, VISIBLE_TO
from safeside.need_to_know_fields import FIELDS, FieldGroup
from safeside.redact import REDACTED
from safeside.tokens import Principal
from starter.services.connection import Services
from starter.services.permissions import View
from starter.services.philomena import PhilomenaSheet
from starter.services.reading import PlacementRead
from starter.services.redaction import redacted_answer
from starter.services.standing import UNIT_ROLES, Relationship
from tests.unit.security.marked import MARKER, marked, marker_paths
from workflows.domain.common import Role
from workflows.domain.state import PlacementState

PROFILE_FIELDS = FIELDS[FieldGroup.philomena]
STAFF = sorted(DECIDED_ROLES)


def _profile_markers(answer: BaseModel) -> set[str]:
    planted = marker_paths(answer.model_dump(mode="json"))
    found = {marker for marker, path in planted.items() if PROFILE_FIELDS & set(path)}
    assert len(found) == len(PROFILE_FIELDS), "a marker in every field of the profile"
    return found


def _answers() -> list[BaseModel]:
    return [marked(PhilomenaSheet), marked(PlacementState)]


def _reached(shown: Any, markers: set[str]) -> set[str]:
    text = json.dumps(shown)
    return {marker for marker in markers if marker in text}


def test_only_the_unit_roles_may_see_the_profile_at_all() -> None:
    assert VISIBLE_TO[FieldGroup.philomena] == UNIT_ROLES


@pytest.mark.parametrize("role", STAFF, ids=str)
def test_a_member_of_the_child_s_unit_sees_it_whole_and_no_other_role_does(role: Role) -> None:
    for answer in _answers():
        markers = _profile_markers(answer)
        reached = _reached(redacted_answer(role, answer, whole_profile=True), markers)
        assert reached == (markers if role in UNIT_ROLES else set()), type(answer).__name__


@pytest.mark.parametrize("role", STAFF, ids=str)
def test_by_default_and_across_placements_nobody_sees_it(role: Role) -> None:
    for answer in _answers():
        assert _reached(redacted_answer(role, answer), _profile_markers(answer)) == set()


def _read(role: Role, relationship: Relationship) -> PlacementRead:
    return PlacementRead(
        services=cast(Services, None),
        caller=Principal(subject="staff-x", role=role),
        view=View.philomena_profile,
        placement_id="PL-0001",
        relationship=relationship,
    )


@pytest.mark.parametrize("relationship", list(Relationship), ids=str)
@pytest.mark.parametrize("role", sorted(UNIT_ROLES), ids=str)
def test_the_gate_leaves_it_whole_only_for_a_member_of_the_child_s_unit(
    role: Role, relationship: Relationship
) -> None:
    """A Duty Manager by break-glass, or a key worker allocated from another unit, reads the
    child but sees the profile's structure alone."""
    sheet = marked(PhilomenaSheet)
    markers = _profile_markers(sheet)
    shown = _read(role, relationship)._redacted(sheet)
    expected = markers if relationship is Relationship.unit_staff else set()
    assert _reached(shown, markers) == expected
    profile = shown["philomena_profile"]
    assert profile["profile_recorded_at"] is not None  # the structure: when it was recorded
    if relationship is not Relationship.unit_staff:
        assert all(profile[field] == REDACTED for field in PROFILE_FIELDS)


def test_the_auditor_sees_when_it_was_recorded_and_by_which_role_only() -> None:
    shown = redacted_answer(Role.auditor, marked(PhilomenaSheet), whole_profile=True)
    profile = shown["philomena_profile"]
    assert profile["profile_recorded_by"]["role"] == "residential_worker"
    assert profile["profile_recorded_by"]["reference"] == REDACTED
    assert not any(str(value).startswith(MARKER) for value in profile.values())
    assert shown["case_reference"] == shown["date_of_birth"] == REDACTED
