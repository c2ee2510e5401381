"""The Temporal web UI, served through the web page's own origin at ``/temporal-ui``, for
signed-in managers only (the ``codec`` view: decoding shows everything, location included).

Why a proxy: the UI's page calls the codec endpoint from the browser, and the dev server's
UI has no way to send credentials with that call across origins. Served from the API's own
origin, the UI's codec calls (to ``/codec``, same origin) carry the session cookie like any
page's request, and its histories show decoded. The UI runs with ``--ui-public-path
/temporal-ui`` so its pages, assets and API calls all live under that path on both sides.

Read-only for everyone: only GET and HEAD are forwarded, so cancel, terminate, signal, reset,
update and start (the UI's POSTs) never reach Temporal through here; and the UI is told its
write actions are off (its settings, rewritten on the way), so it offers no such button.
Nothing of Safeside's sign-in goes upstream (no cookie, no Authorization header), and the
UI's own cookies are not passed back: writes are off and signing in is Safeside's.

The UI's address is ``app.state.temporal_ui_url`` (``safeside dev`` sets it); unset, there is
no UI here.
"""

from __future__ import annotations

import json

import httpx
from fastapi import APIRouter, Request
from starlette.responses import Response

from safeside.errors import ServiceUnavailable
from starter.services.permissions import Denied, View
from starter.web.pages import PageNotFound, PageRoute
from starter.web.viewer import SignedIn

PATH = "/temporal-ui"
READ_METHODS = frozenset({"GET", "HEAD"})
_EVERY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# RFC 9110 7.6.1: meaningful for one connection only, never forwarded.
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
# Safeside's sign-in stays here; httpx sets Host and the length itself.
_NOT_SENT_UP = _HOP_BY_HOP | {"host", "cookie", "authorization", "content-length"}
_NOT_SENT_BACK = _HOP_BY_HOP | {"set-cookie", "content-length"}
_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
# The UI reads what it may offer from here (its server's settings; UI 2.54).
SETTINGS_PATH = PATH + "/api/v1/settings"
WRITE_ACTION_SETTINGS = (
    "DisableWriteActions",
    "WorkflowTerminateDisabled",
    "WorkflowCancelDisabled",
    "WorkflowSignalDisabled",
    "WorkflowUpdateDisabled",
    "WorkflowResetDisabled",
    "WorkflowPauseDisabled",
    "BatchActionsDisabled",
    "StartWorkflowDisabled",
    "ActivityCommandsDisabled",
)

router = APIRouter(route_class=PageRoute)


def upstream_url(request: Request) -> str:
    url: str | None = getattr(request.app.state, "temporal_ui_url", None)
    if not url:
        raise PageNotFound("the Temporal web UI is not served here")
    return url.rstrip("/")


@router.api_route(PATH, methods=_EVERY_METHOD)
@router.api_route(PATH + "/{rest:path}", methods=_EVERY_METHOD)
async def temporal_ui(request: Request, viewer: SignedIn) -> Response:
    """The UI's page, asset or API answer, for a manager; 403 for any other role or method."""
    if not viewer.can_read(View.codec):
        raise Denied(
            f"the role {viewer.role.value} may not open the Temporal web UI: it shows every "
            "child's record decoded, for Duty and Registered Managers only"
        )
    if request.method not in READ_METHODS:
        raise Denied(
            "the Temporal web UI is read-only here: cancel, terminate, signal, reset, update "
            "and start are off for everyone (record changes through Safeside's own pages)"
        )
    upstream = upstream_url(request)
    target = httpx.URL(upstream + request.url.path, query=request.url.query.encode())
    headers = [
        (name, value) for name, value in request.headers.items() if name.lower() not in _NOT_SENT_UP
    ]
    rewriting = request.url.path == SETTINGS_PATH
    if rewriting:  # asked for uncompressed, to be read and rewritten
        headers = [(name, value) for name, value in headers if name.lower() != "accept-encoding"]
        headers.append(("accept-encoding", "identity"))
    async with httpx.AsyncClient(timeout=_TIMEOUT) as client:
        try:
            answer = await client.send(
                client.build_request(request.method, target, headers=headers), stream=True
            )
            try:
                # As sent (compressed or not): the browser reads its Content-Encoding.
                body = b"".join([chunk async for chunk in answer.aiter_raw()])
            finally:
                await answer.aclose()
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(
                f"the Temporal web UI did not answer ({type(exc).__name__}): is the Temporal "
                "dev server running?"
            ) from None
    back = [
        (name, _on_this_origin(value, upstream) if name.lower() == "location" else value)
        for name, value in answer.headers.multi_items()
        if name.lower() not in _NOT_SENT_BACK
    ]
    if rewriting and answer.status_code == 200:
        body = without_write_actions(body)
    response = Response(content=body, status_code=answer.status_code)
    for name, value in back:
        response.headers.append(name, value)
    return response


def without_write_actions(settings: bytes) -> bytes:
    """The UI's settings with every write action off, so its pages show no button the proxy
    would refuse."""
    parsed = json.loads(settings)
    parsed.update(dict.fromkeys(WRITE_ACTION_SETTINGS, True))
    return json.dumps(parsed).encode()


def _on_this_origin(location: str, upstream: str) -> str:
    """A redirect to the UI's own address, made a path on this origin."""
    return location.removeprefix(upstream) or "/"
