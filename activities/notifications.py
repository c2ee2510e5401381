"""Notifications to partner agencies and roles (R3, R5, R7, R14): content and delivery.

The content is built from the placement's state when the event is appended, and kept on the
outbox row, so a delivery months later sends what was true then. It carries opaque
references only (case reference, placement id, unit id, deadline kind and due time, risk
level). Content for a purpose with more to say is built by the function registered for that
purpose in ``CONTENT_BUILDERS``: the Missing Children's Proforma for the police (R5) is one.

Where a child was last seen, is, or was found (the domain's ``LOCATION_FIELDS``), and the unit
or a unit check that names it, reach only the roles in ``LOCATION_ENTITLED_ROLES``:
``build_content`` removes those fields from every other recipient's details, whatever a
builder put there (``redacted_for``); a staff role's details are then redacted by the same
allow-list as its answers in the API (``safeside.need_to_know``).

Delivery is at-least-once with a key: the outbox row is locked while its message is sent, a
delivered row is never sent again, and every channel hands the receiver the idempotency key
(Message-ID, ``Idempotency-Key``) so the rare resend after a lost commit can be recognised.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

import asyncpg

from activities.channels import ChannelRouter
from activities.errors import (
    ActivityError,
    ChannelError,
    DeliveryFailed,
    NotificationNotFound,
    StoreUnavailable,
)
from activities.messages import Notification, NotificationContent
from safeside.contracts import activities as contract
from safeside.db import Pool
from safeside.log import get_logger
from safeside.need_to_know import DECIDED_ROLES, FIELDS, FieldGroup, visible_fields
from safeside.redact import redact
from workflows.domain.common import LOCATION_ENTITLED_ROLES, Role
from workflows.domain.events import PlacementEvent
from workflows.domain.notices import MISSING_CHILDREN_PROFORMA
from workflows.domain.state import PlacementState

log = get_logger(__name__)


ContentDetails = Callable[[PlacementState, PlacementEvent], dict[str, Any]]


def _event_fields(*names: str) -> ContentDetails:
    """Details copied from the event, by field name: a field the event does not have is a
    ``KeyError`` here, not a silent blank in a message to the police."""

    def details(state: PlacementState, event: PlacementEvent) -> dict[str, Any]:
        fields = event.model_dump(mode="json")
        return {name: fields[name] for name in names}

    return details


_deadline_details = _event_fields("deadline_id", "kind", "due_at")
_escalation_details = _event_fields("deadline_id", "kind", "due_at", "step_name", "notify_role")


def _placement_details(state: PlacementState, event: PlacementEvent) -> dict[str, Any]:
    facts = state.facts
    if facts is None:
        return {}
    return {
        "placing_authority": facts.placing_authority,
        "social_worker_reference": facts.social_worker_reference,
        "looked_after_since": facts.looked_after_since.isoformat(),
        "arrived_at": facts.arrived_at.isoformat(),
        "ukvi_relevant": facts.ukvi_relevant,
    }


def _missing_children_proforma(state: PlacementState, event: PlacementEvent) -> dict[str, Any]:
    """The Missing Children's Proforma (R5) with the Philomena Protocol part 2: for the police."""
    facts = state.facts
    episode = _event_fields(
        "episode_id",
        "kind",
        "last_seen_at",
        "last_seen_place_reference",
        "known_whereabouts_reference",
        "circumstances",
        "police_risk_grade",
        "clothing_reference",
        "description_reference",
    )(state, event)
    return episode | {
        "risk_factors": list(state.risk_factors),
        # Every child placed through Safeside is believed to be at risk of trafficking.
        "trafficking_concern": True,
        "nrm_referred": state.nrm_referred_at is not None,
        "ukvi_relevant": None if facts is None else facts.ukvi_relevant,
        "placing_authority": None if facts is None else facts.placing_authority,
        "social_worker_reference": None if facts is None else facts.social_worker_reference,
        "unit_contact": "the unit's Duty Manager",
        "previous_episodes": len(state.missing_episodes) - 1,
    }


