"""The one way to reach Temporal: a client with the project's data converter.

Payloads are pydantic models (``temporalio.contrib.pydantic``); the encryption codec of the
security issue plugs in here, so every client and worker gets it.
"""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter

from safeside.errors import ServiceUnavailable
from safeside.settings import Settings


def data_converter() -> DataConverter:
    return pydantic_data_converter


async def connect(settings: Settings, *, address: str | None = None) -> Client:
    """Connect to the Temporal frontend named by the settings (or ``address``).

    Raises ``ServiceUnavailable`` with a message saying which server and how to start it.
    """
    target = address or settings.temporal_address
    try:
        return await Client.connect(
            target,
            namespace=settings.temporal_namespace,
            data_converter=data_converter(),
        )
    except RuntimeError as exc:  # the SDK's core reports connection failures as RuntimeError
        raise ServiceUnavailable(
            f"cannot reach the Temporal server at {target}: start the stack with `make run` "
            "or set SAFESIDE_TEMPORAL_ADDRESS"
        ) from exc
