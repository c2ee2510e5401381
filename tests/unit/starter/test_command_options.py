import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from safeside.tokens import Principal
from starter.cli.command_options import BadInput, read_fields, reported_as_bad_input
from starter.services.organisation import Membership
from starter.services.permissions import Denied
from starter.services.recording import placement_command
from workflows.domain.commands import RecordLeafletDelivered, RecordRiskAssessment
from workflows.domain.common import Role

GIVEN = {
    "language": "Tigrinya",
    "interpreter_reference": "INT-55",
    "child_understanding": "understood",
    "delivered_at": "2026-03-02T10:30:00+00:00",
}
KEY_WORKER = Principal(subject="staff-17", role=Role.key_worker)


def test_options_become_the_command_acted_by_the_person_signed_in() -> None:
    fields = read_fields(RecordLeafletDelivered, GIVEN, json_file=None)
    with reported_as_bad_input():
        command = placement_command(KEY_WORKER, RecordLeafletDelivered, fields)
    assert (command.actor.role, command.actor.reference) == (Role.key_worker, "staff-17")
    assert command.delivered_at == datetime(2026, 3, 2, 10, 30, tzinfo=UTC)


def test_every_wrong_field_is_named_once_by_its_option() -> None:
    fields = read_fields(
        RecordRiskAssessment,
        {"level": "extreme", "child_participated": "perhaps", "assessed_at": None},
        json_file=None,
    )
    with pytest.raises(BadInput) as refused, reported_as_bad_input():
        placement_command(KEY_WORKER, RecordRiskAssessment, fields)
    named = [problem.split(":")[0] for problem in refused.value.problems]
    assert named == ["--level", "--child-participated", "--assessed-at"]


def test_a_field_given_as_an_argument_is_named_as_the_argument() -> None:
    with pytest.raises(BadInput) as refused, reported_as_bad_input({"unit_id": "UNIT_ID"}):
        Membership.model_validate({"staff_ref": "staff-01", "unit_id": "no spaces allowed"})
    assert refused.value.problems[0].startswith("UNIT_ID: String should match pattern")
    assert "no spaces allowed" not in refused.value.problems[0]


def test_a_role_that_may_not_record_it_is_refused_not_bad_input() -> None:
    fields = read_fields(RecordLeafletDelivered, GIVEN, json_file=None)
    auditor = Principal(subject="aud-1", role=Role.auditor)
    with pytest.raises(Denied, match="the role auditor may not record"), reported_as_bad_input():
        placement_command(auditor, RecordLeafletDelivered, fields)


def test_options_override_the_json_file(tmp_path: Path) -> None:
    file = tmp_path / "leaflet.json"
    file.write_text(json.dumps(GIVEN))
    fields = read_fields(
        RecordLeafletDelivered, {"child_understanding": "asked questions"}, json_file=file
    )
    assert fields == GIVEN | {"child_understanding": "asked questions"}


def test_a_json_file_naming_an_actor_is_bad_input_since_the_actor_is_who_signed_in(
    tmp_path: Path,
) -> None:
    file = tmp_path / "leaflet.json"
    file.write_text(json.dumps(GIVEN | {"actor": {"role": "registered_manager", "reference": "x"}}))
    with pytest.raises(BadInput, match="leave it out, the actor is the person signed in"):
        read_fields(RecordLeafletDelivered, {}, json_file=file)


def test_a_json_file_that_is_not_an_object_is_bad_input(tmp_path: Path) -> None:
    file = tmp_path / "list.json"
    file.write_text("[1, 2]")
    with pytest.raises(BadInput, match="must hold a JSON object"):
        read_fields(RecordLeafletDelivered, {}, json_file=file)
