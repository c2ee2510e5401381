"""The keyring: from the environment or an owner-only file; rotation keeps every old key."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from safeside.keyring import (
    Keyring,
    KeyringError,
    ensure_keyring_file,
    load_keyring,
    new_keyring,
    rotate_keyring_file,
)
from safeside.private_files import is_owner_only
from safeside.settings import Settings
from safeside.temporal import data_converter
from tests.support.security import TEST_KEYRING


def test_a_new_keyring_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "data" / "encryption-keys.json"
    assert ensure_keyring_file(path) is True
    assert is_owner_only(path)
    first = load_keyring(Settings(data_dir=tmp_path / "data"))
    assert ensure_keyring_file(path) is False  # never replaced once made
    assert load_keyring(Settings(encryption_key_file=path)) == first


def test_rotation_makes_a_new_current_key_and_keeps_the_old_ones(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    ensure_keyring_file(tmp_path / "encryption-keys.json")
    before = load_keyring(settings)
    after = rotate_keyring_file(settings)
    assert after.current_key_id != before.current_key_id
    assert after.keys.items() >= before.keys.items()
    assert load_keyring(settings) == after
    assert is_owner_only(tmp_path / "encryption-keys.json")


def test_a_keyring_from_the_environment_cannot_be_rotated_in_a_file() -> None:
    settings = Settings(encryption_key=SecretStr(TEST_KEYRING.to_json()))
    assert load_keyring(settings) == TEST_KEYRING
    with pytest.raises(KeyringError, match="SAFESIDE_ENCRYPTION_KEY"):
        rotate_keyring_file(settings)


def test_no_keyring_says_how_to_make_one_and_no_converter_is_built(tmp_path: Path) -> None:
    with pytest.raises(KeyringError, match="run `safeside dev` once"):
        data_converter(Settings(data_dir=tmp_path))


def test_a_keyring_that_is_not_one_is_refused_without_echoing_it() -> None:
    secret = '{"current_key_id": "k1", "keys": {"k1": "c2hvcnQ="}}'
    with pytest.raises(KeyringError, match="not 32 bytes") as refused:
        load_keyring(Settings(encryption_key=SecretStr(secret)))
    assert "c2hvcnQ" not in str(refused.value)
    with pytest.raises(KeyringError, match="is not a keyring"):
        load_keyring(Settings(encryption_key=SecretStr("not json at all")))


def test_keys_never_appear_in_a_keyring_repr() -> None:
    keyring = new_keyring()
    assert keyring.to_json().split('"keys"')[1].split('"')[3] not in repr(keyring)
    assert isinstance(keyring, Keyring)
