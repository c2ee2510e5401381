from typing import Annotated, Literal

from pydantic import BaseModel, Field

from starter.command_fields import ACTIONS, action_name, command_models
from workflows.domain.commands import RecordLeafletDelivered, StartPlacement


def test_each_command_but_the_start_is_an_action_named_without_record() -> None:
    assert ACTIONS["leaflet-delivered"].model is RecordLeafletDelivered
    assert ACTIONS["change-risk-level"].command_type == "change_risk_level"
    assert StartPlacement not in {action.model for action in ACTIONS.values()}


def test_an_action_asks_for_its_fields_but_not_its_type_or_actor() -> None:
    fields = ACTIONS["leaflet-delivered"].fields
    assert list(fields) == [
        "language",
        "interpreter_reference",
        "child_understanding",
        "delivered_at",
    ]


def test_a_command_added_to_a_union_becomes_an_action_without_edits() -> None:
    class RecordKiteFlown(BaseModel):
        type: Literal["record_kite_flown"] = "record_kite_flown"

    union = Annotated[StartPlacement | RecordKiteFlown, Field(discriminator="type")]
    assert command_models(union) == [StartPlacement, RecordKiteFlown]
    assert action_name("record_kite_flown") == "kite-flown"
