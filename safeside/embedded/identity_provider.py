"""The development identity provider: a real OpenID Connect provider on loopback, so a
newcomer signs in on a login page (the demo staff are listed there) and never pastes a token.

It is oidc-provider-mock (the ``dev`` extra) in a process of its own
(``safeside.embedded.identity_provider_app``), with JWT access tokens and a route to rotate its
signing key. Its state (users typed in, codes, the key) lives in memory: a restart makes a new
key, so sessions signed in before it are asked to sign in again.
"""

from __future__ import annotations

import importlib.util
import json
import signal
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import httpx

from safeside.embedded import processes
from safeside.errors import StackStartError

APP_MODULE = "safeside.embedded.identity_provider_app"
ROTATE_PATH = "/dev/rotate-signing-key"
# The claims its users' tokens carry, which the dev stack reads (SAFESIDE_OIDC_STAFF_CLAIM,
# SAFESIDE_OIDC_ROLE_CLAIM): ``sub`` is only the login page's name for the user.
STAFF_CLAIM = "staff_ref"
ROLE_CLAIM = "role"


@dataclass(frozen=True)
class ProviderUser:
    """One person as the provider knows them: ``sub`` is what the login page lists; ``claims``
    go into their ID and access tokens (``staff_ref``, ``role``)."""

    sub: str
    claims: dict[str, str]


@dataclass
class EmbeddedIdentityProvider(processes.ChildServer):
    what = "the identity provider"
    # uvicorn's graceful shutdown, as on Ctrl-C.
    stop_signal = signal.SIGINT
    stop_within = 10

    data_dir: Path
    port: int
    users: tuple[ProviderUser, ...] = ()
    api_audience: str = "safeside-api"
    token_max_age: timedelta = timedelta(hours=1)

    @property
    def issuer(self) -> str:
        """Exactly as the provider writes ``iss``: the address it is reached at, no slash."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "identity-provider.log"

    def command(self) -> list[str]:
        users = [{"sub": user.sub, "claims": user.claims} for user in self.users]
        return [
            sys.executable,
            "-m",
            APP_MODULE,
            "--port",
            str(self.port),
            "--audience",
            self.api_audience,
            "--token-max-age-seconds",
            str(int(self.token_max_age.total_seconds())),
            "--users",
            json.dumps(users),
        ]

    async def start(self) -> None:
        if importlib.util.find_spec("oidc_provider_mock") is None:
            raise StackStartError(
                "the development identity provider (oidc-provider-mock) is not installed: "
                "run `make run`, or `pip install -e '.[dev]'`; or set SAFESIDE_OIDC_ISSUER to "
                "sign in through a provider of your own"
            )
        processes.ensure_port_free(self.port, self.what, "SAFESIDE_DEV_IDENTITY_PROVIDER_PORT")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        await self._run(self.command())

    async def _ready(self) -> bool:
        if not processes.port_accepts(self.port):
            return False
        url = f"{self.issuer}/.well-known/openid-configuration"
        try:
            async with httpx.AsyncClient(timeout=2) as client:
                answer = await client.get(url)
        except httpx.HTTPError:
            return False
        return answer.status_code == 200

    async def rotate_signing_key(self) -> str:
        """A new signing key, the old one gone from the JWKS; returns the new ``kid``."""
        async with httpx.AsyncClient(timeout=10) as client:
            answer = await client.post(f"{self.issuer}{ROTATE_PATH}")
        answer.raise_for_status()
        kid: str = answer.json()["kid"]
        return kid

    async def add_user(self, sub: str, claims: dict[str, str]) -> None:
        """A user (or new claims for one) from now on, until the provider stops: the mock's
        ``PUT /users/{sub}``."""
        async with httpx.AsyncClient(timeout=10) as client:
            answer = await client.put(f"{self.issuer}/users/{quote(sub, safe='')}", json=claims)
        answer.raise_for_status()
