"""Delivering the outbox: each notification sent through its recipient's channel, at least once
with a key, and recorded as delivered once.

No transaction is open while a message is on its way (a partner agency's slow webhook must not
hold the connections and row locks the event appends need). A delivery:

1. claims the row in a short transaction (the rows of a batch in one): no other sender takes
   it until ``claimed_until``;
2. sends, outside any transaction, cut off before the claim runs out;
3. records the outcome (delivered, or the failed attempt) in one statement.

A sender that dies mid-send leaves its claim behind; it lapses and the next attempt sends
again, with the same idempotency key (every channel hands it to the receiver: Message-ID,
``Idempotency-Key``), so the receiver can drop the resend. A delivered row is never sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from datetime import datetime, timedelta
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
from activities.messages import Notification
from safeside.contracts import activities as contract
from safeside.db import Connection, Pool
from safeside.log import get_logger

log = get_logger(__name__)

# How long a claim lasts unless the worker's settings say otherwise.
CLAIM_FOR = timedelta(seconds=20)
# A send is cut off at this share of its claim, so a sender still alive never outlives it.
SEND_SHARE_OF_CLAIM = 0.75
# How often a delivery waiting on another sender's claim looks again.
CLAIM_POLL_SECONDS = 0.2

_DRIVER_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)


@dataclass(frozen=True)
class Claimed:
    """This sender holds the row until its claim lapses."""

    message: Notification
    token: uuid.UUID


@dataclass(frozen=True)
class HeldElsewhere:
    """Another sender holds the row, for ``seconds_left`` more at most."""

    seconds_left: float


# What a claim on a row finds: this sender holds it, another does, or it is delivered.
Claim = Claimed | HeldElsewhere | contract.DeliveryResult


def _naming(keys: list[str]) -> str:
    return f"notification {keys[0]}" if len(keys) == 1 else f"{len(keys)} notifications"


class Outbox:
    """Delivers outbox rows through their recipient's channel, each recorded delivered once."""

    def __init__(
        self, pool: Pool, channels: ChannelRouter, *, claim_for: timedelta = CLAIM_FOR
    ) -> None:
        self._pool = pool
        self._channels = channels
        self._claim_for = claim_for
        self._send_within = claim_for.total_seconds() * SEND_SHARE_OF_CLAIM

    async def deliver(self, request: contract.DeliveryRequest) -> contract.DeliveryResult:
        key = request.idempotency_key
        claims = await self._claim([key])
        return await self._deliver(key, claims.get(key))

    async def _deliver_each(self, keys: list[str]) -> list[Awaitable[contract.DeliveryResult]]:
        """Claim every row of ``keys`` in one transaction, then a delivery of each as
        ``deliver`` makes it, to be run side by side (StoreUnavailable: nothing claimed)."""
        claims = await self._claim(keys)
        return [self._deliver(key, claims.get(key)) for key in keys]

    async def _deliver(self, key: str, claim: Claim | None) -> contract.DeliveryResult:
        """Send the row ``claim`` holds and record the outcome; a row another sender holds,
        once it is free (that sender may deliver it)."""
        while True:
            if claim is None:
                raise NotificationNotFound(f"there is no notification {key} in the outbox")
            if not isinstance(claim, HeldElsewhere):
                break
            await asyncio.sleep(max(min(CLAIM_POLL_SECONDS, claim.seconds_left), 0.01))
            claim = (await self._claim([key])).get(key)
        if isinstance(claim, contract.DeliveryResult):
            return claim
        failure = await self._send(claim)
        if failure is None:
            # The channel has the message: record it even if this delivery is being cut off
            # now (an append's wait is over), or its claim would lapse and it go out twice.
            delivered_at = await asyncio.shield(self._record_delivered(key))
            return contract.DeliveryResult(
                idempotency_key=key, delivered_at=delivered_at, already_delivered=False
            )
        await self._record_failed_attempt(claim, failure)
        message = claim.message
        log.warning(
            "notification not delivered",
            idempotency_key=key,
            recipient=message.recipient,
            purpose=message.purpose,
            reason=failure,
        )
        raise DeliveryFailed(f"notification {key} was not delivered: {failure}")

    async def _claim(self, keys: list[str]) -> dict[str, Claim]:
        """Claim the rows of ``keys`` that are free, in one short transaction: for each row,
        this sender's claim, the sender holding it, or its delivery if delivered (a key with
        no row is left out)."""
        token = uuid.uuid4()
        async with self._transaction(_naming(keys), "claimed") as con:
            rows = await con.fetch(
                """SELECT idempotency_key, stream_id, event_version, recipient, purpose,
                          content, status, delivered_at,
                          EXTRACT(EPOCH FROM claimed_until - now()) AS claim_left
                     FROM notifications WHERE idempotency_key = any($1::text[])
                    ORDER BY idempotency_key FOR UPDATE""",
                keys,
            )
            claims: dict[str, Claim] = {}
            for row in rows:
                key = row["idempotency_key"]
                if row["status"] == "delivered":
                    claims[key] = contract.DeliveryResult(
                        idempotency_key=key,
                        delivered_at=row["delivered_at"],
                        already_delivered=True,
                    )
                elif row["claim_left"] is not None and row["claim_left"] > 0:
                    claims[key] = HeldElsewhere(seconds_left=float(row["claim_left"]))
                else:
                    claims[key] = Claimed(
                        message=Notification.model_validate(dict(row)), token=token
                    )
            free = [key for key, claim in claims.items() if isinstance(claim, Claimed)]
            if free:
                await con.execute(
                    """UPDATE notifications SET claimed_until = now() + $2, claim_token = $3
                        WHERE idempotency_key = any($1::text[])""",
                    free,
                    self._claim_for,
                    token,
                )
        return claims

    async def _send(self, claimed: Claimed) -> str | None:
        """None once the channel took the message, else why it did not."""
        message = claimed.message
        try:
            async with asyncio.timeout(self._send_within):
                await self._channels.for_recipient(message.recipient).send(message)
        except ChannelError as exc:
            return str(exc)
        except TimeoutError:
            return f"the channel did not take the message within {self._send_within:g} s"
        except BaseException:
            # Cut off (an append's wait is over, the worker is stopping) or a bug: free the
            # row now rather than make the next attempt wait out the claim.
            await self._release(claimed)
            raise
        return None

    async def _record_delivered(self, key: str) -> datetime:
        # A sender whose claim lapsed may finish after the one that took over: the row keeps
        # the first delivery's time.
        delivered_at: datetime = await self._statement(
            key,
            "marked delivered",
            """UPDATE notifications
                  SET status = 'delivered', delivered_at = coalesce(delivered_at, now()),
                      attempts = attempts + 1, last_error = NULL,
                      claimed_until = NULL, claim_token = NULL
                WHERE idempotency_key = $1 RETURNING delivered_at""",
            key,
        )
        return delivered_at

    async def _record_failed_attempt(self, claimed: Claimed, reason: str) -> None:
        key = claimed.message.idempotency_key
        await self._statement(
            key,
            "updated",
            """UPDATE notifications
                  SET attempts = attempts + 1,
                      last_error = CASE WHEN status = 'delivered' THEN last_error ELSE $2 END,
                      claimed_until = CASE WHEN claim_token = $3 THEN NULL
                                           ELSE claimed_until END,
                      claim_token = CASE WHEN claim_token = $3 THEN NULL ELSE claim_token END
                WHERE idempotency_key = $1 RETURNING status""",
            key,
            reason,
            claimed.token,
        )

    async def _release(self, claimed: Claimed) -> None:
        key = claimed.message.idempotency_key
        try:
            async with self._pool.acquire() as con:
                await con.execute(
                    """UPDATE notifications SET claimed_until = NULL, claim_token = NULL
                        WHERE idempotency_key = $1 AND claim_token = $2""",
                    key,
                    claimed.token,
                )
        except _DRIVER_ERRORS as exc:
            # Not raised over the error already on its way: the claim lapses by itself, and
            # the next attempt only waits for that.
            log.warning("outbox claim not released", idempotency_key=key, error=type(exc).__name__)

    @contextlib.asynccontextmanager
    async def _transaction(self, about: str, doing: str) -> AsyncIterator[Connection]:
        try:
            async with self._pool.acquire() as con, con.transaction():
                yield con
        except _DRIVER_ERRORS as exc:
            raise StoreUnavailable(
                f"the outbox could not be {doing} for {about} ({type(exc).__name__})"
            ) from exc

    async def _statement(self, key: str, doing: str, query: str, *args: object) -> Any:
        """One statement about one row (a transaction of its own), its one value returned."""
        try:
            return await self._pool.fetchval(query, *args)
        except _DRIVER_ERRORS as exc:
            raise StoreUnavailable(
                f"the outbox could not be {doing} for notification {key} ({type(exc).__name__})"
            ) from exc

    async def deliver_at_once(self, keys: list[str], *, within: float) -> list[str]:
        """Deliver what can be delivered in ``within`` seconds and return those keys. Never
        raises: what failed or was too slow (its attempt cut off) is left to the delivery
        activity, which retries it."""
        if not keys:
            return []
        try:
            deliveries = await self._deliver_each(keys)
        except ActivityError:
            return []  # PostgreSQL did not answer: the delivery activity retries them all
        sends = [asyncio.ensure_future(delivery) for delivery in deliveries]
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
        """Deliver every notification of ``batch`` at once, each as ``deliver`` does. If any
        did not get through, raise the first failure (a non-retryable one first): the retry
        of the batch finds the delivered rows delivered and sends only the rest."""
        outcomes = await asyncio.gather(
            *await self._deliver_each(batch.idempotency_keys), return_exceptions=True
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
        status = await self._statement(
            key,
            "updated",
            """UPDATE notifications
                  SET status = CASE WHEN status = 'delivered' THEN status ELSE 'failed' END,
                      last_error = CASE WHEN status = 'delivered' THEN last_error ELSE $2 END
                WHERE idempotency_key = $1 RETURNING status""",
            key,
            request.reason,
        )
        if status is None:
            raise NotificationNotFound(f"there is no notification {key} in the outbox")
        if status == "failed":
            log.error("notification marked failed", idempotency_key=key)
        return contract.MarkFailedResult(idempotency_key=key, status=str(status))
