"""The command line acts only for a signed-in person: without a trustworthy token in
SAFESIDE_TOKEN, a person's command stops with one line before any server is reached (the
servers named here do not answer, so a command that tried would say so instead)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from click.testing import CliRunner, Result

from safeside.embedded.processes import free_port
from starter.cli import cli
from starter.cli.signing_in import SIGN_IN_FIRST
from tests.support.security import TEST_TOKEN_SECRET, security_env, token_for

SIGN_IN_LINE = f"safeside: {SIGN_IN_FIRST}"

PERSONS_COMMANDS = [
    ["placement", "start", "--placement-id", "PL-1"],
    ["placement", "record", "observation", "PL-1", "--category", "waiting_car"],
    ["placement", "show", "PL-1"],
    ["placement", "audit", "PL-1"],
    ["placement", "list"],
    ["placement", "allocate", "PL-1", "--role", "key_worker", "--staff", "staff-17"],
    ["placement", "break-glass", "PL-1", "--reason", "out of hours"],
    ["deadlines"],
    ["unit", "check", "UNIT-7", "--seen", "PL-1"],
    ["unit", "handover", "UNIT-7"],
    ["org", "unit", "add", "UNIT-9", "--name", "Elm House"],
    ["org", "staff", "add", "staff-99", "--role", "key_worker"],
    ["org", "member", "add", "staff-99", "UNIT-9"],
    ["org", "member", "end", "staff-99", "UNIT-9"],
    ["break-glass", "list"],
]


def safeside(*args: str, token: str | None) -> Result:
    nowhere = f"127.0.0.1:{free_port()}"
    unset = dict.fromkeys(name for name in os.environ if name.startswith("SAFESIDE_"))
    env = (
        unset
        | security_env()
        | {
            "SAFESIDE_TEMPORAL_ADDRESS": nowhere,
            "SAFESIDE_DATABASE_URL": f"postgresql://postgres@{nowhere}/safeside",
            "SAFESIDE_TOKEN": token,
        }
    )
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.mark.parametrize("command", PERSONS_COMMANDS, ids=" ".join)
def test_every_persons_command_without_a_token_asks_to_sign_in_first(command: list[str]) -> None:
    result = safeside(*command, token=None)
    assert result.exit_code == 1
    assert result.stderr.strip() == SIGN_IN_LINE


def test_an_expired_token_asks_to_sign_in_again_saying_why() -> None:
    issued = datetime.now(UTC) - timedelta(hours=3)
    claims = {
        "sub": "staff-01",
        "role": "registered_manager",
        "iss": "safeside",
        "aud": "safeside-api",
        "iat": issued,
        "exp": issued + timedelta(hours=1),
        "jti": "an-old-session",
    }
    result = safeside("placement", "list", token=jwt.encode(claims, TEST_TOKEN_SECRET))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{SIGN_IN_LINE} (the token has expired: ask for a new one)"


def test_a_token_signed_by_someone_else_is_not_trusted() -> None:
    forged = jwt.encode({"sub": "staff-01", "role": "registered_manager"}, "x" * 40)
    result = safeside("deadlines", token=forged)
    assert result.exit_code == 1
    assert result.stderr.startswith(SIGN_IN_LINE)
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_role_that_does_not_sign_in_is_refused() -> None:
    result = safeside("placement", "list", token=token_for("police", "pol-1"))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "safeside: refused: the role police does not sign in to Safeside"
    )


def test_with_a_good_token_the_command_goes_on_to_the_servers() -> None:
    result = safeside("placement", "list", token=token_for("registered_manager", "staff-01"))
    assert result.exit_code == 1
    assert "cannot reach the Temporal server" in result.stderr


def test_the_operators_commands_need_no_token() -> None:
    result = safeside("token", "issue", "--role", "key_worker", "--subject", "kw-1", token=None)
    assert result.exit_code == 0, result.output
    assert result.stdout.count(".") == 2  # a JWT
