"""A stand-in for GOV.UK Notify's API on loopback, strict where Notify is: it checks each request's
JWT (HS256 with the API key's secret, ``iss`` the service id, ``iat`` within 30 seconds), its
path and its JSON body, answers 201 with a body shaped like Notify's, and keeps what it took,
so a test can count the messages each reference reached it in."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt

from activities.govuk_notify import PURPOSES
from safeside.settings import Settings

SERVICE_ID = "3f1c2b7e-5d4a-4e8f-9b6c-1a2d3e4f5a6b"
SECRET = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
API_KEY = f"safeside_test-{SERVICE_ID}-{SECRET}"
# Notify refuses a token issued more than this many seconds from its own clock.
CLOCK_LEEWAY_SECONDS = 30

_PATHS = {"/v2/notifications/email": "email", "/v2/notifications/sms": "sms"}
_ADDRESS_FIELD = {"email": "email_address", "sms": "phone_number"}
_ERROR_TYPE = {400: "BadRequestError", 403: "AuthError", 429: "RateLimitError"}


def templates(kind: str) -> dict[str, str]:
    """A template id for every purpose, as an operator sets for the kind of message."""
    return {
        purpose: str(uuid.uuid5(uuid.NAMESPACE_URL, f"{kind}/{purpose}")) for purpose in PURPOSES
    }


@dataclass(frozen=True)
class Taken:
    """A message the receiver took: the kind, to whom, with which template and fields."""

    kind: str
    to: str
    template_id: str
    personalisation: dict[str, str]
    reference: str


class Refused(Exception):
    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error = error


@dataclass
class NotifyReceiver:
    base_url: str
    # Statuses to answer with instead of taking the message, in turn (a 500, a 429).
    answers: list[int] = field(default_factory=list)
    taken: list[Taken] = field(default_factory=list)
    # The status and Notify error type of every request refused.
    refused: list[tuple[int, str]] = field(default_factory=list)

    def times_taken(self) -> Counter[str]:
        return Counter(message.reference for message in self.taken)

    def settings(self, **changes: Any) -> Settings:
        """Settings that send through this receiver, with its key and a template per purpose."""
        return Settings.model_validate(
            {
                "govuk_notify_api_key": API_KEY,
                "govuk_notify_base_url": self.base_url,
                "govuk_notify_email_templates": templates("email"),
                "govuk_notify_sms_templates": templates("sms"),
            }
            | changes
        )

    def take(self, path: str, authorization: str | None, content_type: str, raw: bytes) -> Taken:
        kind = _PATHS.get(path)
        if kind is None:
            raise Refused(404, "NotFoundError", "Resource not found")
        check_token(authorization)
        if content_type.split(";")[0].strip() != "application/json":
            raise Refused(400, "BadRequestError", "Content-Type must be application/json")
        return check_body(kind, raw)


def check_token(authorization: str | None) -> None:
    if authorization is None or not authorization.startswith("Bearer "):
        raise Refused(401, "AuthError", "Unauthorized: authentication token must be provided")
    token = authorization.removeprefix("Bearer ")
    try:
        if jwt.get_unverified_header(token).get("alg") != "HS256":
            raise Refused(403, "AuthError", "Invalid token: algorithm used is not HS256")
        claims = jwt.decode(
            token,
            SECRET,
            algorithms=["HS256"],
            options={"require": ["iss", "iat"], "verify_iat": False},
        )
    except jwt.InvalidTokenError as exc:
        raise Refused(403, "AuthError", "Invalid token: signature, api token not found") from exc
    if claims["iss"] != SERVICE_ID:
        raise Refused(403, "AuthError", "Invalid token: service not found")
    if not isinstance(claims["iat"], int) or abs(time.time() - claims["iat"]) > (
        CLOCK_LEEWAY_SECONDS
    ):
        raise Refused(403, "AuthError", "Error: Your system clock must be accurate to within 30s")


def check_body(kind: str, raw: bytes) -> Taken:
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise Refused(400, "BadRequestError", "Invalid JSON supplied in POST data") from exc
    address_field = _ADDRESS_FIELD[kind]
    if not isinstance(body, dict):
        raise Refused(400, "ValidationError", "the body must be a JSON object")
    extra = sorted(set(body) - {address_field, "template_id", "personalisation", "reference"})
    if extra:
        raise Refused(400, "ValidationError", f"Additional properties are not allowed: {extra}")
    problems = [
        f"{name} is a required property"
        for name in (address_field, "template_id", "personalisation", "reference")
        if name not in body
    ]
    if problems:
        raise Refused(400, "ValidationError", "; ".join(problems))
    address, template_id = body[address_field], body["template_id"]
    personalisation, reference = body["personalisation"], body["reference"]
    if not isinstance(address, str) or not address.strip():
        raise Refused(400, "ValidationError", f"{address_field} is not a string")
    if kind == "email" and "@" not in address:
        raise Refused(400, "ValidationError", "email_address Not a valid email address")
    if kind == "sms" and not address.replace(" ", "").lstrip("+").isdigit():
        raise Refused(400, "ValidationError", "phone_number Must not contain letters or symbols")
    try:
        uuid.UUID(template_id)
    except (TypeError, ValueError, AttributeError) as exc:
        raise Refused(400, "ValidationError", "template_id is not a valid UUID") from exc
    if not isinstance(personalisation, dict) or not all(
        isinstance(value, str) for value in personalisation.values()
    ):
        raise Refused(400, "ValidationError", "personalisation must map names to text")
    if not isinstance(reference, str) or not reference:
        raise Refused(400, "ValidationError", "reference is not a string")
    return Taken(kind, address, template_id, personalisation, reference)


def created(receiver: NotifyReceiver, message: Taken) -> dict[str, Any]:
    """Notify's answer to a message it took."""
    notification_id = str(uuid.uuid4())
    body = message.personalisation.get("body", "")
    content: dict[str, Any] = {"body": body, "from_number": "GOVUK"}
    if message.kind == "email":
        content = {
            "subject": message.personalisation.get("subject", ""),
            "body": body,
            "from_email": "safeside.test@notifications.service.gov.uk",
        }
    return {
        "id": notification_id,
        "reference": message.reference,
        "content": content,
        "uri": f"{receiver.base_url}/v2/notifications/{notification_id}",
        "template": {
            "id": message.template_id,
            "version": 1,
            "uri": f"{receiver.base_url}/v2/template/{message.template_id}",
        },
        "scheduled_for": None,
    }


@contextmanager
def notify_receiver() -> Iterator[NotifyReceiver]:
    """A receiver on 127.0.0.1, serving from a thread until the block ends."""
    lock = threading.Lock()
    receiver: NotifyReceiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with lock:
                try:
                    message = receiver.take(
                        self.path,
                        self.headers.get("Authorization"),
                        self.headers.get("Content-Type", ""),
                        raw,
                    )
                except Refused as refused:
                    receiver.refused.append((refused.status, refused.error))
                    self.answer(refused.status, refused.error, str(refused))
                    return
                if receiver.answers:
                    status = receiver.answers.pop(0)
                    error = _ERROR_TYPE.get(status, "Exception")
                    receiver.refused.append((status, error))
                    self.answer(status, error, "Internal server error")
                    return
                receiver.taken.append(message)
            self.reply(201, created(receiver, message))

        def answer(self, status: int, error: str, message: str) -> None:
            self.reply(
                status, {"status_code": status, "errors": [{"error": error, "message": message}]}
            )

        def reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output to the tests

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = NotifyReceiver(base_url=f"http://127.0.0.1:{server.server_port}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
