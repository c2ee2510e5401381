"""What a form says once it has recorded: "Recorded: the child's return at 03:40." — in
place (htmx), or on the page the browser is sent to after recording without script (the form
and its time in the address)."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request

from starter.web.form_specs import PLACEMENT_FORMS
from starter.web.forms import FormSpec
from starter.web.uk_time import london_today, spoken


def confirmation(spec: FormSpec, at: datetime | None) -> str:
    """What a recorded form says it recorded: "Recorded: the child's return at 03:40"."""
    when = "" if at is None else f" at {spoken(at, london_today(datetime.now(UTC)))}"
    return f"Recorded: {spec.recorded}{when}."


def recorded_after_redirect(request: Request) -> str | None:
    """The confirmation a page shows after a form recorded without script (post, redirect,
    get): the form and its time are in the address."""
    query = request.query_params
    spec = PLACEMENT_FORMS.get(query.get("recorded", ""))
    if spec is None:
        return None
    try:
        at = datetime.fromisoformat(query.get("at", ""))
    except ValueError:
        at = None
    return confirmation(spec, at if at is not None and at.tzinfo is not None else None)
