"""A run begun by today's code records one change marker, for its generation, and not one for
each change it has: each marker costs the run two history events and about 10 KiB of the
worker's memory for as long as the run is cached (``workflows/changes.py``).

Between them the scenarios below reach every change of the generation: a placement's reports
to its unit and their riding with appends, its steady timer, batched deliveries, a notice given
up on, and the hand-over at continue-as-new; a unit's run. Runs begun before the generation
asked about each change, and replay so (``test_replay.py``)."""

from __future__ import annotations

import json

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.testing import WorkflowEnvironment

from tests.replay.record_histories import SCENARIOS, record
from workflows.changes import GENERATION


def change_markers(history: WorkflowHistory) -> list[str]:
    """The change (patch) each marker of the run records, in order."""
    changes = []
    for event in history.events:
        if event.event_type != EventType.EVENT_TYPE_MARKER_RECORDED:
            continue
        marker = event.marker_recorded_event_attributes
        if marker.marker_name == "core_patch":
            (payload,) = marker.details["patch-data"].payloads
            changes.append(json.loads(payload.data)["id"])
    return changes


@pytest.mark.parametrize(
    "scenario", ["continue_as_new_boundaries", "notification_given_up", "a_unit_day"]
)
async def test_every_run_records_one_change_marker(
    time_skipping_env: WorkflowEnvironment, scenario: str
) -> None:
    histories = await record(time_skipping_env, SCENARIOS[scenario])

    assert histories
    for history in histories:
        assert change_markers(history) == [GENERATION]
