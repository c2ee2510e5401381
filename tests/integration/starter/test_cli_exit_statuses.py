"""A script calling ``safeside`` sees the command's own exit status, every time: 0 when it
did its work, 1 when it was refused, 2 for bad input. Never the Temporal SDK's abort at
interpreter exit (``Fatal Python error: PyGILState_Release``), which turned a command that had
done its work into a crash now and then."""

from __future__ import annotations

import asyncio
import sys

import pytest

from safeside.settings import Settings
from tests.integration.starter.cli_support import AS_MANAGER, start_flags
from tests.integration.starter.conftest import settings_env
from tests.support.placements import new_placement_id
from tests.support.starter import StartedPlacement

RUNS_EACH = 15
# Two or three at a time: enough to run the lot in well under a minute on a small machine.
AT_ONCE = 3

# `services` seeds the tests' organisation, which every command works in.
pytestmark = pytest.mark.usefixtures("worker", "services")


async def test_each_command_leaves_with_its_own_status_run_after_run(
    settings: Settings, started: StartedPlacement
) -> None:
    placement_id = await started()
    already_open = start_flags(new_placement_id())
    nowhere = start_flags(new_placement_id())
    nowhere[nowhere.index("--unit-id") + 1] = "NOPE"
    env = {k: v for k, v in (settings_env(settings) | AS_MANAGER).items() if v is not None}
    first = await _safeside(env, "placement", "start", *already_open)
    assert first == (0, ""), first
    # Each connects to Temporal and PostgreSQL before it answers.
    commands = {
        ("placement", "show", placement_id): 0,
        ("placement", "start", *already_open): 1,
        ("placement", "start", *nowhere): 2,
    }
    slots = asyncio.Semaphore(AT_ONCE)

    async def one_run(args: tuple[str, ...]) -> tuple[tuple[str, ...], int, str]:
        async with slots:
            status, errors = await _safeside(env, *args)
        return args, status, errors

    runs = await asyncio.gather(*(one_run(args) for _ in range(RUNS_EACH) for args in commands))

    wrong = [(args[:2], status, errors) for args, status, errors in runs
             if status != commands[args] or "Fatal Python error" in errors]  # fmt: skip
    assert wrong == []
    assert len(runs) == RUNS_EACH * len(commands)


async def _safeside(env: dict[str, str], *args: str) -> tuple[int, str]:
    """``python -m starter.cli ARGS`` as a script runs it: its exit status and standard error."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "starter.cli", *args,
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _out, errors = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, errors.decode()
