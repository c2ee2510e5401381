"""GOV.UK Notify as a channel: an e-mail or a text message through the service that councils
and the police already use, sent with Notify's own client (``notifications-python-client``).

Each recipient role is sent one kind of message, ``email`` or ``sms``, at the address the
settings give it, with the Notify template set for the notice's purpose. The template is filled
from ``personalisation``: the fields of the content built for that recipient, which
``activities.notifications`` has already redacted for its role, each as text, and ``body``,
the text the SMTP channel sends. Nothing else goes: this channel adds nothing the content lacks.

Notify's ``reference`` is the idempotency key. Notify does not drop a second request with the
same reference: a resend after a lost answer (a claim that lapsed mid-send) reaches the
recipient twice, both carrying the key, so they can see it is the same notice.

The client is synchronous (requests) and its client object is not thread-safe, so each send
runs in a thread with a client of its own; the client's timeout bounds the thread, which an
outbox that stops waiting cannot cancel. A refusal (4xx: a bad key, a template or
personalisation that does not fit), a failure of Notify's own (5xx) or a request that did not
reach it is a ``ChannelError`` naming the HTTP status and Notify's error types (``AuthError``,
``ValidationError``), never Notify's message, which may quote what was sent; the outbox retries
it and the workflow gives up as it does for every channel.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from notifications_python_client.errors import APIError, InvalidResponse
from notifications_python_client.notifications import NotificationsAPIClient
from requests import Response

from activities.errors import ChannelConfigError, ChannelError
from activities.messages import Notification, NotificationContent, render_text
from activities.notifications import CONTENT_BUILDERS
from workflows.domain.failed_notices import NOTIFICATION_FAILED
from workflows.domain.unit.notices import BUILDING_CONCERN, UNIT_ESCALATION

NOTIFY_API_URL = "https://api.notifications.service.gov.uk"

MessageKind = Literal["email", "sms"]

# Every purpose a notice can have (a placement's, each with its content builder; a unit's; the
# notice given up on), so that a template missing for one is refused when the worker starts.
PURPOSES = frozenset({*CONTENT_BUILDERS, NOTIFICATION_FAILED, BUILDING_CONCERN, UNIT_ESCALATION})

# An API key is "<key name>-<service id>-<secret>", the last two UUIDs (Notify's API docs).
_API_KEY = re.compile(r".+-(?P<service_id>[0-9a-fA-F-]{36})-(?P<secret>[0-9a-fA-F-]{36})")
# Notify's error types are words ("AuthError"); anything else in their place is not repeated.
_ERROR_TYPE = re.compile(r"[A-Za-z]{1,40}")


@dataclass(frozen=True)
class Addressee:
    """Where a role is sent: by e-mail or text message, and the address or mobile number."""

    kind: MessageKind
    address: str = field(repr=False)


@dataclass(frozen=True)
class _Request:
    addressee: Addressee
    template_id: str
    personalisation: dict[str, str]
    reference: str


def _as_text(value: Any) -> str:
    """One personalisation value: Notify fills templates with text. A withheld or empty field
    is empty; yes/no is what a template's conditional text (``((field??text))``) tests."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ", ".join(value)
    return json.dumps(value, sort_keys=True)


def personalisation(content: NotificationContent) -> dict[str, str]:
    """The template's fields: the content's own, its details as ``details_<name>`` (a detail
    may share a name with a field: the failed notice's ``purpose``), and ``body``."""
    fields = content.model_dump(mode="json")
    details = fields.pop("details")
    shown = fields | {f"details_{name}": value for name, value in details.items()}
    return {name: _as_text(value) for name, value in shown.items()} | {"body": render_text(content)}


def _error_types(response: Response) -> list[str]:
    try:
        errors = response.json().get("errors", [])
        named = [error.get("error") for error in errors]
    except (ValueError, AttributeError, TypeError):
        return []
    return sorted({name for name in named if isinstance(name, str) and _ERROR_TYPE.fullmatch(name)})


def _what_failed(error: APIError) -> str:
    response = error.response
    if response is None:
        return f"the request to GOV.UK Notify failed ({type(error.__cause__).__name__})"
    if isinstance(error, InvalidResponse):
        return f"GOV.UK Notify's answer (HTTP {response.status_code}) was not JSON"
    types = _error_types(response)
    said = f" ({', '.join(types)})" if types else ""
    return f"GOV.UK Notify answered HTTP {response.status_code}{said}"


class GovukNotifyChannel:
    """E-mail and text messages through GOV.UK Notify, a template per purpose, the idempotency
    key as Notify's ``reference``."""

    def __init__(
        self,
        *,
        api_key: str,
        addressees: Mapping[str, Addressee],
        templates: Mapping[MessageKind, Mapping[str, str]],
        base_url: str = NOTIFY_API_URL,
        timeout: float = 10.0,
    ) -> None:
        key = _API_KEY.fullmatch(api_key)
        if key is None or not all(_is_uuid(part) for part in key.group("service_id", "secret")):
            raise ChannelConfigError(
                "the GOV.UK Notify API key is not in Notify's form "
                "(<key name>-<service id>-<secret>)"
            )
        for kind, by_purpose in templates.items():
            not_ids = sorted(purpose for purpose, id_ in by_purpose.items() if not _is_uuid(id_))
            if not_ids:
                raise ChannelConfigError(
                    f"the GOV.UK Notify {kind} templates for purposes {not_ids} are not "
                    "template ids (UUIDs)"
                )
        self._api_key = api_key
        self._addressees = dict(addressees)
        self._templates = {kind: dict(by_purpose) for kind, by_purpose in templates.items()}
        self._base_url = base_url
        self._timeout = timeout

    async def send(self, message: Notification) -> None:
        addressee = self._addressees.get(message.recipient)
        if addressee is None:
            raise ChannelError(
                f"GOV.UK Notify has no address for recipient role {message.recipient}"
            )
        template_id = self._templates.get(addressee.kind, {}).get(message.purpose)
        if template_id is None:
            raise ChannelError(
                f"GOV.UK Notify has no {addressee.kind} template for purpose {message.purpose}"
            )
        request = _Request(
            addressee=addressee,
            template_id=template_id,
            personalisation=personalisation(message.content),
            reference=message.idempotency_key,
        )
        try:
            answer = await asyncio.to_thread(self._post, request)
        except APIError as exc:
            raise ChannelError(_what_failed(exc)) from exc
        if not (isinstance(answer, dict) and "id" in answer):
            raise ChannelError("GOV.UK Notify's answer did not name the notification it made")

    def _post(self, request: _Request) -> Any:
        """Runs in a thread: one client, and its connections, for this send alone."""
        client = NotificationsAPIClient(
            self._api_key, base_url=self._base_url, timeout=self._timeout
        )
        try:
            if request.addressee.kind == "email":
                return client.send_email_notification(
                    email_address=request.addressee.address,
                    template_id=request.template_id,
                    personalisation=request.personalisation,
                    reference=request.reference,
                )
            return client.send_sms_notification(
                phone_number=request.addressee.address,
                template_id=request.template_id,
                personalisation=request.personalisation,
                reference=request.reference,
            )
        finally:
            client.request_session.close()


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
