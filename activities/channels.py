"""Channels that hand a notification to its recipient: the log (development), SMTP, webhook,
and GOV.UK Notify (``activities.govuk_notify``).

Each channel raises ``ChannelError`` when the message was not taken, with a message naming
what failed (an exception type, a status code) and never the content or an address. Each
passes the idempotency key on, so a receiver can drop the rare resend. A channel that holds
connections (the webhook's HTTP client) is closed with ``ChannelRouter.aclose``, once per
worker process, when the worker stops (``open_channels``).
"""

from __future__ import annotations

import asyncio
import contextlib
import smtplib
from collections.abc import AsyncIterator, Mapping
from email.message import EmailMessage
from ipaddress import ip_address
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

import httpx

from activities.errors import ChannelConfigError, ChannelError
from activities.govuk_notify import PURPOSES, Addressee, GovukNotifyChannel, MessageKind
from activities.messages import Notification, render_text
from safeside.log import get_logger
from safeside.settings import Settings
from workflows.domain.common import Role

log = get_logger(__name__)


class Channel(Protocol):
    async def send(self, message: Notification) -> None: ...


@runtime_checkable
class ClosableChannel(Channel, Protocol):
    """A channel holding connections, released when the worker stops."""

    async def aclose(self) -> None: ...


class LogChannel:
    """The development default: one line saying a notification went out, nothing personal."""

    async def send(self, message: Notification) -> None:
        log.info(
            "notification sent",
            channel="log",
            idempotency_key=message.idempotency_key,
            recipient=message.recipient,
            purpose=message.purpose,
        )


def message_id_for(idempotency_key: str, domain: str) -> str:
    # Keys are "<placement id>:<version>:<role>"; ':' may not appear left of the '@', and
    # none of the parts holds a '.', so the mapping is one to one.
    return f"<{idempotency_key.replace(':', '.')}@{domain}>"


class SmtpChannel:
    """E-mail through an SMTP relay, with the idempotency key as the Message-ID."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        to_by_role: Mapping[str, str],
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._to_by_role = dict(to_by_role)
        self._starttls = starttls
        self._login = None if username is None else (username, password or "")
        self._timeout = timeout
        self._domain = sender.rpartition("@")[2] or "safeside.invalid"

    def compose(self, message: Notification) -> EmailMessage:
        address = self._to_by_role.get(message.recipient)
        if address is None:
            raise ChannelError(f"no e-mail address is set for recipient role {message.recipient}")
        email = EmailMessage()
        email["From"] = self._sender
        email["To"] = address
        email["Subject"] = message.content.subject
        email["Message-ID"] = message_id_for(message.idempotency_key, self._domain)
        email["X-Safeside-Idempotency-Key"] = message.idempotency_key
        email.set_content(render_text(message.content))
        return email

    async def send(self, message: Notification) -> None:
        email = self.compose(message)
        try:
            await asyncio.to_thread(self._send_blocking, email)
        except smtplib.SMTPResponseException as exc:
            raise ChannelError(
                f"the SMTP server refused the message (code {exc.smtp_code})"
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ChannelError(f"SMTP delivery failed ({type(exc).__name__})") from exc

    def _send_blocking(self, email: EmailMessage) -> None:
        with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
            if self._starttls:
                smtp.starttls()
            if self._login is not None:
                smtp.login(*self._login)
            smtp.send_message(email)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _sent_privately(url: str) -> bool:
    """https, or plain http only to this machine (tests, a local relay): content is personal
    data."""
    parts = urlsplit(url)
    return parts.scheme == "https" or (
        parts.scheme == "http" and _is_loopback(parts.hostname or "")
    )


class WebhookChannel:
    """An HTTPS POST of the message as JSON, with an ``Idempotency-Key`` header."""

    def __init__(
        self,
        urls_by_role: Mapping[str, str],
        *,
        token: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        for role, url in urls_by_role.items():
            if not _sent_privately(url):
                raise ChannelConfigError(f"the webhook for role {role} must be an https:// URL")
        self._urls_by_role = dict(urls_by_role)
        self._token = token
        self._timeout = timeout
        self._client: httpx.AsyncClient | None = None
        self._closed = False

    def _http(self) -> httpx.AsyncClient:
        # One client, and its kept-alive connections, for every send of this worker process;
        # made at the first send, so nothing connects when the worker is built.
        if self._closed:
            raise ChannelError("the webhook channel is closed (the worker is stopping)")
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout)
        return self._client

    async def aclose(self) -> None:
        self._closed = True
        if self._client is not None:
            await self._client.aclose()

    async def send(self, message: Notification) -> None:
        url = self._urls_by_role.get(message.recipient)
        if url is None:
            raise ChannelError(f"no webhook URL is set for recipient role {message.recipient}")
        headers = {"Idempotency-Key": message.idempotency_key}
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token}"
        client = self._http()
        try:
            response = await client.post(url, json=message.model_dump(mode="json"), headers=headers)
        except httpx.HTTPError as exc:
            raise ChannelError(f"the webhook request failed ({type(exc).__name__})") from exc
        if not response.is_success:
            raise ChannelError(f"the webhook answered HTTP {response.status_code}")


class ChannelRouter:
    """The channel for each recipient role; roles not named use the default (the log)."""

    def __init__(
        self, by_role: Mapping[str, Channel] | None = None, default: Channel | None = None
    ) -> None:
        self._by_role = dict(by_role or {})
        self._default = LogChannel() if default is None else default

    def for_recipient(self, recipient: str) -> Channel:
        return self._by_role.get(recipient, self._default)

    async def aclose(self) -> None:
        """Close every channel that holds connections, each once (roles share a channel)."""
        unique = {id(channel): channel for channel in [*self._by_role.values(), self._default]}
        for channel in unique.values():
            if isinstance(channel, ClosableChannel):
                await channel.aclose()


@contextlib.asynccontextmanager
async def open_channels(settings: Settings) -> AsyncIterator[ChannelRouter]:
    """The settings' channels for one worker process, closed when it is done with them."""
    channels = build_channels(settings)
    try:
        yield channels
    finally:
        await channels.aclose()


