"""When a server cannot be reached, or a setting is wrong, the command line says which and
what to do, in one line, never a traceback."""

from __future__ import annotations

from safeside.embedded.processes import free_port
from tests.support.security import token_for
from tests.support.starter import Cli

# Signed in, so the command goes on to the servers.
SIGNED_IN = {"SAFESIDE_TOKEN": token_for("registered_manager", "staff-01")}


async def test_an_unreachable_temporal_server_is_named_with_how_to_start_it(safeside: Cli) -> None:
    address = f"127.0.0.1:{free_port()}"
    result = await safeside(
        "placement", "show", "PL-0000001", env=SIGNED_IN | {"SAFESIDE_TEMPORAL_ADDRESS": address}
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"safeside: cannot reach the Temporal server at {address}: start the stack with "
        "`make run` or set SAFESIDE_TEMPORAL_ADDRESS"
    )
    assert "Traceback" not in result.output


async def test_an_unreachable_database_says_how_to_start_it(safeside: Cli) -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/safeside"
    result = await safeside("placement", "list", env=SIGNED_IN | {"SAFESIDE_DATABASE_URL": url})
    assert result.exit_code == 1
    assert "cannot reach PostgreSQL" in result.stderr
    assert "make run" in result.stderr
    assert "Traceback" not in result.output


async def test_a_wrong_setting_is_named_and_exits_2(safeside: Cli) -> None:
    result = await safeside("deadlines", env={"SAFESIDE_API_PORT": "99999"})
    assert result.exit_code == 2
    assert result.stderr.startswith("safeside: SAFESIDE_API_PORT: Input should be less than")
