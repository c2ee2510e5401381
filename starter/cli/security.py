"""``safeside keys rotate`` and ``safeside token issue``: the keyring and bearer tokens."""

from __future__ import annotations

from datetime import timedelta

import click

from safeside.keyring import keyring_file, rotate_keyring_file
from safeside.settings import Settings
from safeside.tokens import Principal, TokenVerifier
from starter.cli.running import fail_on_safeside_error
from starter.services.permissions import STAFF_ROLES
from workflows.domain.common import Role

MAX_TOKEN_HOURS = 24 * 7


@click.group(help="The keyring that encrypts Temporal payloads.")
def keys() -> None:
    pass


@keys.command(
    "rotate",
    help="Add a new current key to the keyring file; older keys stay so old histories decode. "
    "Restart the workers and API processes afterwards so they encrypt with the new key.",
)
@click.pass_obj
def keys_rotate(settings: Settings) -> None:
    with fail_on_safeside_error():
        keyring = rotate_keyring_file(settings)
    click.echo(
        f"new current key {keyring.current_key_id} in {keyring_file(settings)} "
        f"({len(keyring.keys)} keys kept); restart the workers and the API to use it"
    )


@click.group(help="Bearer tokens for the HTTP API and the codec endpoint.")
def token() -> None:
    pass


@token.command("issue", help="Print a signed token for a staff role (for the dev stack).")
@click.option("--role", required=True, type=click.Choice([r.value for r in STAFF_ROLES]))
@click.option("--subject", required=True, help="An opaque staff reference, never a name.")
@click.option("--hours", type=click.FloatRange(0.01, MAX_TOKEN_HOURS), default=8, show_default=True)
@click.pass_obj
def token_issue(settings: Settings, role: str, subject: str, hours: float) -> None:
    with fail_on_safeside_error():
        verifier = TokenVerifier.from_settings(settings)
        principal = Principal(subject=subject, role=Role(role))
        click.echo(verifier.issue(principal, lifetime=timedelta(hours=hours)))
