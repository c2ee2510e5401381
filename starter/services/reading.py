"""Reading about children, for a signed-in caller: the one gate every door goes through.

``open_placement`` decides whether the caller may read a view of one placement, and writes
the read (allowed or refused) to the access log before anything is read; ``open_view`` decides
a read across placements, or of a unit. Each hands back a grant whose methods are the only
reads of that view, every answer redacted for the caller's role (``redaction``). Whatever else
comes to decide who may read a child (unit membership, allocation, break-glass) belongs in
these two functions, and what a list may show in the grant's methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Unpack

from safeside.tokens import Principal
from starter.services import access_log, audit_trail, lists, placements, today, units
from starter.services.audit_trail import ChronologyPage
from starter.services.connection import Services
from starter.services.lists import DeadlineFilters, PlacementFilters
from starter.services.permissions import VIEWS, Denied, View, check_view, hidden_fields
from starter.services.redaction import redacted_answer


async def open_placement(
    services: Services, caller: Principal, view: View, placement_id: str
) -> PlacementRead:
    """Leave to read ``view`` of one placement: the read is in the access log, allowed or
    refused, before Denied (when refused) or anything is read."""
    allowed = caller.role in VIEWS[view]
    await access_log.record_read(services.pool, caller, view.value, placement_id, allowed=allowed)
    check_view(caller.role, view)
    return PlacementRead(services, caller, view, placement_id)


def open_view(services: Services, caller: Principal, view: View) -> ViewRead:
    """Leave to read ``view`` across placements (or of a unit); Denied when refused."""
    check_view(caller.role, view)
    return ViewRead(services, caller, view)


@dataclass(frozen=True)
class _Grant:
    services: Services
    caller: Principal
    view: View

    def _require(self, view: View) -> None:
        if view is not self.view:  # a door's mistake, never a person's
            raise RuntimeError(f"leave to read the {self.view.value} does not read the {view}")

    def _redacted(self, answer: Any) -> Any:
        return redacted_answer(self.caller.role, answer)


@dataclass(frozen=True)
class PlacementRead(_Grant):
    placement_id: str

    async def state(self) -> Any:
        """The live state, from the placement's workflow."""
        self._require(View.placement_state)
        client = self.services.client
        return self._redacted(await placements.current_state(client, self.placement_id))

    async def deadlines(self) -> Any:
        """The open deadlines as of now, soonest first, from the placement's workflow."""
        self._require(View.placement_deadlines)
        client = self.services.client
        return self._redacted(await placements.open_deadlines(client, self.placement_id))

    async def handover(self) -> Any:
        self._require(View.handover)
        return self._redacted(await placements.handover(self.services.client, self.placement_id))

    async def audit_trail(self, *, after_version: int, limit: int) -> Any:
        """The audit trail from PostgreSQL, in version order."""
        self._require(View.audit_trail)
        page = await audit_trail.audit_trail(
            self.services.pool, self.placement_id, after_version=after_version, limit=limit
        )
        return self._redacted(page)

    async def chronology(
        self, *, event_type: str | None, before_version: int | None, limit: int, known: bool
    ) -> Any:
        """The audit trail newest first. ``known``: the placement is known to exist (its
        workflow answered), so a trail with no entry yet is one whose first events are still
        on their way, not an unknown placement (PlacementNotFound)."""
        self._require(View.audit_trail)
        try:
            page = await audit_trail.chronology(
                self.services.pool,
                self.placement_id,
                event_type=event_type,
                before_version=before_version,
                limit=limit,
            )
        except placements.PlacementNotFound:
            if not known:
                raise
            page = ChronologyPage(
                placement_id=self.placement_id, entries=[], next_before_version=None
            )
        return self._redacted(page)


@dataclass(frozen=True)
class ViewRead(_Grant):
    async def placements(self, **filters: Unpack[PlacementFilters]) -> Any:
        """Placements from the projections in id order, filtered, a page at a time."""
        self._require(View.placement_list)
        role = self.caller.role
        if filters.get("unit") is not None and "unit_id" in hidden_fields(role):
            # Filtering by unit would tell which children live there.
            raise Denied(f"the role {role.value} may not list placements by unit")
        return self._redacted(await lists.list_placements(self.services.pool, **filters))

    async def deadlines(self, **filters: Unpack[DeadlineFilters]) -> Any:
        """Open deadlines of every open placement, soonest first, a page at a time."""
        self._require(View.deadline_list)
        return self._redacted(await lists.list_deadlines(self.services.pool, **filters))

    async def escalations(self, *, since: datetime, limit: int) -> Any:
        """Escalations raised since ``since``, the newest first (for deadline readers)."""
        self._require(View.deadline_list)
        pool = self.services.pool
        return self._redacted(await today.recent_escalations(pool, since=since, limit=limit))

    async def unit_handover(self, unit_id: str) -> Any:
        """The unit's handover view (R16): each resident child and the unit's own duties."""
        self._require(View.unit_handover)
        return self._redacted(await units.unit_handover(self.services.client, unit_id))

    async def unit_checks(self, *, limit: int) -> Any:
        """Each unit with children living in it, and its next whereabouts check (R4)."""
        self._require(View.unit_handover)
        unit_ids = await today.units_with_children(self.services.pool, limit=limit)
        return self._redacted(await today.next_unit_checks(self.services.client, unit_ids))

    async def access_log(self, *, placement: str | None, after: int, limit: int) -> Any:
        """Every read of a placement (allowed or refused), oldest first, a page at a time."""
        self._require(View.access_log)
        page = await access_log.list_access_log(
            self.services.pool, placement_id=placement, after=after, limit=limit
        )
        return self._redacted(page)


async def missing_now(services: Services, caller: Principal, *, limit: int) -> Any:
    """Children missing now, for every staff role (the unit of one is location)."""
    found = await today.missing_now(services.pool, limit=limit)
    return redacted_answer(caller.role, found)
