"""The payload codec: every payload is encrypted with AES-256-GCM before it reaches Temporal.

Each encrypted payload names, in its metadata, the id of the key that encrypted it; new
payloads use the keyring's current key, and any key still in the keyring decrypts, so
histories written before a rotation still decode. The key id is also the GCM associated data,
so a payload relabelled with another key id fails authentication.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

from safeside.errors import SafesideError
from safeside.keyring import Keyring

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12


class UnknownEncryptionKey(SafesideError):
    """A payload names a key id this process's keyring does not hold."""


class PayloadTampered(SafesideError):
    """A payload does not decrypt under the key it names: wrong key material or altered."""


class EncryptionCodec(PayloadCodec):
    def __init__(self, keyring: Keyring) -> None:
        self._current = keyring.current_key_id
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keyring.keys.items()}

    @property
    def current_key_id(self) -> str:
        return self._current

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._encrypt(payload) for payload in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._decrypt(payload) for payload in payloads]

    def _encrypt(self, payload: Payload) -> Payload:
        nonce = os.urandom(NONCE_BYTES)
        key_id = self._current.encode()
        sealed = self._ciphers[self._current].encrypt(nonce, payload.SerializeToString(), key_id)
        return Payload(metadata={"encoding": ENCODING, KEY_ID: key_id}, data=nonce + sealed)

    def _decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload  # not ours to decrypt (written by Temporal itself, or plain)
        key_id = payload.metadata.get(KEY_ID, b"").decode(errors="replace")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise UnknownEncryptionKey(
                f"a payload was encrypted with key id {key_id!r}, which this process's keyring "
                f"does not hold (it holds {sorted(self._ciphers)}): add that key to the keyring "
                "(SAFESIDE_ENCRYPTION_KEY or SAFESIDE_ENCRYPTION_KEY_FILE)"
            )
        nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        try:
            plain = cipher.decrypt(nonce, sealed, key_id.encode())
        except (InvalidTag, ValueError):  # ValueError: data shorter than a nonce
            raise PayloadTampered(
                f"a payload under key id {key_id!r} failed authentication: the key material "
                "differs from the one that encrypted it, or the payload was altered"
            ) from None
        return Payload.FromString(plain)
