"""Deferring jobs in the same transaction as the change that caused them (no job for a rollback)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog
from procrastinate import exceptions as procrastinate_errors
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore import jobqueue

log = structlog.get_logger(__name__)


async def defer(
    session: AsyncSession,
    task: str,
    *,
    lock: str | None = None,
    queueing_lock: str | None = None,
    schedule_at: datetime | None = None,
    priority: int | None = None,
    queue: str | None = None,
    **kwargs: Any,
) -> int | None:
    """Defer the task named `task` on the session's own connection.

    Returns the queue job id, or None when the job was coalesced into one already waiting.

    With a `queueing_lock`, a job already waiting under that lock absorbs this one (it will see the
    current state when it runs), so a burst costs one job. A savepoint keeps the refusal from
    aborting the caller's transaction.
    """
    conn = await session.connection()
    raw = (await conn.get_raw_connection()).driver_connection
    options: dict[str, Any] = {"connection": raw}
    if lock:
        options["lock"] = lock
    if queueing_lock:
        options["queueing_lock"] = queueing_lock
    if schedule_at:
        options["schedule_at"] = schedule_at
    if priority is not None:  # higher first among the jobs a worker may take (procrastinate's default: 0)
        options["priority"] = priority
    if queue is not None:  # another queue than the task's own
        options["queue"] = queue
    try:
        # A connection-level savepoint: emitted at once (a session-level one is lazy, and procrastinate
        # writes through the raw connection, which the session does not see).
        async with conn.begin_nested():
            job_id: int = await jobqueue.app.configure_task(task, **options).defer_async(**kwargs)
            return job_id
    except procrastinate_errors.AlreadyEnqueued:
        return None


async def defer_many(
    session: AsyncSession, task: str, jobs: list[dict[str, Any]], *, queue: str | None = None
) -> None:
    """Defer one job of `task` per keyword set (on `queue` instead of the task's own, if given), in one
    statement on the session's own connection."""
    if not jobs:
        return
    conn = await session.connection()
    raw = (await conn.get_raw_connection()).driver_connection
    options: dict[str, Any] = {"connection": raw} | ({"queue": queue} if queue else {})
    await jobqueue.app.configure_task(task, **options).batch_defer_async(*jobs)
