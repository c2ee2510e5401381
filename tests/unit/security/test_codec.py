"""The payload codec: AES-256-GCM, the key id in every payload, rotation, compression, clear
errors."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload

from safeside.codec import (
    COMPRESSION,
    ENCODING,
    KEY_ID,
    EncryptionCodec,
    PayloadTampered,
    UnknownEncryptionKey,
)
from safeside.keyring import Keyring, rotated
from tests.support.security import TEST_KEYRING, fixed_key

PLAIN = Payload(metadata={"encoding": b"json/plain"}, data=b'{"case_reference": "CASE-4471"}')
LARGE = Payload(
    metadata={"encoding": b"json/plain"},
    data=b"["
    + b",".join(b'{"kind": "leaflet", "due": "2026-12-0%d"}' % (i % 9) for i in range(60))
    + b"]",
)


async def test_a_payload_is_encrypted_under_the_current_key_and_decrypts_back() -> None:
    codec = EncryptionCodec(TEST_KEYRING)
    [sealed] = await codec.encode([PLAIN])
    assert sealed.metadata["encoding"] == ENCODING
    assert sealed.metadata[KEY_ID] == b"test-k1"
    assert b"CASE-4471" not in sealed.SerializeToString()
    assert b"json/plain" not in sealed.SerializeToString()
    assert await codec.decode([sealed]) == [PLAIN]


async def test_the_same_payload_encrypts_differently_each_time() -> None:
    codec = EncryptionCodec(TEST_KEYRING)
    first, second = await codec.encode([PLAIN, PLAIN])
    assert first.data != second.data


async def test_after_a_rotation_old_payloads_decode_and_new_ones_use_the_new_key() -> None:
    before = EncryptionCodec(TEST_KEYRING)
    [old] = await before.encode([PLAIN])
    keyring = rotated(TEST_KEYRING)
    after = EncryptionCodec(keyring)
    [new] = await after.encode([PLAIN])
    assert new.metadata[KEY_ID].decode() == keyring.current_key_id != "test-k1"
    assert await after.decode([old, new]) == [PLAIN, PLAIN]


async def test_a_payload_under_a_key_the_keyring_lacks_is_a_clear_error() -> None:
    only_new = Keyring(current_key_id="test-k2", keys={"test-k2": fixed_key("k2")})
    [old] = await EncryptionCodec(TEST_KEYRING).encode([PLAIN])
    with pytest.raises(UnknownEncryptionKey, match=r"key id 'test-k1'.*add that key"):
        await EncryptionCodec(only_new).decode([old])


async def test_a_payload_under_other_key_material_with_the_same_id_fails_authentication() -> None:
    impostor = Keyring(current_key_id="test-k1", keys={"test-k1": fixed_key("other")})
    [sealed] = await EncryptionCodec(TEST_KEYRING).encode([PLAIN])
    with pytest.raises(PayloadTampered, match="test-k1"):
        await EncryptionCodec(impostor).decode([sealed])


async def test_a_payload_relabelled_with_another_key_id_fails_authentication() -> None:
    keyring = rotated(TEST_KEYRING)
    [sealed] = await EncryptionCodec(keyring).encode([PLAIN])
    relabelled = Payload(metadata={"encoding": ENCODING, KEY_ID: b"test-k1"}, data=sealed.data)
    with pytest.raises(PayloadTampered):
        await EncryptionCodec(keyring).decode([relabelled])


async def test_a_large_payload_is_compressed_before_it_is_encrypted() -> None:
    codec = EncryptionCodec(TEST_KEYRING)
    [sealed, small] = await codec.encode([LARGE, PLAIN])
    assert sealed.metadata[COMPRESSION] == b"zlib"
    assert len(sealed.data) < len(LARGE.SerializeToString()) / 4
    assert b"leaflet" not in sealed.SerializeToString()
    assert COMPRESSION not in small.metadata  # too small to gain from it
    assert await codec.decode([sealed, small]) == [LARGE, PLAIN]


async def test_adding_or_removing_the_compression_label_fails_authentication() -> None:
    codec = EncryptionCodec(TEST_KEYRING)
    [compressed, plain] = await codec.encode([LARGE, PLAIN])
    unlabelled = Payload(metadata={"encoding": ENCODING, KEY_ID: b"test-k1"}, data=compressed.data)
    labelled = Payload(metadata={**plain.metadata, COMPRESSION: b"zlib"}, data=plain.data)
    for altered in (unlabelled, labelled):
        with pytest.raises(PayloadTampered, match="failed authentication"):
            await codec.decode([altered])
    strange = Payload(metadata={**compressed.metadata, COMPRESSION: b"lz4"}, data=compressed.data)
    with pytest.raises(PayloadTampered, match="compression this process does not read"):
        await codec.decode([strange])


async def test_a_payload_sealed_before_compression_existed_still_decodes() -> None:
    nonce = b"\x01" * 12
    sealed = AESGCM(fixed_key("k1")).encrypt(nonce, LARGE.SerializeToString(), b"test-k1")
    old = Payload(metadata={"encoding": ENCODING, KEY_ID: b"test-k1"}, data=nonce + sealed)
    assert await EncryptionCodec(TEST_KEYRING).decode([old]) == [LARGE]


async def test_a_payload_that_was_never_encrypted_passes_decode_unchanged() -> None:
    assert await EncryptionCodec(TEST_KEYRING).decode([PLAIN]) == [PLAIN]


async def test_a_failure_message_and_stack_trace_are_encrypted_too() -> None:
    from temporalio.api.failure.v1 import Failure
    from temporalio.exceptions import ApplicationError

    from safeside.temporal import data_converter
    from tests.support.security import security_settings

    converter = data_converter(security_settings())
    try:
        raise ApplicationError("Amina was last seen at 12 Markerfield Road", type="domain")
    except ApplicationError as error:
        failure = Failure()
        await converter.encode_failure(error, failure)
    wire = failure.SerializeToString()
    assert b"Markerfield" not in wire
    assert failure.message == "Encoded failure"
    decoded = await converter.decode_failure(failure)
    assert "Markerfield" in str(decoded)
