"""How payloads become Python values: pydantic, with one cache of type adapters per process.

The SDK makes a payload converter for every workflow it runs (and again for each replay), and
``temporalio.contrib.pydantic``'s converter keeps its type adapters in the converter, so every
workflow taken up built its own adapters for the same few types (its input, its commands, its
results) before it could read its first payload. Here they are built once per type and shared
by every converter of the process. (Type hints are the domain's own classes, imported once, so
every workflow asks with the same hashable hint.)
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic import TypeAdapter
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter
from temporalio.converter import (
    CompositePayloadConverter,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
)

# Enough for every type the workflows and activities exchange, many times over.
ADAPTERS_CACHED = 512


@functools.lru_cache(maxsize=ADAPTERS_CACHED)
def _adapter(type_hint: Any) -> TypeAdapter[Any]:
    return TypeAdapter(type_hint)


def adapter_for(type_hint: Any) -> TypeAdapter[Any]:
    """The process's type adapter for ``type_hint`` (a new one for an unhashable hint)."""
    try:
        hash(type_hint)
    except TypeError:
        return TypeAdapter(type_hint)
    return _adapter(type_hint)


class SharedAdapterJSONConverter(PydanticJSONPlainPayloadConverter):
    """``temporalio.contrib.pydantic``'s JSON converter, reading through the shared adapters."""

    def __init__(self) -> None:
        super().__init__(max_cached_type_adapters=0)  # its own cache, unused

    def from_payload(self, payload: Payload, type_hint: type | None = None) -> Any:
        return adapter_for(Any if type_hint is None else type_hint).validate_json(payload.data)


# It holds nothing of its own, so one serves every converter the SDK makes (one a workflow).
_JSON = SharedAdapterJSONConverter()


class SafesidePayloadConverter(CompositePayloadConverter):
    """The SDK's default converters, with the shared pydantic JSON converter in place of JSON."""

    def __init__(self) -> None:
        super().__init__(
            *(
                _JSON if isinstance(converter, JSONPlainPayloadConverter) else converter
                for converter in DefaultPayloadConverter.default_encoding_payload_converters
            )
        )
