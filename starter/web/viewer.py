"""Who is looking at a page: the pages' own caller dependency (the session cookie, never a
bearer token; the session itself is kept on the server), and the CSRF check every POST form
passes before anything is done."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from safeside.tokens import Principal
from starter.services.permissions import (
    Denied,
    View,
    may_read,
    may_record,
    may_record_on_unit,
)
from starter.web.session import CSRF_FIELD, session_cookie, web_sessions
from workflows.domain.common import Role


class SignInRequired(Exception):
    """No session, or one that is over (``ended``: idle too long, past its absolute limit, or
    signed out): the page sends the person to sign in."""

    def __init__(self, *, ended: bool) -> None:
        super().__init__("your session has ended" if ended else "sign in to continue")
        self.ended = ended


@dataclass(frozen=True)
class Viewer:
    principal: Principal
    # Every form of the page carries it (``CSRF_FIELD``).
    csrf_token: str

    @property
    def role(self) -> Role:
        return self.principal.role

    def sent(self, csrf_token: object) -> bool:
        """Whether a form carrying ``csrf_token`` came from this session's pages."""
        return isinstance(csrf_token, str) and secrets.compare_digest(
            csrf_token.encode(), self.csrf_token.encode()
        )

    def can_read(self, view: View) -> bool:
        return may_read(self.role, view)

    def may_record(self, key: str) -> bool:
        return may_record(self.role, key)

    def may_record_on_unit(self, key: str) -> bool:
        return may_record_on_unit(self.role, key)


async def session_viewer(request: Request) -> Viewer:
    """The person the session cookie names: SignInRequired without a session that is still
    open on the server (a copy of a signed-out session's cookie is no use)."""
    cookie = session_cookie(request)
    if cookie is None:
        raise SignInRequired(ended=False)
    session = await web_sessions(request).find(cookie)
    if session is None:
        raise SignInRequired(ended=True)
    return Viewer(principal=session.principal, csrf_token=session.csrf_token)


async def signed_in(request: Request) -> Viewer:
    """The pages' caller dependency. The viewer is kept on the request for the navigation of
    a page that goes wrong later (``pages.problem``), so the session is checked once."""
    viewer = await session_viewer(request)
    request.state.viewer = viewer
    return viewer


def viewer_of(request: Request) -> Viewer | None:
    """Whoever ``signed_in`` found for this request, if it ran and found someone."""
    viewer = getattr(request.state, "viewer", None)
    return viewer if isinstance(viewer, Viewer) else None


SignedIn = Annotated[Viewer, Depends(signed_in)]

FormFields = dict[str, str]


async def checked_form(request: Request, viewer: SignedIn) -> FormFields:
    """The submitted form's text fields, once its CSRF token matches the session's."""
    form = await request.form()
    submitted = form.get(CSRF_FIELD)
    if not viewer.sent(submitted):
        raise Denied("this form did not come from your session: reload the page and try again")
    return {name: value for name, value in form.items() if isinstance(value, str)}


CheckedForm = Annotated[FormFields, Depends(checked_form)]
