"""The access log's spool: entries wait on local disk in the order they went in, survive the
process, and a spool that cannot be written refuses the read rather than lose its entry
(``starter.services.spool``, ``starter.services.access_log.record_read``)."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from safeside.errors import ServiceUnavailable
from safeside.tokens import Principal
from starter.services import access_log
from starter.services.connection import Services
from starter.services.spool import Spool, SpoolUnusable
from tests.support.security import security_settings
from workflows.domain.common import Role
from workflows.domain.policy import Policy

KEY_WORKER = Principal(subject="staff-17", role=Role.key_worker)


class FakePool:
    """PostgreSQL as ``record_read`` sees it: it stores entries, or does not answer."""

    def __init__(self) -> None:
        self.answers = True
        self.stored: list[Any] = []

    async def executemany(self, _: str, rows: list[Any]) -> None:
        if not self.answers:
            raise ConnectionRefusedError("PostgreSQL is stopped")
        self.stored.extend(rows)


def services_with(pool: FakePool, spool: Spool | None) -> Services:
    settings = security_settings()
    return Services(client=None, pool=pool, settings=settings, policy=Policy(), access_spool=spool)


async def read(services: Services, placement_id: str) -> None:
    await access_log.record_read(
        services, access_log.read_by(KEY_WORKER, "placement_state", placement_id, allowed=True)
    )


def waiting(spool: Spool) -> list[str | None]:
    entries = [access_log.LoggedRead.model_validate_json(d) for _, d in spool.oldest(100)]
    return [entry.placement_id for entry in entries]


def test_no_file_is_made_until_an_entry_waits(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool" / "access-log-spool.sqlite")
    assert not spool.holds_entries()
    assert spool.oldest(10) == []
    assert not spool.path.parent.exists()
    spool.append("{}")
    assert spool.holds_entries()


def test_entries_come_out_in_the_order_they_went_in_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "access-log-spool.sqlite"
    first = Spool(path)
    for n in range(5):
        first.append(f'"entry {n}"')
    first.close()
    again = Spool(path)  # another process, after a restart
    assert [document for _, document in again.oldest(3)] == ['"entry 0"', '"entry 1"', '"entry 2"']
    again.remove_through(again.oldest(2)[-1][0])
    assert [document for _, document in again.oldest(10)] == ['"entry 2"', '"entry 3"', '"entry 4"']


def test_the_spool_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool" / "access-log-spool.sqlite")
    spool.append("{}")
    assert stat.S_IMODE(spool.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(spool.path.parent.stat().st_mode) == 0o700


def test_a_spool_that_cannot_be_written_says_which_setting_to_check(tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_text("")
    spool = Spool(tmp_path / "not-a-folder" / "access-log-spool.sqlite")
    with pytest.raises(SpoolUnusable, match="SAFESIDE_SPOOL_DIR") as refused:
        spool.append("{}")
    assert isinstance(refused.value, ServiceUnavailable)  # the read is answered 503


async def test_a_read_goes_to_postgresql_while_it_answers(tmp_path: Path) -> None:
    pool, spool = FakePool(), Spool(tmp_path / "access-log-spool.sqlite")
    await read(services_with(pool, spool), "PL-1")
    assert len(pool.stored) == 1
    assert not spool.holds_entries()


async def test_while_postgresql_does_not_answer_entries_wait_and_later_ones_queue_behind(
    tmp_path: Path,
) -> None:
    pool, spool = FakePool(), Spool(tmp_path / "access-log-spool.sqlite")
    services = services_with(pool, spool)
    pool.answers = False
    await read(services, "PL-1")
    await read(services, "PL-2")
    pool.answers = True
    # PostgreSQL answers again, but two entries still wait: the third goes behind them.
    await read(services, "PL-3")
    assert pool.stored == []
    assert waiting(spool) == ["PL-1", "PL-2", "PL-3"]


async def test_without_a_spool_a_read_postgresql_cannot_log_is_refused() -> None:
    pool = FakePool()
    pool.answers = False
    with pytest.raises(ConnectionRefusedError):
        await read(services_with(pool, None), "PL-1")


async def test_with_a_spool_that_cannot_be_written_the_read_is_refused(tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_text("")
    pool, spool = FakePool(), Spool(tmp_path / "not-a-folder" / "access-log-spool.sqlite")
    pool.answers = False
    with pytest.raises(SpoolUnusable):
        await read(services_with(pool, spool), "PL-1")
