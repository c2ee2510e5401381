"""The one way to reach Temporal: a client with the project's data converter.

Payloads are pydantic models (``temporalio.contrib.pydantic``), encrypted by the payload codec
(``safeside.codec``) with the keyring the settings name; failure messages and stack traces are
moved into encoded attributes, so they are encrypted too. Every client, worker and test
environment gets its converter from ``data_converter``.
"""

from __future__ import annotations

import dataclasses

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes

from safeside.codec import EncryptionCodec
from safeside.errors import ServiceUnavailable
from safeside.keyring import load_keyring
from safeside.settings import Settings


def data_converter(settings: Settings) -> DataConverter:
    """Pydantic payloads, encrypted with the settings' keyring (KeyringError if there is none)."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec(load_keyring(settings)),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


async def connect(settings: Settings, *, address: str | None = None) -> Client:
    """Connect to the Temporal frontend named by the settings (or ``address``).

    Raises ``ServiceUnavailable`` with a message saying which server and how to start it, and
    ``KeyringError`` when no encryption keyring is configured.
    """
    converter = data_converter(settings)
    target = address or settings.temporal_address
    try:
        return await Client.connect(
            target, namespace=settings.temporal_namespace, data_converter=converter
        )
    except RuntimeError as exc:  # the SDK's core reports connection failures as RuntimeError
        raise ServiceUnavailable(
            f"cannot reach the Temporal server at {target}: start the stack with `make run` "
            "or set SAFESIDE_TEMPORAL_ADDRESS"
        ) from exc
