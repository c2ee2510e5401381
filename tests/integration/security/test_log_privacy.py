"""A whole story through the API and the worker, every log line of every logger captured at
INFO: no name, address, phone number, language or unit reaches a log line."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import httpx
import pytest

from safeside.db import Pool
from safeside.log import configure_logging
from tests.integration.security.scenario import MARKERS, play_story
from tests.support.starter import eventually

pytestmark = pytest.mark.usefixtures("worker")


@pytest.fixture
def every_log_line() -> Iterator[io.StringIO]:
    configure_logging("json", "INFO")
    captured = io.StringIO()
    root = logging.getLogger()
    for handler in root.handlers:
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(captured)
    quiet = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    for name in quiet:
        logging.getLogger(name).setLevel(logging.NOTSET)  # every logger, down to INFO
    yield captured
    for name, level in quiet.items():
        logging.getLogger(name).setLevel(level)
    configure_logging("console", "WARNING")


async def test_no_marker_value_reaches_any_log_line(
    api: httpx.AsyncClient, pool: Pool, every_log_line: io.StringIO
) -> None:
    placement_id = await play_story(api)
    for route in ("", "/handover", "/audit", "/deadlines"):
        assert (await api.get(f"/placements/{placement_id}{route}")).status_code == 200

    async def notified() -> bool:
        pending = await pool.fetchval(
            "SELECT count(*) FROM notifications WHERE stream_id = $1 AND status = 'pending'",
            placement_id,
        )
        return bool(pending == 0)

    await eventually(notified, within=60)
    lines = every_log_line.getvalue()
    assert "notification sent" in lines  # the capture sees the worker's lines
    assert placement_id in lines
    for marker in MARKERS:
        assert marker not in lines, f"{marker!r} reached a log line"
