"""What the Temporal server holds: encrypted payloads under opaque workflow ids, nothing a
reader of its database (or of the web UI without the codec) could learn a child from."""

from __future__ import annotations

import re

import httpx
import pytest
from temporalio.api.common.v1 import Payload
from temporalio.client import Client

from safeside.codec import ENCODING, KEY_ID
from safeside.db import Pool
from safeside.ids import placement_workflow_id
from starter.services.connection import Services
from tests.integration.security.scenario import MARKERS, play_story
from tests.support.security import TEST_KEYRING
from tests.support.starter import eventually, trail_length
from workflows.domain.common import OPAQUE_ID_PATTERN

pytestmark = pytest.mark.usefixtures("worker")


async def _stored_story(api: httpx.AsyncClient, pool: Pool, services: Services) -> str:
    placement_id = await play_story(api)
    state = (await api.get(f"/placements/{placement_id}")).json()

    async def all_stored() -> bool:
        return await trail_length(pool, placement_id) >= state["version"]

    await eventually(all_stored, within=60)
    return placement_id


async def _client_without_codec(services: Services) -> Client:
    config = services.client.service_client.config
    return await Client.connect(config.target_host, namespace=services.client.namespace)


async def test_the_raw_history_holds_no_plaintext_of_any_start_fact_or_action_field(
    api: httpx.AsyncClient, pool: Pool, services: Services
) -> None:
    placement_id = await _stored_story(api, pool, services)
    raw = await _client_without_codec(services)
    handle = raw.get_workflow_handle(placement_workflow_id(placement_id))
    history = await handle.fetch_history()
    wire = b"".join(event.SerializeToString() for event in history.events)

    for marker in MARKERS:
        assert marker.encode() not in wire, f"{marker!r} is in the history in plaintext"
    for fact in (b"Tigrinya", b"Markerborough", b"sw-204", b'"high"', b"ukvi_relevant"):
        assert fact not in wire
    assert ENCODING in wire
    assert TEST_KEYRING.current_key_id.encode() in wire

    # The same bytes, through the codec, hold the facts: the check above can see plaintext.
    started = history.events[0].workflow_execution_started_event_attributes.input.payloads
    assert all(p.metadata[KEY_ID] == b"test-k1" for p in started)
    codec = services.client.data_converter.payload_codec
    assert codec is not None
    decoded: list[Payload] = await codec.decode(started)
    assert b"CASE-MARKER-7731" in b"".join(p.data for p in decoded)


async def test_workflow_ids_and_search_attributes_hold_opaque_ids_only(
    api: httpx.AsyncClient, pool: Pool, services: Services
) -> None:
    placement_id = await _stored_story(api, pool, services)
    raw = await _client_without_codec(services)
    description = await raw.get_workflow_handle(placement_workflow_id(placement_id)).describe()
    assert description.id == f"placement-{placement_id}"
    assert re.fullmatch(OPAQUE_ID_PATTERN, placement_id)
    info = description.raw_description.workflow_execution_info
    visible = info.search_attributes.SerializeToString() + info.memo.SerializeToString()
    for marker in MARKERS:
        assert marker.encode() not in visible
    for payload in info.memo.fields.values():  # a memo, if ever added, is encrypted too
        assert payload.metadata["encoding"] == ENCODING
    async for execution in raw.list_workflows(f"WorkflowId = '{description.id}'"):
        assert execution.id == description.id
        assert not any(marker in str(execution.search_attributes) for marker in MARKERS)
