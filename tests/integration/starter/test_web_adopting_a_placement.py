"""The web page's "Adopt a placement" form: the Registered Manager gives the start facts and
the steps already done, dates in UK form; a good form adopts and opens the placement's page, a
wrong one shows every wrong field and starts nothing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import httpx
import pytest

from safeside.db import Pool
from starter.web import uk_time
from starter.web.session import CSRF_FIELD
from tests.support.adoptions import adoption_fields
from tests.support.placements import new_placement_id
from tests.support.sessions import OpenSession
from workflows.domain.common import LONDON

pytestmark = pytest.mark.usefixtures("worker")


def as_form(fields: dict[str, Any]) -> dict[str, str]:
    """The adoption's fields as the form posts them: each time in UK parts, yes or no, a list
    one item a line."""
    form: dict[str, str] = {}
    for name, value in fields.items():
        if name == "looked_after_since":
            form |= uk_time.date_parts(name, date.fromisoformat(value))
        elif isinstance(value, str) and name.endswith(("_at", "_since", "_by")):
            form |= uk_time.moment_parts(name, datetime.fromisoformat(value).astimezone(LONDON))
        elif isinstance(value, bool):
            form[name] = "yes" if value else "no"
        elif isinstance(value, list):
            form[name] = "\n".join(value)
        else:
            form[name] = str(value)
    return form


async def test_a_manager_adopts_a_placement_on_the_web_page(
    web: httpx.AsyncClient, manager: OpenSession, pool: Pool
) -> None:
    placement_id = new_placement_id()
    form = as_form(adoption_fields(placement_id, datetime.now(LONDON)))
    form[CSRF_FIELD] = manager.csrf_token

    page = await web.get("/web/adopt-placement", headers=manager.cookie_header)
    answer = await web.post("/web/adopt-placement", data=form, headers=manager.cookie_header)

    assert page.status_code == 200
    assert "Leaflet delivered at" in page.text
    assert answer.status_code == 303, answer.text[:2000]
    assert answer.headers["location"] == f"/web/placements/{placement_id}?started=1"
    assert await pool.fetchval(
        "SELECT true FROM placement_homes WHERE placement_id = $1", placement_id
    )


async def test_a_wrong_adoption_on_the_web_page_shows_its_fields_and_starts_nothing(
    web: httpx.AsyncClient, manager: OpenSession, pool: Pool
) -> None:
    placement_id = new_placement_id()
    fields = adoption_fields(placement_id, datetime.now(LONDON))
    del fields["leaflet_interpreter_reference"]
    form = as_form(fields) | {CSRF_FIELD: manager.csrf_token}

    answer = await web.post("/web/adopt-placement", data=form, headers=manager.cookie_header)

    assert answer.status_code == 422
    assert 'id="adopt-placement-leaflet_interpreter_reference-error"' in answer.text
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM placement_homes WHERE placement_id = $1", placement_id
        )
        == 0
    )
