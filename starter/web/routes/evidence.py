"""Inspection evidence as printable pages and CSV files: the regulation 40 notifications
register and the missing-from-care record, of a unit (its own Duty and Registered Managers) or
of one child (those, and the auditor, who sees structure only), over a period chosen on the
page. Reads go through the same gate as the API's (``starter.services.evidence``); a printed
page carries no navigation, only its heading, period and tables (``safeside.css``, print)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from starlette.responses import Response

from starter.services import evidence, ssda903
from starter.services.permissions import View
from starter.services.reading import PlacementRead, UnitRead, open_placement, open_unit
from starter.web.pages import PAGE_HEADERS, Asked, PageRequest, PageRoute
from starter.web.viewer import signed_in
from workflows.domain.common import OPAQUE_ID_PATTERN

router = APIRouter(route_class=PageRoute, dependencies=[Depends(signed_in)])

Id = Annotated[str, Path(pattern=OPAQUE_ID_PATTERN)]


@dataclass(frozen=True)
class Evidence:
    """One kind of evidence: its view, its address, its title and its rows' reader."""

    view: View
    slug: str
    title: str
    template: str
    columns: tuple[tuple[str, str], ...]


REGISTER = Evidence(
    View.reg40_register,
    "reg40-register",
    "Regulation 40 notifications register",
    "evidence_register.html",
    evidence.REG40_COLUMNS,
)
RECORD = Evidence(
    View.missing_record,
    "missing-record",
    "Missing-from-care record",
    "evidence_missing_record.html",
    evidence.MISSING_RECORD_COLUMNS,
)


@dataclass
class Period:
    """The period asked for, as typed, and what is wrong with it (by "from" and "to")."""

    first: date | None
    last: date | None
    typed: dict[str, str]
    problems: dict[str, str]


def asked_period(asked: PageRequest) -> Period:
    """The period from the address (``?from=YYYY-MM-DD&to=YYYY-MM-DD``), or the default."""
    first, last = evidence.default_period(datetime.now(UTC))
    query = asked.request.query_params
    typed = {
        "from": query.get("from") or first.isoformat(),
        "to": query.get("to") or last.isoformat(),
    }
    days: dict[str, date] = {}
    problems: dict[str, str] = {}
    for end, text in typed.items():
        try:
            days[end] = date.fromisoformat(text)
        except ValueError:
            problems[end] = "give a day as YYYY-MM-DD, such as 2026-03-31"
    if not problems:
        problems = ssda903.period_problems(days["from"], days["to"])
    if problems:
        return Period(None, None, typed, problems)
    return Period(days["from"], days["to"], typed, {})


async def _rows(kind: Evidence, read: PlacementRead | UnitRead, period: Period) -> list[Any]:
    if period.first is None or period.last is None:
        return []
    if kind is REGISTER:
        return await evidence.reg40_register(read, period.first, period.last)
    return await evidence.missing_record(read, period.first, period.last)


async def _page(
    asked: PageRequest, kind: Evidence, read: PlacementRead | UnitRead, subject: dict[str, Any]
) -> Response:
    period = asked_period(asked)
    rows = await _rows(kind, read, period)
    return asked.render(
        kind.template,
        status=422 if period.problems else 200,
        kind=kind,
        period=period,
        rows=rows,
        csv_url=f"{asked.request.url.path}.csv?{asked.request.url.query}",
        **subject,
    )


async def _csv(
    kind: Evidence, read: PlacementRead | UnitRead, subject: str, asked: PageRequest
) -> Response:
    period = asked_period(asked)
    if period.first is None or period.last is None:
        return await _page(asked, kind, read, {"subject_id": subject})
    rows = await _rows(kind, read, period)
    name = evidence.csv_name(kind.slug, subject, period.first, period.last)
    return Response(
        evidence.as_csv(rows, kind.columns),
        media_type="text/csv; charset=utf-8",
        headers={**PAGE_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
    )


async def _unit(
    asked: PageRequest, unit_id: str, kind: Evidence
) -> tuple[UnitRead, dict[str, Any]]:
    read = await open_unit(asked.services, asked.viewer.principal, unit_id, kind.view)
    return read, {"unit_id": unit_id, "unit_name": await read.display_name(), "subject_id": unit_id}


async def _placement(asked: PageRequest, placement_id: str, kind: Evidence) -> PlacementRead:
    return await open_placement(asked.services, asked.viewer.principal, kind.view, placement_id)


def _add_routes(kind: Evidence) -> None:
    unit_page = f"/web/units/{{unit_id}}/{kind.slug}"
    placement_page = f"/web/placements/{{placement_id}}/{kind.slug}"

    @router.get(unit_page, name=f"unit_{kind.slug}")
    async def unit_evidence(asked: Asked, unit_id: Id) -> Response:
        read, subject = await _unit(asked, unit_id, kind)
        return await _page(asked, kind, read, subject)

    @router.get(unit_page + ".csv", name=f"unit_{kind.slug}_csv")
    async def unit_evidence_csv(asked: Asked, unit_id: Id) -> Response:
        read, _ = await _unit(asked, unit_id, kind)
        return await _csv(kind, read, unit_id, asked)

    @router.get(placement_page, name=f"placement_{kind.slug}")
    async def placement_evidence(asked: Asked, placement_id: Id) -> Response:
        read = await _placement(asked, placement_id, kind)
        return await _page(
            asked, kind, read, {"placement_id": placement_id, "subject_id": placement_id}
        )

    @router.get(placement_page + ".csv", name=f"placement_{kind.slug}_csv")
    async def placement_evidence_csv(asked: Asked, placement_id: Id) -> Response:
        read = await _placement(asked, placement_id, kind)
        return await _csv(kind, read, placement_id, asked)


for _kind in (REGISTER, RECORD):
    _add_routes(_kind)
