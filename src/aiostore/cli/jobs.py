"""`aiostore jobs list|show|retry|cancel`: what the sync engine is doing and did (as /api/jobs)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from aiostore.cli.installation import Installation, OrgOption, execute, settings_or_exit
from aiostore.cli.output import out
from aiostore.cli.sync import channel_labels
from aiostore.settings import Settings

if TYPE_CHECKING:
    from aiostore.db.models import SyncJob, SyncJobItem

app = typer.Typer(help="Sync jobs: list, show with per-item outcomes, retry, cancel.", no_args_is_help=True)

JobId = Annotated[uuid.UUID, typer.Argument(metavar="JOB_ID", help="The job's id.")]
# As services/sync/jobs.py (kept here so that the CLI starts without the database layers).
STATUSES = ("queued", "running", "retrying", "succeeded", "failed", "cancelled")
STYLE = {
    "succeeded": "green",
    "failed": "red",
    "cancelled": "yellow",
    "retrying": "yellow",
    "running": "cyan",
}


def _when(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def _status(status: str) -> str:
    style = STYLE.get(status)
    return f"[{style}]{status}[/]" if style else status


def _progress(job: SyncJob) -> str:
    return (
        f"{job.progress_done}/{job.progress_total}"
        if job.progress_total is not None
        else str(job.progress_done)
    )


async def _list(
    settings: Settings,
    org: uuid.UUID | None,
    status: str | None,
    kind: str | None,
    channel: uuid.UUID | None,
    limit: int,
) -> tuple[list[SyncJob], dict[uuid.UUID, str]]:
    from aiostore.errors import invalid
    from aiostore.services import channels
    from aiostore.services.sync import jobs

    if status is not None and status not in STATUSES:
        raise invalid("status", f"one of {', '.join(STATUSES)}")
    if kind is not None and kind not in jobs.KINDS:
        raise invalid("kind", f"one of {', '.join(sorted(jobs.KINDS))}")
    async with (
        Installation(settings) as installation,
        installation.org(org, [channel] if channel else []) as (session, ctx),
    ):
        page = await jobs.list_jobs(
            session, ctx, jobs.JobFilter(status, kind, channel), cursor=None, limit=limit
        )
        return page.items, channel_labels(await channels.list_channels(session, ctx))


@app.command("list")
def list_jobs(
    org: OrgOption = None,
    status: Annotated[
        str | None, typer.Option(help=f"Only jobs in this status: {', '.join(STATUSES)}.")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(help="Only jobs of this kind, e.g. pull_products, pull_orders, push_listings."),
    ] = None,
    channel: Annotated[
        uuid.UUID | None, typer.Option("--channel", metavar="CHANNEL_ID", help="Only jobs on this channel.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many jobs.")] = 20,
) -> None:
    """Jobs, newest first."""
    settings = settings_or_exit()
    rows, labels = execute(
        _list(settings, org, status, kind, channel, limit),
        labels={"status": ("--status", ()), "kind": ("--kind", ())},
    )
    out.print(_table(rows, labels, width=out.width) if rows else "no jobs")


# Columns by how much they are worth on a narrow terminal: the id (what `jobs show` takes) never cut,
# then what happened; the rest is shown from 120 columns on (`jobs show` has every field).
NARROW = 120


def _table(rows: list[SyncJob], labels: dict[uuid.UUID, str], *, width: int) -> Table:
    wide = width >= NARROW
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("job", no_wrap=True, min_width=36)
    table.add_column("created", no_wrap=True, min_width=8)
    table.add_column(
        "kind",
        no_wrap=True,
        overflow="ellipsis",
        min_width=None if wide else 12,
        max_width=None if wide else 12,
    )
    if wide:
        table.add_column("channel", no_wrap=True, overflow="ellipsis", max_width=30)
    table.add_column("status", no_wrap=True, min_width=9)
    if wide:
        for name in ("tries", "progress", "dry run", "by"):
            table.add_column(name, no_wrap=True)
    table.add_column("error", no_wrap=True, overflow="ellipsis", min_width=5)
    for job in rows:
        channel = labels.get(job.channel_account_id, "-") if job.channel_account_id else "-"
        created = _when(job.created_at) if wide else _short_when(job.created_at)
        cells = [str(job.id), created, job.kind]
        if wide:
            cells.append(escape(channel))
        cells.append(_status(job.status))
        if wide:
            cells += [
                f"{job.attempts}/{job.max_attempts}",
                _progress(job),
                "yes" if job.dry_run else "no",
                job.started_by,
            ]
        cells.append(escape((job.error or "").splitlines()[0][:200] if job.error else ""))
        table.add_row(*cells)
    return table


def _short_when(value: datetime | None) -> str:
    return value.astimezone().strftime("%d %H:%M") if value else "-"  # day of the month, time


async def _show(
    settings: Settings, org: uuid.UUID | None, job_id: uuid.UUID
) -> tuple[SyncJob, list[SyncJobItem], dict[uuid.UUID, str]]:
    from aiostore.services import channels
    from aiostore.services.sync import jobs

    async with Installation(settings) as installation, installation.org(org) as (session, ctx):
        job = await jobs.get_job(session, job_id)
        items = await jobs.items_of(session, job.id)
        return job, items, channel_labels(await channels.list_channels(session, ctx))


@app.command("show")
def show(job_id: JobId, org: OrgOption = None) -> None:
    """A job with its per-item outcomes (the first 1000)."""
    settings = settings_or_exit()
    job, items, labels = execute(_show(settings, org, job_id))
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    rows: list[tuple[str, str]] = [
        ("job", str(job.id)),
        ("kind", job.kind),
        ("channel", escape(labels.get(job.channel_account_id, "-")) if job.channel_account_id else "-"),
        ("status", _status(job.status)),
        ("attempts", f"{job.attempts} of {job.max_attempts}"),
        ("next attempt", _when(job.next_attempt_at)),
        ("progress", _progress(job)),
        ("dry run", "yes" if job.dry_run else "no"),
        ("started by", job.started_by),
        ("created", _when(job.created_at)),
        ("started", _when(job.started_at)),
        ("finished", _when(job.finished_at)),
        ("error", escape(job.error or "-")),
        ("params", escape(json.dumps(job.params, default=str))),
        ("result", escape(json.dumps(job.result, default=str))),
    ]
    for name, value in rows:
        facts.add_row(name, value)
    out.print(facts)
    if not items:
        out.print("no items")
        return
    table = Table("ref", "result", "dry run", "error", title=f"{len(items)} item(s)", title_justify="left")
    for item in items:
        table.add_row(
            escape(item.ref), _status(item.result), "yes" if item.dry_run else "no", escape(item.error or "")
        )
    out.print(table)


async def _retry(settings: Settings, org: uuid.UUID | None, job_id: uuid.UUID) -> SyncJob:
    from aiostore.services.sync import jobs

    async with Installation(settings) as installation, installation.org(org) as (session, ctx):
        return await jobs.retry(session, ctx, job_id)


async def _cancel(settings: Settings, org: uuid.UUID | None, job_id: uuid.UUID) -> SyncJob:
    from aiostore.services.sync import jobs

    async with Installation(settings) as installation, installation.org(org) as (session, ctx):
        return await jobs.cancel(session, ctx, job_id)


@app.command("retry")
def retry(job_id: JobId, org: OrgOption = None) -> None:
    """Run a failed or cancelled job again (with a fresh allowance of attempts)."""
    job = execute(_retry(settings_or_exit(), org, job_id))
    out.print(f"[green]queued again:[/] job {job.id} ({job.kind})")


@app.command("cancel")
def cancel(job_id: JobId, org: OrgOption = None) -> None:
    """Cancel a queued, retrying or running job (a running one stops at its next checkpoint)."""
    job = execute(_cancel(settings_or_exit(), org, job_id))
    out.print(f"[yellow]cancelled:[/] job {job.id} ({job.kind})")
