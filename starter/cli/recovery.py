"""``safeside recover``: the operator's door to disaster recovery from the audit trail
(``starter.services.recovery``), after Temporal's database is lost or on a new cluster. One
line per stream as it goes, then the counts; status 1 when a stream could not be recovered
or a server stopped answering."""

from __future__ import annotations

import sys
from collections import Counter

import click

from safeside.policy_file import load_policy
from safeside.settings import Settings
from safeside.temporal import connect
from starter.cli.running import FAILED, run
from starter.services.connection import database
from starter.services.recovery import Outcome, StreamRecovered, recover


@click.command(
    "recover",
    help="Start every unit's and every open placement's workflow again from its stream in "
    "PostgreSQL, on a Temporal namespace that has lost them. Workflows still running are "
    "left alone; running it twice is safe.",
)
@click.option("--dry-run", is_flag=True, help="List what would be started; start nothing.")
@click.pass_obj
def recover_workflows(settings: Settings, dry_run: bool) -> None:
    outcomes = run(_recover(settings, dry_run=dry_run))
    click.echo(summary(outcomes, dry_run=dry_run))
    if outcomes[Outcome.failed]:
        click.echo(
            "safeside: some streams were not recovered (above): fix them, then run "
            "`safeside recover` again",
            err=True,
        )
        sys.exit(FAILED)


async def _recover(settings: Settings, *, dry_run: bool) -> Counter[Outcome]:
    policy = load_policy(settings)
    client = await connect(settings)
    async with database(settings) as pool:
        return await recover(
            client,
            pool,
            policy=policy,
            task_queue=settings.task_queue,
            dry_run=dry_run,
            progress=_say_progress,
        )


def _say_progress(done: int, total: int, recovered: StreamRecovered) -> None:
    line = (
        f"[{done}/{total}] {recovered.kind} {recovered.stream_id} at version "
        f"{recovered.version}: {recovered.outcome}"
    )
    if recovered.note:
        line += f" ({recovered.note})"
    click.echo(line, err=recovered.outcome is Outcome.failed)


def summary(outcomes: Counter[Outcome], *, dry_run: bool) -> str:
    started = (
        f"would recover {outcomes[Outcome.would_recover]}"
        if dry_run
        else f"recovered {outcomes[Outcome.recovered]}"
    )
    line = (
        f"{started}, already running {outcomes[Outcome.already_running]}, "
        f"ended skipped {outcomes[Outcome.ended]}"
    )
    if outcomes[Outcome.failed]:
        line += f", failed {outcomes[Outcome.failed]}"
    return f"dry run: {line}; nothing was started" if dry_run else line
