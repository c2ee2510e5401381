"""The test keyring, token secret and tokens: every test server, client and worker encrypts
with these, so tests see the same converter as production, never a plaintext shortcut."""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from safeside.keyring import Keyring
from safeside.settings import Settings
from safeside.tokens import Principal, TokenVerifier
from workflows.domain.common import Role


def fixed_key(label: str) -> bytes:
    return hashlib.sha256(f"safeside-test-{label}".encode()).digest()


TEST_KEYRING = Keyring(current_key_id="test-k1", keys={"test-k1": fixed_key("k1")})
TEST_TOKEN_SECRET = "test-signing-secret-" + "x" * 32


def security_settings(keyring: Keyring = TEST_KEYRING, **changes: Any) -> Settings:
    """Settings with the test keyring and signing secret, plus ``changes``. The access log's
    spool is a folder of these settings' own (made only if an entry ever waits there), never
    the checkout's data folder, where a running ``make run`` keeps its own."""
    changes.setdefault(
        "spool_dir", Path(tempfile.gettempdir()) / f"safeside-test-spool-{uuid.uuid4().hex}"
    )
    return Settings(
        encryption_key=SecretStr(keyring.to_json()),
        auth_token_secret=SecretStr(TEST_TOKEN_SECRET),
        **changes,
    )


def security_env(keyring: Keyring = TEST_KEYRING) -> dict[str, str]:
    """The same, as environment variables for a command or a subprocess."""
    return {
        "SAFESIDE_ENCRYPTION_KEY": keyring.to_json(),
        "SAFESIDE_AUTH_TOKEN_SECRET": TEST_TOKEN_SECRET,
    }


def token_for(role: Role | str, subject: str = "staff-test", *, hours: float = 1) -> str:
    verifier = TokenVerifier.from_settings(security_settings())
    principal = Principal(subject=subject, role=Role(role))
    return verifier.issue(principal, lifetime=timedelta(hours=hours))


def bearer(role: Role | str, subject: str = "staff-test") -> dict[str, str]:
    """The Authorization header of a person in ``role``."""
    return {"Authorization": f"Bearer {token_for(role, subject)}"}