# purpose -> the details that purpose adds.
CONTENT_BUILDERS: dict[str, ContentDetails] = {
    "placement_started": _placement_details,
    "placement_ended": _placement_details,
    "interpreter_requested": _event_fields("language"),
    "deadline_missed": _deadline_details,
    "escalation": _escalation_details,
    "risk_level_raised_to_high": _event_fields("from_level", "to_level"),
    MISSING_CHILDREN_PROFORMA: _missing_children_proforma,
    "missing_reported": _event_fields("episode_id", "kind", "last_seen_at", "police_risk_grade"),
    "reg40_police_involved": _event_fields("episode_id", "kind"),
    "child_returned": _event_fields(
        "episode_id", "returned_at", "found_by_reference", "where_found_reference"
    ),
    "return_interview_held": _event_fields("episode_id", "held_at"),
    "enquiry_recorded": _event_fields("channel", "enquirer_reference", "question", "received_at"),
    "visitor_verification_needed": _event_fields("visitor_reference", "stated_relationship"),
    "unverified_visit_attempted": _event_fields(
        "visitor_reference", "attempted_at", "visitor_was_proposed"
    ),
    "phone_release_confirmed": _event_fields("confirmation_reference", "confirmed_at"),
    "restriction_imposed": _event_fields("kind", "starts_at", "review_by"),
    "restriction_renewed": _event_fields("kind", "review_by"),
    "restriction_lifted": _event_fields("kind", "lifted_at"),
    "contact_assessment_requested": _event_fields("contact_person_reference", "relationship"),
    "suspicious_activity": _event_fields("category", "note_reference_or_text", "observed_at"),
    "break_glass_opened": _event_fields("reason", "until"),
}


def redacted_for(recipient: str, details: dict[str, Any]) -> dict[str, Any]:
    """`details` as `recipient` may see them: no location (nor the unit, nor a unit check
    that names it) unless the role is entitled; and for a staff role, only the fields its
    allow-list holds (``visible_fields``), the rest reading ``[redacted]`` as in the API."""
    if recipient in LOCATION_ENTITLED_ROLES:
        return details
    # The domain's LOCATION_FIELDS, the unit's id and the unit check reference.
    unit_or_place = FIELDS[FieldGroup.location]
    shown = {name: value for name, value in details.items() if name not in unit_or_place}
    if recipient in DECIDED_ROLES:
        return dict(redact(shown, visible_fields(Role(recipient))))
    return shown


def build_content(
    state: PlacementState, event: PlacementEvent, message: contract.OutboxMessage
) -> NotificationContent:
    """The message for ``message.recipient``, from the state just after ``event``."""
    facts = state.facts
    details = CONTENT_BUILDERS.get(message.purpose)
    return NotificationContent(
        subject=f"Safeside: {message.purpose.replace('_', ' ')} - placement {state.stream_id}",
        placement_id=state.stream_id,
        case_reference=None if facts is None else facts.case_reference,
        # A notice leaves Safeside (e-mail, a partner's webhook): where the child lives goes
        # with it to the police alone, as the details' location does.
        unit_id=(
            facts.unit_id
            if facts is not None and message.recipient in LOCATION_ENTITLED_ROLES
            else None
        ),
        recipient=message.recipient,
        purpose=message.purpose,
        event_type=event.type,
        event_version=event.version,
        occurred_at=event.occurred_at,
        risk_level=None if state.risk_level is None else state.risk_level.value,
        details=redacted_for(message.recipient, {} if details is None else details(state, event)),
    )


