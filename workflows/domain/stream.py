"""The kit every event stream is built from, so placements and units share it once.

- `StreamEvent`: the header each event carries (its stream, its place in it, when, who, and
  the shape it was written in).
- `header`: the header a decision stamps on the events it returns, numbered on from the state.
- `ensure_next`: the guard of every fold: an event belongs to this stream and comes next.
- `EventCatalog`: the storage form. An event is stored under its stable `type` name and a
  `schema_version`, never under a Python import path, so classes can be renamed or moved
  without breaking 75 years of rows. When an event's shape changes, bump its
  `schema_version` default and give the catalog an upcaster so old rows read as the new shape.
"""

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Generic, Protocol, TypedDict, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from workflows.domain.common import Actor, OpaqueId, Ordinal, UtcDatetime
from workflows.domain.errors import DomainError, EventOutOfOrder

Payload = dict[str, Any]
# Turns a stored shape of one schema version into the next version's shape.
Upcaster = Callable[[Payload], Payload]


class StreamEvent(BaseModel):
    """The header of every event. The stream id is a placement id; a unit's stream narrows it
    to its own `unit:` form."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stream_id: OpaqueId
    version: Ordinal
    occurred_at: UtcDatetime
    actor: Actor
    schema_version: int = Field(default=1, ge=1)
    # Set on a step done before Safeside was there, recorded by the manager who adopted the
    # placement (``workflows.domain.adoption``): shown apart in the chronology, and it owes
    # nobody a notice. Left out of every dump when not set, so an event recorded live is
    # stored and carried exactly as before, and old rows read as recorded live.
    recorded_on_adoption: bool = Field(default=False, exclude_if=lambda adopted: not adopted)


class StreamPosition(Protocol):
    """Where a stream's state stands: the events a decision returns are numbered on from it."""

    @property
    def stream_id(self) -> str: ...

    @property
    def version(self) -> int: ...


class Header(TypedDict):
    stream_id: str
    version: int
    occurred_at: datetime
    actor: Actor


def header(state: StreamPosition, now: datetime, actor: Actor, position: int = 1) -> Header:
    """The header of the `position`th event a decision returns (1 for the first)."""
    return {
        "stream_id": state.stream_id,
        "version": state.version + position,
        "occurred_at": now,
        "actor": actor,
    }


def ensure_next(state: StreamPosition, event: StreamEvent, *, label: str = "") -> None:
    """Refuse an event of another stream, or one that is not the next version; `label` names
    the kind of stream in the refusal when its id does not say it ("placement ")."""
    if event.stream_id != state.stream_id:
        raise EventOutOfOrder(
            f"event {event.version} belongs to {label}{event.stream_id}, "
            f"not to {label}{state.stream_id}"
        )
    if event.version != state.version + 1:
        raise EventOutOfOrder(
            f"event {event.version} cannot follow version {state.version} "
            f"of {label}{state.stream_id}"
        )


EventT = TypeVar("EventT", bound=StreamEvent)


class EventCatalog(Generic[EventT]):
    """How one kind of stream's events are stored and read back.

    `union` is the stream's discriminated union of event classes; `what` names its events in
    refusals ("event", "unit event"); `upcasters` maps (type name, schema version it reads) to
    the function giving the next version's shape.
    """

    def __init__(
        self, union: Any, *, what: str, upcasters: Mapping[tuple[str, int], Upcaster] | None = None
    ) -> None:
        self.adapter: TypeAdapter[EventT] = TypeAdapter(union)
        self.what = what
        classes: tuple[type[StreamEvent], ...] = get_args(get_args(union)[0])
        self.current_schema_versions: dict[str, int] = {
            cls.model_fields["type"].default: cls.model_fields["schema_version"].default
            for cls in classes
        }
        self.upcasters: dict[tuple[str, int], Upcaster] = dict(upcasters or {})

    def to_stored(self, event: EventT) -> tuple[str, int, Payload]:
        """The stable type name, schema version and a JSON-safe payload (without those two)."""
        payload = event.model_dump(mode="json")
        type_name: str = payload.pop("type")
        return type_name, payload.pop("schema_version"), payload

    def from_stored(self, type_name: str, schema_version: int, payload: Payload) -> EventT:
        """Read a stored event, upcasting older shapes to the current one."""
        current = self.current_schema_versions.get(type_name)
        if current is None:
            raise DomainError(f"a stored {self.what} has an unknown type {type_name!r}")
        if not 1 <= schema_version <= current:
            raise DomainError(
                f"a stored {type_name!r} event has schema version {schema_version}, "
                f"but this release reads versions 1 to {current}"
            )
        shape = dict(payload)
        for version in range(schema_version, current):
            shape = self.upcasters[(type_name, version)](shape)
        shape["type"] = type_name
        shape["schema_version"] = current
        return self.adapter.validate_python(shape)
