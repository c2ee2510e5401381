"""`safeside token issue`, `safeside keys rotate`, and the dev stack's secrets on first start."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner, Result

from safeside.keyring import load_keyring
from safeside.private_files import is_owner_only
from safeside.settings import Settings
from safeside.tokens import Principal, TokenVerifier
from starter.cli import cli
from starter.cli.dev import _ensure_dev_secrets
from workflows.domain.common import Role


def _env(data_dir: Path) -> dict[str, str | None]:
    names = [name for name in os.environ if name.startswith("SAFESIDE_")]
    return dict.fromkeys(names) | {"SAFESIDE_DATA_DIR": str(data_dir)}


def _issue_token(tmp_path: Path, role: str, subject: str, *, hours: str) -> Result:
    """`safeside token issue`, once the dev stack has made its secrets in ``tmp_path``."""
    _ensure_dev_secrets(Settings(data_dir=tmp_path))
    return CliRunner().invoke(
        cli,
        ["token", "issue", "--role", role, "--subject", subject, "--hours", hours],
        env=_env(tmp_path),
    )


def test_the_dev_stack_makes_owner_only_secrets_once(tmp_path: Path) -> None:
    lines = dict(_ensure_dev_secrets(Settings(data_dir=tmp_path)))
    assert lines["keyring"].endswith("(created now)")
    assert lines["signing key"].endswith("(created now)")
    for name in ("encryption-keys.json", "token-secret"):
        assert is_owner_only(tmp_path / name)
    again = dict(_ensure_dev_secrets(Settings(data_dir=tmp_path)))
    assert not again["keyring"].endswith("(created now)")


def test_a_token_issued_on_the_command_line_verifies(tmp_path: Path) -> None:
    result = _issue_token(tmp_path, "social_worker", "sw-204", hours="1")
    assert result.exit_code == 0, result.output
    verifier = TokenVerifier.from_settings(Settings(data_dir=tmp_path))
    assert verifier.verify(result.output.strip()) == Principal(
        subject="sw-204", role=Role.social_worker
    )


def test_a_token_for_a_role_that_does_not_sign_in_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["token", "issue", "--role", "police", "--subject", "x"], env=_env(tmp_path)
    )
    assert result.exit_code == 2


def test_a_token_longer_than_twelve_hours_is_refused_naming_the_option(tmp_path: Path) -> None:
    result = _issue_token(tmp_path, "key_worker", "kw-17", hours="13")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "safeside: --hours: a token may last at most 12 hours (SAFESIDE_AUTH_MAX_TOKEN_HOURS)"
    ]


def test_twelve_hours_is_the_longest_token_the_command_line_issues(tmp_path: Path) -> None:
    result = _issue_token(tmp_path, "key_worker", "kw-17", hours="12")
    assert result.exit_code == 0, result.output
    verified = TokenVerifier.from_settings(Settings(data_dir=tmp_path)).verify_token(
        result.stdout.strip()
    )
    assert verified.expires_at - verified.issued_at == timedelta(hours=12)


def test_keys_rotate_adds_a_current_key_and_says_to_restart(tmp_path: Path) -> None:
    _ensure_dev_secrets(Settings(data_dir=tmp_path))
    before = load_keyring(Settings(data_dir=tmp_path))
    result = CliRunner().invoke(cli, ["keys", "rotate"], env=_env(tmp_path))
    assert result.exit_code == 0, result.output
    after = load_keyring(Settings(data_dir=tmp_path))
    assert f"new current key {after.current_key_id}" in result.output
    assert "restart" in result.output
    assert set(after.keys) == {*before.keys, after.current_key_id}


def test_keys_rotate_without_a_keyring_says_so_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["keys", "rotate"], env=_env(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.startswith("safeside: no encryption keyring at")
