"""The permission table: each action and view allowed to exactly the roles in its row (and
refused to every other with a reason), and what each role sees of a placement."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import BaseModel

from safeside.redact import REDACTED
from starter.command_fields import command_models
from starter.services.permissions import (
    ACTIONS,
    SEES_LOCATION,
    STAFF_ROLES,
    VIEWS,
    Denied,
    View,
    action_key,
    check_action,
    check_view,
)
from starter.services.redaction import redacted_answer
from workflows.domain.adoption_command import AdoptPlacement
from workflows.domain.commands import (
    ImposeRestriction,
    RecordPhoneReleaseConfirmed,
    RecordVisitorVerified,
)
from workflows.domain.common import LOCATION_FIELDS, Actor, RestrictionKind, RiskLevel, Role
from workflows.domain.events import PlacementFacts
from workflows.domain.state import PlacementState

NOW = datetime(2026, 11, 27, 21, 0, tzinfo=UTC)


def test_every_command_of_the_domain_has_a_row() -> None:
    keys = set()
    # The adoption is a start, not one of the actions: it has its own doors.
    for model in [*command_models(), AdoptPlacement]:
        command_type = str(model.model_fields["type"].default)
        if (
            "kind" in model.model_fields
            and model.model_fields["kind"].annotation is RestrictionKind
        ):
            keys |= {f"{command_type}:{kind.value}" for kind in RestrictionKind}
        else:
            keys.add(command_type)
    assert keys == set(ACTIONS)


class _Command(BaseModel):
    type: str
    kind: str | None = None


def _command(key: str) -> _Command:
    command_type, _, kind = key.partition(":")
    return _Command(type=command_type, kind=kind or None)


@pytest.mark.parametrize("role", STAFF_ROLES, ids=str)
@pytest.mark.parametrize("key", sorted(ACTIONS))
def test_an_action_is_allowed_to_its_roles_and_refused_to_others_with_a_reason(
    key: str, role: Role
) -> None:
    command = _command(key)
    assert action_key(command) == key
    if role in ACTIONS[key]:
        check_action(role, command)
    else:
        with pytest.raises(Denied, match=f"the role {role.value} may not record"):
            check_action(role, command)


@pytest.mark.parametrize("role", STAFF_ROLES, ids=str)
@pytest.mark.parametrize("view", list(View), ids=str)
def test_a_view_is_allowed_to_its_roles_and_refused_to_others_with_a_reason(
    view: View, role: Role
) -> None:
    if role in VIEWS[view]:
        check_view(role, view)
    else:
        with pytest.raises(Denied, match=f"the role {role.value} may not read"):
            check_view(role, view)


def test_what_the_seed_gives_to_one_role_is_that_role_s_alone() -> None:
    assert ACTIONS["start_placement"] == {Role.registered_manager}
    assert ACTIONS["impose_restriction:contact"] == {Role.registered_manager}
    assert ACTIONS["lift_restriction:contact"] == {Role.registered_manager}
    assert ACTIONS["record_visitor_verified"] == {Role.social_worker}
    assert ACTIONS["record_phone_release_confirmed"] == {Role.social_worker}
    assert Role.auditor in VIEWS[View.audit_trail]
    assert Role.auditor not in SEES_LOCATION
    assert VIEWS[View.access_log] == {Role.auditor}
    assert not any(Role.auditor in roles for roles in ACTIONS.values())


def test_a_real_command_is_decided_by_its_type_and_restriction_kind() -> None:
    actor = Actor(role=Role.duty_manager, reference="staff-02")
    internet = ImposeRestriction(
        actor=actor, kind=RestrictionKind.internet, reason="grooming risk", starts_at=NOW
    )
    contact = internet.model_copy(update={"kind": RestrictionKind.contact})
    check_action(Role.duty_manager, internet)
    with pytest.raises(Denied, match="impose_restriction of kind contact"):
        check_action(Role.duty_manager, contact)
    verified = RecordVisitorVerified(
        actor=actor, visitor_reference="V-1", interviewed_at=NOW,
        identity_established=True, relationship_established=True,
    )  # fmt: skip
    with pytest.raises(Denied):
        check_action(Role.registered_manager, verified)
    phone = RecordPhoneReleaseConfirmed(actor=actor, confirmed_at=NOW)
    check_action(Role.social_worker, phone)


# The administrator reads no child's record, not even its shape (test_visible_fields).
READING_RECORDS = [role for role in STAFF_ROLES if role is not Role.administrator]


def _state() -> PlacementState:
    facts = PlacementFacts(
        placement_id="PL-0001",
        case_reference="CASE-4471",
        unit_id="UNIT-7",
        first_language="Tigrinya",
        looked_after_since=date(2026, 11, 20),
        arrived_at=NOW,
        placing_authority="Example Borough Council",
        social_worker_reference="sw-204",
        initial_risk_level=RiskLevel.high,
        ukvi_relevant=True,
    )
    return PlacementState(stream_id="PL-0001", version=1, status="open", facts=facts)


@pytest.mark.parametrize("role", READING_RECORDS, ids=str)
def test_the_unit_is_redacted_from_the_state_for_every_role_without_need_to_know(
    role: Role,
) -> None:
    facts = redacted_answer(role, _state())["facts"]
    assert facts["placement_id"] == "PL-0001"
    if role in SEES_LOCATION:
        assert facts["unit_id"] == "UNIT-7"
    else:
        assert facts["unit_id"] == REDACTED


@pytest.mark.parametrize("role", READING_RECORDS, ids=str)
def test_where_the_child_was_last_seen_is_redacted_at_any_depth(role: Role) -> None:
    class Entry(BaseModel):
        event_type: str
        details: dict[str, object]

    entry = Entry(
        event_type="missing_reported",
        details={field: "12 Marker Street" for field in LOCATION_FIELDS} | {"kind": "missing"},
    )
    [shown] = redacted_answer(role, [entry])
    assert shown["details"]["kind"] == "missing"
    for field in LOCATION_FIELDS:
        expected = "12 Marker Street" if role in SEES_LOCATION else REDACTED
        assert shown["details"][field] == expected


def test_the_auditor_sees_neither_the_location_nor_the_case_reference() -> None:
    facts = redacted_answer(Role.auditor, _state())["facts"]
    assert facts["unit_id"] == facts["case_reference"] == facts["first_language"] == REDACTED
    assert facts["initial_risk_level"] == "high"
