"""Rendering pages: the templates, the headers every page carries, and the route class that
turns the project's errors into pages (or, for htmx, into a message in place), never into the
API's JSON."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode, urlsplit

from fastapi import Depends
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from temporalio.service import RPCError

from safeside.db import UNREACHABLE
from safeside.errors import ServiceUnavailable
from safeside.log import get_logger, server_unreachable
from starter.api.dependencies import ServicesDep
from starter.services.connection import Services
from starter.services.permissions import Denied, View
from starter.services.placements import PlacementNotFound
from starter.services.units import UnitNotFound
from starter.web.chronology_words import sentence
from starter.web.format import FILTERS, TESTS
from starter.web.session import CSRF_FIELD, SIGN_IN_PATH
from starter.web.viewer import SignedIn, SignInRequired, Viewer, viewer_of

log = get_logger("safeside.web")
T = TypeVar("T")

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

templates = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.filters.update(FILTERS)
templates.filters["sentence"] = sentence
templates.tests.update(TESTS)
templates.globals["View"] = View

# Pages hold personal data: never cached, never framed, scripts and styles from here only.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


class PageNotFound(Exception):
    """No such page or form; the message says so in plain words."""


def is_htmx(request: Request) -> bool:
    """Whether htmx asked (a fragment is answered); otherwise a whole page is."""
    return request.headers.get("HX-Request") == "true"


def render(
    request: Request,
    template: str,
    *,
    viewer: Viewer | None,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    html = templates.get_template(template).render(
        request=request,
        viewer=viewer,
        csrf_field=CSRF_FIELD,
        now=datetime.now(UTC),
        **context,
    )
    return HTMLResponse(html, status_code=status, headers={**PAGE_HEADERS, **(headers or {})})


@dataclass(frozen=True)
class PageRequest:
    """A signed-in person's request for a page: the request, who they are, and the services
    every read and record goes through."""

    request: Request
    viewer: Viewer
    services: Services

    def render(
        self,
        template: str,
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        **context: Any,
    ) -> HTMLResponse:
        """``template`` for this person."""
        return render(
            self.request, template, viewer=self.viewer, status=status, headers=headers, **context
        )


async def page_request(request: Request, viewer: SignedIn, services: ServicesDep) -> PageRequest:
    return PageRequest(request=request, viewer=viewer, services=services)


# What a page's route takes: the request, by whom, with the services.
Asked = Annotated[PageRequest, Depends(page_request)]


def see_other(url: str, headers: Mapping[str, str] | None = None) -> RedirectResponse:
    """After a POST: the browser GETs ``url`` (post/redirect/get)."""
    return RedirectResponse(url, status_code=303, headers={**PAGE_HEADERS, **(headers or {})})


def problem(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    """A whole page saying what went wrong, or (for htmx) the message alone, in place."""
    template = "_problem.html" if is_htmx(request) else "problem.html"
    viewer = viewer_of(request)  # for the navigation: whoever is signed in, if anyone
    return render(request, template, viewer=viewer, status=status, title=title, detail=detail)


def sign_in_again(request: Request, *, ended: bool) -> Response:
    log.info("sign-in required", path=request.url.path, session_ended=ended)
    query = {"ended": "1"} if ended else {}
    if request.method == "GET":  # back to this page once signed in (htmx: the page itself)
        current = request.headers.get("HX-Current-URL")
        page = urlsplit(current).path if current else request.url.path
        if page != "/":
            query["next"] = page
    target = f"{SIGN_IN_PATH}?{urlencode(query)}" if query else SIGN_IN_PATH
    if is_htmx(request):  # htmx follows this header with a full page load
        return HTMLResponse("", status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303, headers=PAGE_HEADERS)


# What a page says while PostgreSQL does not answer: what waits for it, and what still works.
DATABASE_DOWN = (
    "Safeside's database did not answer: lists, the chronology and who was told wait for it. "
    "A child's own page still shows their live record (status, deadlines, missing episodes). "
    "Try again shortly."
)


async def unless_database_down(read: Awaitable[T]) -> T | None:
    """What ``read`` gives, or None while PostgreSQL does not answer: a page shows its other
    parts (those from a workflow) and says in place of this one that it waits."""
    try:
        return await read
    except UNREACHABLE as exc:
        said = "PostgreSQL did not answer: a page shows its live parts only"
        server_unreachable(log, "PostgreSQL", said, error=type(exc).__name__)
        return None


class PageRoute(APIRoute):
    """A web page's route: errors become pages, in plain words."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def page(request: Request) -> Response:
            path = request.url.path
            try:
                return await handle(request)
            except SignInRequired as exc:
                return sign_in_again(request, ended=exc.ended)
            except Denied as exc:
                log.info("page denied", path=request.url.path)
                return problem(request, 403, "Not open to your role", str(exc))
            except (PlacementNotFound, UnitNotFound, PageNotFound) as exc:
                return problem(request, 404, "Not found", str(exc))
            except RequestValidationError:
                return problem(
                    request, 404, "Not found", "There is no such page: check the address."
                )
            except ServiceUnavailable as exc:
                return problem(request, 503, "Safeside cannot answer just now", str(exc))
            except RPCError as exc:
                said = "the Temporal server did not answer a page"
                server_unreachable(log, "Temporal", said, path=path, status=exc.status.name)
                return problem(
                    request,
                    503,
                    "Safeside cannot answer just now",
                    f"the Temporal server did not answer ({exc.status.name}): try again shortly",
                )
            except UNREACHABLE as exc:
                said = "PostgreSQL did not answer a page"
                server_unreachable(log, "PostgreSQL", said, path=path, error=type(exc).__name__)
                return problem(request, 503, "Safeside cannot answer just now", DATABASE_DOWN)

        return page
