"""The payload codec: every payload is encrypted with AES-256-GCM before it reaches Temporal.

Each encrypted payload names, in its metadata, the id of the key that encrypted it; new
payloads use the keyring's current key, and any key still in the keyring decrypts, so
histories written before a rotation still decode. The key id is also the GCM associated data,
so a payload relabelled with another key id fails authentication.

A payload of 256 bytes or more is compressed (zlib) before it is encrypted, when that makes it
shorter, and says so in its metadata (``compression: zlib``). A placement's payloads are JSON
that shrinks to about a fifth, and the SDK core keeps each cached run's payloads in memory: a
cached placement costs about 15 KiB less at arrival (``bench/LEVERS.md``).
The label is part of the associated data too, so adding or removing it fails authentication;
payloads sealed before compression carry no label and decode as they always did.

Compression makes a payload's length depend on its content, and the Temporal server sees
lengths. Learning a secret from lengths needs someone who can both put text of their choosing
into a child's payloads, many times over, and read the raw histories on the Temporal server:
the first is a member of staff with a relationship to the child (who may read most of the
record anyway), the second the server's operators. Each attempt would be an action in the
child's audit trail.
"""

from __future__ import annotations

import os
import zlib
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
COMPRESSION = "compression"
ZLIB = b"zlib"
COMPRESS_FROM_BYTES = 256


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
        metadata = {"encoding": ENCODING, KEY_ID: key_id}
        plain = payload.SerializeToString()
        if len(plain) >= COMPRESS_FROM_BYTES:
            packed = zlib.compress(plain)
            if len(packed) < len(plain):
                plain, metadata[COMPRESSION] = packed, ZLIB
        sealed = self._ciphers[self._current].encrypt(
            nonce, plain, _associated_data(key_id, metadata.get(COMPRESSION))
        )
        return Payload(metadata=metadata, data=nonce + sealed)

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
        compression = payload.metadata.get(COMPRESSION)
        if compression not in (None, ZLIB):
            raise PayloadTampered(
                f"a payload under key id {key_id!r} names a compression this process does not "
                f"read ({compression!r}): it was altered, or written by a newer Safeside"
            )
        nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        try:
            plain = cipher.decrypt(nonce, sealed, _associated_data(key_id.encode(), compression))
        except (InvalidTag, ValueError):  # ValueError: data shorter than a nonce
            raise PayloadTampered(
                f"a payload under key id {key_id!r} failed authentication: the key material "
                "differs from the one that encrypted it, or the payload was altered"
            ) from None
        return Payload.FromString(zlib.decompress(plain) if compression else plain)


def _associated_data(key_id: bytes, compression: bytes | None) -> bytes:
    """What GCM authenticates beside the payload: its key id, and its compression if any (so
    a payload sealed before compression existed is authenticated as it always was)."""
    return (
        key_id
        if compression is None
        else key_id + b"\x00" + COMPRESSION.encode() + b"=" + compression
    )
