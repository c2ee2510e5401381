"""A size limit on request bodies: a larger one is answered 413 before any of it is parsed.

Without it, a 10 MB body of unknown keys held the API for seconds and its 422 listed every key.
The codec takes more, since a Temporal payload (up to 2 MB) is larger again in base64."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from starter.api.problems import Problem

MAX_BODY_BYTES = 1024 * 1024
MAX_CODEC_BODY_BYTES = 8 * 1024 * 1024
CODEC_PREFIX = "/codec/"


def body_limit(path: str) -> int:
    return MAX_CODEC_BODY_BYTES if path.startswith(CODEC_PREFIX) else MAX_BODY_BYTES


class BodySizeLimit:
    """Reads the body up to the path's limit, then hands it on whole (or answers 413)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _too_large(send, limit)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        whole: list[Message] = [{"type": "http.request", "body": b"".join(chunks)}]

        async def replay() -> Message:
            return whole.pop() if whole else await receive()

        await self.app(scope, replay, send)


async def _too_large(send: Send, limit: int) -> None:
    detail = f"the request body is larger than {limit // 1024 // 1024} MB"
    body = Problem(detail=detail).model_dump_json().encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
