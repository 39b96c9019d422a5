"""Watching jobs to the end: a Rich progress bar per job, driven by PostgreSQL notifications.

The `sync_jobs` trigger (migration 0002) announces every change of a job on the `aiostore_jobs`
channel with its status and progress. The command LISTENs *before* it commits the jobs it creates, so
their creation and every later change arrive in commit order and nothing is missed; the database is
not polled. Only once all are finished does it read the jobs again, for the errors of failed ones.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from sqlalchemy import select

from aiostore.cli.installation import Installation
from aiostore.cli.output import console, out
from aiostore.db.models import SyncJob
from aiostore.services.sync import jobs

STYLE = {
    jobs.SUCCEEDED: "green",
    jobs.FAILED: "red",
    jobs.CANCELLED: "yellow",
    jobs.RETRYING: "yellow",
    jobs.RUNNING: "cyan",
}


@dataclass
class _State:
    status: str
    done: int
    total: int | None


def _status(status: str) -> str:
    style = STYLE.get(status)
    return f"[{style}]{status}[/]" if style else status


def _show(progress: Progress, task: TaskID, state: _State) -> None:
    total, done = state.total, state.done
    if state.status == jobs.SUCCEEDED:  # a finished job fills its bar, whatever it counted
        total = max(total or 0, done, 1)
        done = total
    progress.update(task, total=total, completed=done, status=_status(state.status))


async def _follow(
    listener: psycopg.AsyncConnection[Any],
    states: dict[uuid.UUID, _State],
    progress: Progress,
    tasks: Mapping[uuid.UUID, TaskID],
) -> None:
    if all(s.status in jobs.FINISHED for s in states.values()):
        return
    async for note in listener.notifies():
        data = json.loads(note.payload)
        job_id = uuid.UUID(data["id"])
        state = states.get(job_id)
        if state is None:
            continue
        state.status = data["status"]
        state.done = int(data.get("progress_done") or 0)
        total = data.get("progress_total")
        state.total = int(total) if total is not None else None
        _show(progress, tasks[job_id], state)
        if all(s.status in jobs.FINISHED for s in states.values()):
            return


async def watch(
    installation: Installation,
    listener: psycopg.AsyncConnection[Any],
    org_id: uuid.UUID,
    created: Sequence[SyncJob],
    labels: Mapping[uuid.UUID, str],
    *,
    wait_seconds: float | None,
) -> bool:
    """Show each job's progress until all are finished (or the timeout); True when all succeeded.

    A job that did not succeed gets one line with the reason; the jobs go on after a timeout.
    """
    states = {j.id: _State(j.status, j.progress_done, j.progress_total) for j in created}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        console=out,
    ) as progress:
        tasks = {
            j.id: progress.add_task(
                escape(labels.get(j.id, j.kind)), total=j.progress_total, status=_status(j.status)
            )
            for j in created
        }
        try:
            async with asyncio.timeout(wait_seconds):
                await _follow(listener, states, progress, tasks)
        except TimeoutError:
            pass  # reported below, job by job
    async with installation.org(org_id) as (session, _):
        ids = [j.id for j in created]
        errors = dict(
            (await session.execute(select(SyncJob.id, SyncJob.error).where(SyncJob.id.in_(ids)))).all()
        )
    ok = True
    for job in created:
        status = states[job.id].status
        if status == jobs.SUCCEEDED:
            continue
        ok = False
        label = escape(labels.get(job.id, job.kind))
        if status in jobs.FINISHED:
            error = " ".join((errors.get(job.id) or "").split())
            reason = f": {escape(error)}" if error else (" by request" if status == jobs.CANCELLED else "")
            console.print(f"[red]{label}[/] {status}{reason}", highlight=False, soft_wrap=True)
        else:
            waited = f" after {wait_seconds:g}s" if wait_seconds is not None else ""
            console.print(
                f"[yellow]{label}[/] still {status}{waited}; it goes on (aiostore jobs show {job.id})",
                highlight=False,
                soft_wrap=True,
            )
    return ok
