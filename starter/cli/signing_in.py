"""Who is at the keyboard: the command line acts as the person ``SAFESIDE_TOKEN`` names.

Every command that reads or records about a child, a unit or the organisation goes through
``signed_in``: the token is checked exactly as the HTTP API checks a bearer token (signature,
issuer, audience, lifetime, a role that signs in, a session not ended by signing out) before
anything is read or written, and the command then calls the service layer as that person, so
the permission table, relationships and the access log decide for the command line as they do
for the API and the web page. The operator's commands (``db``, ``keys``, ``dev``, ``demo``...)
need no token.

The token is read from the setting only, never from an option: an option would leave it in the
shell's history and in the list of running processes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from safeside.settings import Settings
from safeside.tokens import InvalidToken, Principal, TokenVerifier, VerifiedToken
from starter.services.connection import Services, connected, database
from starter.services.permissions import STAFF_ROLES, Denied
from starter.services.sessions import PostgresEndedSessions

SIGN_IN_FIRST = (
    "sign in first: set SAFESIDE_TOKEN to a token from your identity provider or "
    "`safeside token issue`"
)


class NotSignedIn(Exception):
    """No token, or one that cannot be trusted: the message says why, never what it held."""

    def __init__(self, why: str | None = None) -> None:
        super().__init__(SIGN_IN_FIRST if why is None else f"{SIGN_IN_FIRST} ({why})")


@dataclass(frozen=True)
class SignedIn:
    """The servers, and the person the command acts as."""

    services: Services
    caller: Principal


def verified_token(settings: Settings) -> VerifiedToken:
    """The token's every check but the database's (NotSignedIn, Denied for a role that does
    not sign in): made before any server is reached."""
    if settings.token is None or not settings.token.get_secret_value().strip():
        raise NotSignedIn()
    verifier = TokenVerifier.from_settings(settings)
    try:
        verified = verifier.verify_token(settings.token.get_secret_value().strip())
    except InvalidToken as exc:
        raise NotSignedIn(str(exc)) from None
    role = verified.principal.role
    if role not in STAFF_ROLES:
        raise Denied(f"the role {role.value} does not sign in to Safeside")
    return verified


@asynccontextmanager
async def signed_in(settings: Settings) -> AsyncIterator[SignedIn]:
    """Both servers, for the person the token names; NotSignedIn before anything is read or
    written when there is no token or it cannot be trusted, or its session has ended."""
    verified = verified_token(settings)
    async with connected(settings) as services:
        if await PostgresEndedSessions(services.pool).is_ended(verified):
            raise NotSignedIn("the token's session was ended by signing out: ask for a new one")
        yield SignedIn(services=services, caller=verified.principal)


async def end_token(settings: Settings) -> None:
    """Sign out: the token in ``SAFESIDE_TOKEN`` is ended on the server (``signed_in`` and the
    API refuse it from now on). Ending a token twice is the same as once."""
    verified = verified_token(settings)
    async with database(settings) as pool:
        await PostgresEndedSessions(pool).end(verified)
