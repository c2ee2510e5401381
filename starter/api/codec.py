"""POST /codec/encode and /codec/decode: the Temporal remote codec protocol, so the web UI and
``temporal workflow show --codec-endpoint`` can show payloads to staff allowed to see them.

Same authentication as the rest of the API (a bearer token), the ``codec`` view of the
permission table, and every decode written to the access log. The codec is the one in the
API's own Temporal client (``safeside.temporal.data_converter``).
"""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

from safeside.errors import ServiceUnavailable
from safeside.tokens import Principal
from starter.api.auth import permitted
from starter.api.dependencies import ServicesDep
from starter.api.problems import FieldProblem, responses
from starter.services.access_log import read_by, record_read
from starter.services.permissions import View

router = APIRouter(prefix="/codec", tags=["codec"])


# A workflow history's page of payloads is a few hundred at most; the body's size is bounded
# too (starter.api.body_limit).
MAX_PAYLOADS = 1000
MAX_METADATA_ENTRIES = 32


class JsonPayload(BaseModel):
    """A payload as the remote codec protocol writes it: bytes in base64."""

    metadata: Annotated[dict[str, str], Field(max_length=MAX_METADATA_ENTRIES)] = {}
    data: str = ""


class JsonPayloads(BaseModel):
    payloads: Annotated[list[JsonPayload], Field(max_length=MAX_PAYLOADS)] = []


class NotBase64(ValueError):
    def __init__(self, problem: FieldProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


CodecCaller = Annotated[Principal, Depends(permitted(View.codec))]


def _from_json(payloads: JsonPayloads) -> list[Payload]:
    decoded = []
    for index, payload in enumerate(payloads.payloads):
        try:
            metadata = {k: base64.b64decode(v, validate=True) for k, v in payload.metadata.items()}
            data = base64.b64decode(payload.data, validate=True)
        except ValueError:  # binascii.Error, or a character outside ASCII
            raise NotBase64(
                FieldProblem(field=f"payloads.{index}", message="metadata and data must be base64")
            ) from None
        decoded.append(Payload(metadata=metadata, data=data))
    return decoded


def _to_json(payloads: list[Payload]) -> JsonPayloads:
    return JsonPayloads(
        payloads=[
            JsonPayload(
                metadata={k: base64.b64encode(v).decode() for k, v in p.metadata.items()},
                data=base64.b64encode(p.data).decode(),
            )
            for p in payloads
        ]
    )


def _codec(services: ServicesDep) -> PayloadCodec:
    codec = services.client.data_converter.payload_codec
    if codec is None:  # every client is built with one; say so rather than echo plaintext
        raise ServiceUnavailable("this API process has no payload codec configured")
    return codec


@router.post("/encode", response_model=JsonPayloads, responses=responses(401, 403, 413, 422, 503))
async def encode(
    payloads: JsonPayloads, caller: CodecCaller, services: ServicesDep
) -> JsonPayloads:
    """Encrypt payloads with the current key."""
    return _to_json(await _codec(services).encode(_from_json(payloads)))


@router.post("/decode", response_model=JsonPayloads, responses=responses(401, 403, 413, 422, 503))
async def decode(
    payloads: JsonPayloads, caller: CodecCaller, services: ServicesDep
) -> JsonPayloads:
    """Decrypt payloads with the key each one names; recorded in the access log."""
    await record_read(services, read_by(caller, "codec_decode", None, allowed=True))
    return _to_json(await _codec(services).decode(_from_json(payloads)))
