"""The data converter the saved histories were written with: the project's own
(``safeside.temporal.data_converter``), so payloads are saved as workers really see them.

The histories are encrypted, so they are saved with the keyring that encrypted them
(``histories/test-keyring.json``): a key for these made-up test stories only, never used
anywhere else. The recorder creates it when it is missing.
"""

from __future__ import annotations

from pathlib import Path

from temporalio.converter import DataConverter

from safeside.keyring import ensure_keyring_file
from safeside.settings import Settings
from safeside.temporal import data_converter

HISTORIES = Path(__file__).resolve().parent / "histories"
KEYRING_FILE = HISTORIES / "test-keyring.json"


def replay_data_converter(*, create_keyring: bool = False) -> DataConverter:
    if create_keyring:
        ensure_keyring_file(KEYRING_FILE)
    return data_converter(Settings(encryption_key=None, encryption_key_file=KEYRING_FILE))
