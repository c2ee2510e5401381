"""The Philomena Protocol profile as a printable page for the police: part 1 (recorded at
arrival and kept up to date) and part 2 (the open missing episode's report, or the latest),
read through the gate (``View.philomena_profile``), so the read is in the access log and the
page is whole for the staff of the child's unit alone; anyone else who may read the child
sees its headings, each field "hidden". Printed, it carries no navigation (``safeside.css``,
print)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.responses import Response

from starter.api.dependencies import PlacementId
from starter.services.permissions import View
from starter.services.reading import open_placement
from starter.web.pages import Asked, PageRoute
from starter.web.viewer import signed_in

router = APIRouter(route_class=PageRoute, dependencies=[Depends(signed_in)])

PAGE = "/web/placements/{placement_id}/philomena"


@router.get(PAGE)
async def show(asked: Asked, placement_id: PlacementId) -> Response:
    read = await open_placement(
        asked.services, asked.viewer.principal, View.philomena_profile, placement_id
    )
    return asked.render("philomena.html", sheet=await read.philomena_profile())