def build_channels(settings: Settings) -> ChannelRouter:
    """The channels the settings choose; a role that cannot be reached as set is refused now,
    when the worker starts, rather than at the first notification."""
    roles = {role.value for role in Role}
    unknown = sorted(set(settings.notify_channels) - roles)
    if unknown:
        raise ChannelConfigError(f"SAFESIDE_NOTIFY_CHANNELS names unknown roles: {unknown}")
    wanted = {role: name for role, name in settings.notify_channels.items() if name != "log"}
    smtp_roles = sorted(role for role, name in wanted.items() if name == "smtp")
    webhook_roles = sorted(role for role, name in wanted.items() if name == "webhook")
    notify_roles = sorted(role for role, name in wanted.items() if name == "govuk_notify")
    notify_kinds = {role: settings.govuk_notify_send_as.get(role, "email") for role in notify_roles}
    emailed = sorted(smtp_roles + [role for role, kind in notify_kinds.items() if kind == "email"])
    missing_addresses = [role for role in emailed if role not in settings.notify_email_to]
    if missing_addresses:
        raise ChannelConfigError(
            f"SAFESIDE_NOTIFY_EMAIL_TO has no address for roles {missing_addresses}"
        )
    texted = [role for role, kind in notify_kinds.items() if kind == "sms"]
    missing_numbers = [role for role in texted if role not in settings.notify_sms_to]
    if missing_numbers:
        raise ChannelConfigError(
            f"SAFESIDE_NOTIFY_SMS_TO has no mobile number for roles {missing_numbers}"
        )
    missing_urls = [role for role in webhook_roles if role not in settings.notify_webhook_urls]
    if missing_urls:
        raise ChannelConfigError(
            f"SAFESIDE_NOTIFY_WEBHOOK_URLS has no URL for roles {missing_urls}"
        )
    by_role: dict[str, Channel] = {}
    if smtp_roles:
        password = settings.smtp_password
        smtp = SmtpChannel(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            to_by_role={role: settings.notify_email_to[role] for role in smtp_roles},
            starttls=settings.smtp_starttls,
            username=settings.smtp_username,
            password=None if password is None else password.get_secret_value(),
            timeout=settings.notify_timeout_seconds,
        )
        by_role |= dict.fromkeys(smtp_roles, smtp)
    if webhook_roles:
        token = settings.notify_webhook_token
        webhook = WebhookChannel(
            {role: settings.notify_webhook_urls[role] for role in webhook_roles},
            token=None if token is None else token.get_secret_value(),
            timeout=settings.notify_timeout_seconds,
        )
        by_role |= dict.fromkeys(webhook_roles, webhook)
    if notify_roles:
        by_role |= dict.fromkeys(notify_roles, _govuk_notify(settings, notify_kinds))
    return ChannelRouter(by_role)


def _govuk_notify(settings: Settings, kinds: Mapping[str, MessageKind]) -> GovukNotifyChannel:
    """The GOV.UK Notify channel for the roles in ``kinds`` (each reached at an address the
    settings hold), sending each the kind of message named."""
    key = settings.govuk_notify_api_key
    if key is None:
        raise ChannelConfigError(
            f"SAFESIDE_GOVUK_NOTIFY_API_KEY is not set, and roles {sorted(kinds)} use GOV.UK Notify"
        )
    if not _sent_privately(settings.govuk_notify_base_url):
        raise ChannelConfigError("SAFESIDE_GOVUK_NOTIFY_BASE_URL must be an https:// URL")
    templates: dict[MessageKind, dict[str, str]] = {
        "email": settings.govuk_notify_email_templates,
        "sms": settings.govuk_notify_sms_templates,
    }
    for kind in sorted(set(kinds.values())):
        missing = sorted(PURPOSES - set(templates[kind]))
        if missing:
            raise ChannelConfigError(
                f"SAFESIDE_GOVUK_NOTIFY_{kind.upper()}_TEMPLATES has no template for purposes "
                f"{missing}"
            )
    to = {"email": settings.notify_email_to, "sms": settings.notify_sms_to}
    return GovukNotifyChannel(
        api_key=key.get_secret_value(),
        addressees={role: Addressee(kind, to[kind][role]) for role, kind in kinds.items()},
        templates={kind: templates[kind] for kind in set(kinds.values())},
        base_url=settings.govuk_notify_base_url,
        timeout=settings.notify_timeout_seconds,
    )
