"""The keys that encrypt Temporal payloads: a current key for new payloads and the older keys
kept so histories written before a rotation still decode.

One format, in ``SAFESIDE_ENCRYPTION_KEY`` or in the file ``SAFESIDE_ENCRYPTION_KEY_FILE``
names (by default ``encryption-keys.json`` in the data folder, which ``safeside dev`` creates)::

    {"current_key_id": "k20261127-3f9a1c2e",
     "keys": {"k20261127-3f9a1c2e": "<32 random bytes, base64>", "k20250301-...": "..."}}

Key ids travel in each payload's metadata, so they are random labels, never derived from a key.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from safeside.errors import SafesideError
from safeside.private_files import write_private_file
from safeside.settings import Settings

KEY_BYTES = 32  # AES-256
DEV_KEYRING_FILE = "encryption-keys.json"
_KEY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


class KeyringError(SafesideError):
    """No keyring, or one that cannot be used; the message names the source, never a key."""


@dataclass(frozen=True)
class Keyring:
    current_key_id: str
    keys: dict[str, bytes] = field(repr=False)

    def __post_init__(self) -> None:
        if self.current_key_id not in self.keys:
            raise KeyringError(f"the current key id {self.current_key_id!r} has no key")
        for key_id, key in self.keys.items():
            if not _KEY_ID.match(key_id):
                raise KeyringError(f"key id {key_id!r} is not a short opaque label")
            if len(key) != KEY_BYTES:
                raise KeyringError(f"key {key_id!r} is not {KEY_BYTES} bytes (AES-256)")

    def to_json(self) -> str:
        keys = {key_id: base64.b64encode(key).decode() for key_id, key in self.keys.items()}
        return json.dumps({"current_key_id": self.current_key_id, "keys": keys}, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, *, source: str) -> Keyring:
        try:
            document = json.loads(text)
            keys = {
                str(key_id): base64.b64decode(value, validate=True)
                for key_id, value in document["keys"].items()
            }
            return cls(current_key_id=str(document["current_key_id"]), keys=keys)
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as exc:
            raise KeyringError(
                f"{source} is not a keyring ({type(exc).__name__}): expected "
                '{"current_key_id": ID, "keys": {ID: base64 of 32 bytes}}'
            ) from None


def new_key_id() -> str:
    return f"k{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(4)}"


def new_keyring() -> Keyring:
    key_id = new_key_id()
    return Keyring(current_key_id=key_id, keys={key_id: secrets.token_bytes(KEY_BYTES)})


def rotated(keyring: Keyring) -> Keyring:
    """A new current key; every old key kept, so old histories still decode."""
    key_id = new_key_id()
    while key_id in keyring.keys:
        key_id = new_key_id()
    return Keyring(
        current_key_id=key_id, keys={**keyring.keys, key_id: secrets.token_bytes(KEY_BYTES)}
    )


def keyring_file(settings: Settings) -> Path:
    return settings.encryption_key_file or settings.data_dir / DEV_KEYRING_FILE


def load_keyring(settings: Settings) -> Keyring:
    """The keyring from SAFESIDE_ENCRYPTION_KEY, else from the keyring file."""
    if settings.encryption_key is not None:
        return Keyring.from_json(
            settings.encryption_key.get_secret_value(), source="SAFESIDE_ENCRYPTION_KEY"
        )
    path = keyring_file(settings)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KeyringError(
            f"no encryption keyring at {path}: set SAFESIDE_ENCRYPTION_KEY or "
            "SAFESIDE_ENCRYPTION_KEY_FILE, or run `safeside dev` once to create one"
        ) from None
    return Keyring.from_json(text, source=str(path))


def ensure_keyring_file(path: Path) -> bool:
    """Create a keyring file (owner-only) if there is none; True when created now."""
    if path.exists():
        return False
    write_private_file(path, new_keyring().to_json())
    return True


def rotate_keyring_file(settings: Settings) -> Keyring:
    """``safeside keys rotate``: a new current key in the keyring file, old keys kept."""
    if settings.encryption_key is not None:
        raise KeyringError(
            "the keyring comes from SAFESIDE_ENCRYPTION_KEY: rotate it where that value is "
            "kept, or use a keyring file (SAFESIDE_ENCRYPTION_KEY_FILE)"
        )
    keyring = rotated(load_keyring(settings))
    write_private_file(keyring_file(settings), keyring.to_json())
    return keyring