class Outbox:
    """Delivers outbox rows through their recipient's channel, each at most once."""

    def __init__(self, pool: Pool, channels: ChannelRouter) -> None:
        self._pool = pool
        self._channels = channels

    async def deliver(self, request: contract.DeliveryRequest) -> contract.DeliveryResult:
        key = request.idempotency_key
        failure: tuple[Notification, ChannelError] | None = None
        try:
            async with self._pool.acquire() as con, con.transaction():
                # The row lock makes a second delivery of the same key wait, then see it done.
                row = await con.fetchrow(
                    """SELECT idempotency_key, stream_id, event_version, recipient, purpose,
                              content, status, delivered_at
                         FROM notifications WHERE idempotency_key = $1 FOR UPDATE""",
                    key,
                )
                if row is None:
                    raise NotificationNotFound(f"there is no notification {key} in the outbox")
                if row["status"] == "delivered":
                    return contract.DeliveryResult(
                        idempotency_key=key,
                        delivered_at=row["delivered_at"],
                        already_delivered=True,
                    )
                message = Notification.model_validate(dict(row))
                try:
                    await self._channels.for_recipient(message.recipient).send(message)
                except ChannelError as exc:
                    # Recorded and committed, then raised below so the workflow retries.
                    failure = (message, exc)
                    await con.execute(
                        """UPDATE notifications SET attempts = attempts + 1, last_error = $2
                            WHERE idempotency_key = $1""",
                        key,
                        str(exc),
                    )
                else:
                    delivered_at: datetime = await con.fetchval(
                        """UPDATE notifications
                              SET status = 'delivered', delivered_at = now(),
                                  attempts = attempts + 1, last_error = NULL
                            WHERE idempotency_key = $1 RETURNING delivered_at""",
                        key,
                    )
                    return contract.DeliveryResult(
                        idempotency_key=key, delivered_at=delivered_at, already_delivered=False
                    )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise StoreUnavailable(
                f"the outbox could not be read or updated for notification {key} "
                f"({type(exc).__name__})"
            ) from exc
        assert failure is not None  # every path through the transaction returns or fails
        message, error = failure
        log.warning(
            "notification not delivered",
            idempotency_key=key,
            recipient=message.recipient,
            purpose=message.purpose,
            reason=str(error),
        )
        raise DeliveryFailed(f"notification {key} was not delivered: {error}")

    async def deliver_at_once(self, keys: list[str], *, within: float) -> list[str]:
        """Deliver what can be delivered in ``within`` seconds and return those keys. Never
        raises: what failed or was too slow (its attempt cut off) is left to the delivery
        activity, which retries it."""
        sends = [
            asyncio.ensure_future(self.deliver(contract.DeliveryRequest(idempotency_key=key)))
            for key in keys
        ]
        if not sends:
            return []
        done, slow = await asyncio.wait(sends, timeout=within)
        for send in slow:
            send.cancel()
        await asyncio.gather(*slow, return_exceptions=True)
        delivered = []
        for send in done:
            failure = send.exception()
            if failure is None:
                delivered.append(send.result().idempotency_key)
            elif not isinstance(failure, ActivityError):  # a bug: the retry will show it
                log.error("delivery on append failed", error=type(failure).__name__)
        return sorted(delivered)

    async def deliver_all(self, batch: contract.DeliveryBatch) -> contract.DeliveryBatchResult:
        """Deliver every notification of ``batch`` at once, each through ``deliver``. If any
        did not get through, raise the first failure (a non-retryable one first): the retry
        of the batch finds the delivered rows delivered and sends only the rest."""
        outcomes = await asyncio.gather(
            *(
                self.deliver(contract.DeliveryRequest(idempotency_key=key))
                for key in batch.idempotency_keys
            ),
            return_exceptions=True,
        )
        delivered: list[contract.DeliveryResult] = []
        errors: list[ActivityError] = []
        for outcome in outcomes:
            if isinstance(outcome, contract.DeliveryResult):
                delivered.append(outcome)
            elif isinstance(outcome, ActivityError):
                errors.append(outcome)
            else:
                raise outcome  # a bug, not a delivery outcome: let it show as it is
        if not errors:
            return contract.DeliveryBatchResult(delivered=delivered)
        errors.sort(key=lambda error: error.retryable)  # a non-retryable one decides
        first = errors[0]
        raise type(first)(
            f"{len(errors)} of {len(outcomes)} notifications not delivered; first: {first}"
        ) from first

    async def mark_failed(self, request: contract.MarkFailedRequest) -> contract.MarkFailedResult:
        """Show a notification as failed for good (the workflow gave up retrying). A delivered
        one stays delivered."""
        key = request.idempotency_key
        try:
            async with self._pool.acquire() as con, con.transaction():
                status = await con.fetchval(
                    """UPDATE notifications
                          SET status = CASE WHEN status = 'delivered' THEN status
                                            ELSE 'failed' END,
                              last_error = CASE WHEN status = 'delivered' THEN last_error
                                                ELSE $2 END
                        WHERE idempotency_key = $1 RETURNING status""",
                    key,
                    request.reason,
                )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise StoreUnavailable(
                f"the outbox could not be updated for notification {key} ({type(exc).__name__})"
            ) from exc
        if status is None:
            raise NotificationNotFound(f"there is no notification {key} in the outbox")
        if status == "failed":
            log.error("notification marked failed", idempotency_key=key)
        return contract.MarkFailedResult(idempotency_key=key, status=str(status))
