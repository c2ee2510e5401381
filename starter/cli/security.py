"""``safeside keys rotate``, ``safeside token issue`` and ``safeside token end``: the keyring
and the bearer tokens of service accounts and scripts."""

from __future__ import annotations

import sys
from datetime import timedelta

import click

from safeside.keyring import keyring_file, rotate_keyring_file
from safeside.settings import Settings
from safeside.tokens import Principal, TokenVerifier
from starter.cli.running import BAD_INPUT, fail_on_safeside_error, run
from starter.services.permissions import STAFF_ROLES
from workflows.domain.common import Role


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


@click.group(
    help="HS256 bearer tokens for service accounts and scripts (people sign in through the "
    "identity provider)."
)
def token() -> None:
    pass


@token.command("issue", help="Print a signed token for a staff role (for the dev stack).")
@click.option("--role", required=True, type=click.Choice([r.value for r in STAFF_ROLES]))
@click.option("--subject", required=True, help="An opaque staff reference, never a name.")
@click.option(
    "--hours",
    type=click.FloatRange(min=0.01),
    default=8,
    show_default=True,
    help="How long the token lasts: at most SAFESIDE_AUTH_MAX_TOKEN_HOURS (12 by default).",
)
@click.pass_obj
def token_issue(settings: Settings, role: str, subject: str, hours: float) -> None:
    # The limit is a setting, so click cannot check it; one line naming the option, as for
    # every other wrong input.
    if hours > settings.auth_max_token_hours:
        click.echo(
            f"safeside: --hours: a token may last at most {settings.auth_max_token_hours:g} "
            "hours (SAFESIDE_AUTH_MAX_TOKEN_HOURS)",
            err=True,
        )
        sys.exit(BAD_INPUT)
    with fail_on_safeside_error():
        verifier = TokenVerifier.from_settings(settings)
        principal = Principal(subject=subject, role=Role(role))
        click.echo(verifier.issue(principal, lifetime=timedelta(hours=hours)))


@token.command(
    "end",
    help="Sign out: end the token in SAFESIDE_TOKEN on the server, so it (and any copy of it) "
    "is refused from now on, by the API and the command line alike.",
)
@click.pass_obj
def token_end(settings: Settings) -> None:
    from starter.cli.signing_in import end_token

    run(end_token(settings))
    click.echo("signed out: the token in SAFESIDE_TOKEN is refused from now on")
