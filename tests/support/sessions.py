"""An in-memory ``EndedSessions`` for tests that run the app without PostgreSQL; the contract
tests (tests/integration/security/test_ended_sessions.py) hold it to the real one's rules."""

from __future__ import annotations

from safeside.tokens import VerifiedToken


class InMemoryEndedSessions:
    def __init__(self) -> None:
        self._ended: set[str] = set()

    async def end(self, token: VerifiedToken) -> None:
        self._ended.add(token.token_id)

    async def is_ended(self, token: VerifiedToken) -> bool:
        return token.token_id in self._ended
