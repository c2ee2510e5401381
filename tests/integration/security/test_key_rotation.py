"""A key rotation with placements open: histories written under the old key still decode
(a fresh worker replays them), new payloads use the new key, and a keyring without the old
key says which key it lacks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import ResetStickyTaskQueueRequest
from temporalio.client import Client

from safeside.codec import KEY_ID, UnknownEncryptionKey
from safeside.db import Pool
from safeside.ids import placement_workflow_id
from safeside.keyring import Keyring, rotated
from safeside.settings import Settings
from safeside.temporal import data_converter
from starter.services.placements import record_action, start_placement
from tests.support.placements import KEY_WORKER, new_placement_id, start_command
from tests.support.security import TEST_KEYRING, security_settings
from tests.support.starter import eventually, trail_length
from worker import build_worker
from workflows.domain.commands import RecordObservation
from workflows.domain.policy import Policy
from workflows.domain.state import PlacementState
from workflows.placement import PlacementWorkflow


async def _client(settings: Settings, keyring: Keyring) -> Client:
    return await Client.connect(
        settings.temporal_address, data_converter=data_converter(security_settings(keyring))
    )


async def _state(client: Client, placement_id: str) -> PlacementState:
    # Generous: on a loaded machine a new worker's first replay may take a while.
    handle = client.get_workflow_handle_for(
        PlacementWorkflow.run, placement_workflow_id(placement_id)
    )
    return await handle.query(PlacementWorkflow.current_state, rpc_timeout=timedelta(seconds=60))


async def _start_key_id(client: Client, placement_id: str) -> str:
    handle = client.get_workflow_handle(placement_workflow_id(placement_id))
    history = await handle.fetch_history()
    [payload] = history.events[0].workflow_execution_started_event_attributes.input.payloads
    return payload.metadata[KEY_ID].decode()


async def test_histories_under_the_old_key_decode_after_a_rotation(
    settings: Settings, pool: Pool
) -> None:
    arrived = datetime.now(UTC) - timedelta(hours=1)
    before = await _client(settings, TEST_KEYRING)
    old_placement = new_placement_id()
    async with build_worker(before, pool, settings):
        await start_placement(
            before, start_command(old_placement, arrived), policy=Policy(),
            task_queue=settings.task_queue,
        )  # fmt: skip
        version = (await _state(before, old_placement)).version

        async def settled() -> bool:
            # Stop the old worker between tasks, not in one (a task it held would time out).
            stored = await trail_length(pool, old_placement) >= version
            pending = await pool.fetchval(
                "SELECT count(*) FROM notifications WHERE stream_id = $1 AND status = 'pending'",
                old_placement,
            )
            return stored and pending == 0

        await eventually(settled, within=30)
    # The server would send the next task to the stopped worker's sticky queue first and wait
    # for it (up to 10 s); send it to the task queue, where the new worker will replay it.
    await before.workflow_service.reset_sticky_task_queue(
        ResetStickyTaskQueueRequest(
            namespace=before.namespace,
            execution=WorkflowExecution(workflow_id=placement_workflow_id(old_placement)),
        )
    )

    keyring = rotated(TEST_KEYRING)
    after = await _client(settings, keyring)
    new_placement = new_placement_id()
    # A new worker: no cached state, so it replays the old history from the server.
    async with build_worker(after, pool, settings):
        state = await _state(after, old_placement)
        assert state.facts is not None
        assert state.facts.case_reference == f"CASE-{old_placement}"
        observation = RecordObservation(
            actor=KEY_WORKER, category="mood", note_reference_or_text="LOG-1",
            observed_at=datetime.now(UTC),
        )  # fmt: skip
        recorded = await record_action(after, old_placement, observation)
        assert recorded.version == state.version + 1
        await start_placement(
            after, start_command(new_placement, arrived), policy=Policy(),
            task_queue=settings.task_queue,
        )  # fmt: skip
        assert (await _state(after, new_placement)).status == "open"

    assert await _start_key_id(after, old_placement) == "test-k1"
    assert await _start_key_id(after, new_placement) == keyring.current_key_id != "test-k1"

    only_new = Keyring(
        current_key_id=keyring.current_key_id,
        keys={keyring.current_key_id: keyring.keys[keyring.current_key_id]},
    )
    without_old = await _client(settings, only_new)
    handle = without_old.get_workflow_handle(placement_workflow_id(old_placement))
    history = await handle.fetch_history()
    codec = without_old.data_converter.payload_codec
    assert codec is not None
    started = history.events[0].workflow_execution_started_event_attributes.input.payloads
    with pytest.raises(UnknownEncryptionKey, match="key id 'test-k1'"):
        await codec.decode(started)
