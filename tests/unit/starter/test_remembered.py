"""What PostgreSQL said last is used while it does not answer, for the grace and never longer
(``starter.services.remembered``)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from starter.services.remembered import Remembered, asked

GRACE = timedelta(minutes=30)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Database:
    """A question PostgreSQL answers with ``answer``, or does not answer at all."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.answers = True

    async def ask(self) -> str:
        if not self.answers:
            raise ConnectionRefusedError("PostgreSQL is stopped")
        return self.answer


async def test_every_request_asks_postgresql_afresh_while_it_answers() -> None:
    memory: Remembered[str, str] = Remembered(Clock())
    database = Database("in the directory")
    assert (await asked(database.ask, memory, "staff-17", grace=GRACE)).value == "in the directory"
    database.answer = "taken out of the directory"
    got = await asked(database.ask, memory, "staff-17", grace=GRACE)
    assert got.value == "taken out of the directory"
    assert got.age == timedelta(0)


async def test_while_postgresql_does_not_answer_its_last_answer_is_used_within_the_grace() -> None:
    clock = Clock()
    memory: Remembered[str, str] = Remembered(clock)
    database = Database("in the directory")
    await asked(database.ask, memory, "staff-17", grace=GRACE)
    database.answers = False
    clock.now += 29 * 60
    got = await asked(database.ask, memory, "staff-17", grace=GRACE)
    assert (got.value, got.age) == ("in the directory", timedelta(minutes=29))
    clock.now += 60
    with pytest.raises(ConnectionRefusedError):
        await asked(database.ask, memory, "staff-17", grace=GRACE)


async def test_with_nothing_remembered_the_failure_is_the_answer() -> None:
    memory: Remembered[str, str] = Remembered(Clock())
    database = Database("in the directory")
    await asked(database.ask, memory, "staff-17", grace=GRACE)
    database.answers = False
    with pytest.raises(ConnectionRefusedError):
        await asked(database.ask, memory, "staff-21", grace=GRACE)
    # A grace of nothing: every read waits for PostgreSQL.
    with pytest.raises(ConnectionRefusedError):
        await asked(database.ask, memory, "staff-17", grace=timedelta(0))


def test_a_forgotten_answer_is_never_recalled() -> None:
    memory: Remembered[str, str] = Remembered(Clock())
    memory.keep("session", "open")
    memory.forget("session")
    assert memory.recall("session", within=GRACE) is None
