import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from safeside.settings import Settings
from starter.cli.command_options import BadInput, build_command
from workflows.domain.commands import RecordLeafletDelivered, RecordRiskAssessment
from workflows.domain.common import Role

GIVEN = {
    "language": "Tigrinya",
    "interpreter_reference": "INT-55",
    "child_understanding": "understood",
    "delivered_at": "2026-03-02T10:30:00+00:00",
}


def settings(**changes: object) -> Settings:
    return Settings.model_validate(changes)


def test_options_become_the_command_with_the_actor_from_the_settings() -> None:
    command = build_command(
        RecordLeafletDelivered,
        GIVEN,
        json_file=None,
        actor_role=None,
        actor_ref=None,
        settings=settings(actor_role="key_worker", actor_ref="staff-17"),
    )
    assert command.actor.role is Role.key_worker
    assert command.delivered_at == datetime(2026, 3, 2, 10, 30, tzinfo=UTC)


def test_every_wrong_field_is_named_once_by_its_option(tmp_path: Path) -> None:
    with pytest.raises(BadInput) as refused:
        build_command(
            RecordRiskAssessment,
            {"level": "extreme", "child_participated": "perhaps", "assessed_at": None},
            json_file=None,
            actor_role="key_worker",
            actor_ref=None,
            settings=settings(),
        )
    named = [problem.split(":")[0] for problem in refused.value.problems]
    assert named == ["--actor-ref", "--level", "--child-participated", "--assessed-at"]


def test_options_override_the_json_file_which_overrides_the_settings(tmp_path: Path) -> None:
    file = tmp_path / "leaflet.json"
    file.write_text(json.dumps(GIVEN | {"actor": {"role": "key_worker", "reference": "file"}}))
    command = build_command(
        RecordLeafletDelivered,
        {"child_understanding": "asked questions"},
        json_file=file,
        actor_role=None,
        actor_ref="staff-99",
        settings=settings(actor_role="duty_manager", actor_ref="env"),
    )
    assert (command.actor.role, command.actor.reference) == (Role.key_worker, "staff-99")
    assert command.child_understanding == "asked questions"


def test_a_json_file_that_is_not_an_object_is_bad_input(tmp_path: Path) -> None:
    file = tmp_path / "list.json"
    file.write_text("[1, 2]")
    with pytest.raises(BadInput, match="must hold a JSON object"):
        build_command(
            RecordLeafletDelivered,
            {},
            json_file=file,
            actor_role=None,
            actor_ref=None,
            settings=settings(),
        )
