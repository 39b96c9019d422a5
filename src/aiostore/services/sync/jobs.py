"""sync_jobs: what people see of the queue. Create (and defer), list, show, retry, cancel, finish."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import ChannelAccount, SyncJob, SyncJobItem
from aiostore.errors import Conflict, NotFound
from aiostore.services import audit
from aiostore.services.alerts import triggers
from aiostore.services.context import OrgContext
from aiostore.services.pagination import Page, Sort, page_of, paginate
from aiostore.services.sync.queue import defer

QUEUED, RUNNING, RETRYING, SUCCEEDED, FAILED, CANCELLED = (
    "queued",
    "running",
    "retrying",
    "succeeded",
    "failed",
    "cancelled",
)
FINISHED = frozenset({SUCCEEDED, FAILED, CANCELLED})
KINDS = frozenset(
    {
        "pull_products",
        "pull_orders",
        "check_order_gaps",  # services/sync/gaps.py
        "push_stock",
        "push_listings",
        "ship_order",
        "cancel_order",
        "refresh_tokens",
        "refresh_reference",  # platform reference data (services/reference/refresh.py)
        "publish",  # a committed catalog preview, one shop (services/catalog/publish_job.py)
        "reconcile",  # a shop compared with the master (services/reconciliation/run.py)
        "readback",  # what pushes wrote, read back from the shop (services/reconciliation/readback.py)
        "catalog.follow_review",  # listings under a platform's review (services/catalog/review.py)
    }
)
MAX_ATTEMPTS = 5
RUN_JOB = "sync.run_job"  # the task (worker/tasks/sync.py) that runs a job by id
# A shop's push task (services/sync/push.py): its job lock (one push of the shop runs at a time) and its
# queueing lock (one waits), each this prefix and the shop's id.
PUSH_LOCK, PUSH_QUEUEING_LOCK = "push_stock:", "push:"
BASE_DELAY = 2.0
MAX_DELAY = 300.0


def backoff(
    attempts: int,
    retry_after: float | None = None,
    rng: random.Random | None = None,
    *,
    base: float = BASE_DELAY,
) -> float:
    """Seconds before the next attempt: capped exponential with full jitter, never below Retry-After."""
    ceiling = min(MAX_DELAY, base * 2 ** max(0, attempts - 1))
    delay = (rng or random.SystemRandom()).uniform(0, ceiling)
    return max(delay, retry_after or 0.0)


CIRCUIT_SPREAD = 0.1  # of the breaker's recovery time: jobs waiting for one circuit wake spread out


def circuit_wait(retry_after: float | None, recovery: float, rng: random.Random | None = None) -> float:
    """Seconds before work refused by an open circuit runs again: until the circuit lets a probe through
    (the breaker's recovery time when it did not say), plus up to a tenth of that time, so that a crowd
    of waiting jobs does not meet the one probe at once (the probe's answer closes the circuit first)."""
    wait = recovery if retry_after is None else max(retry_after, 0.0)
    return wait + (rng or random.SystemRandom()).uniform(0, CIRCUIT_SPREAD * recovery)


async def create(
    session: AsyncSession,
    org_id: uuid.UUID,
    kind: str,
    *,
    channel_account_id: uuid.UUID | None,
    params: dict[str, Any] | None = None,
    dry_run: bool,
    started_by: str,
    user_id: uuid.UUID | None = None,
    defer_now: bool = True,
    run_at: datetime | None = None,
    priority: int | None = None,
) -> SyncJob:
    """A job row and its queue job (to run at `run_at`, else at once; `priority` as procrastinate's), in
    the caller's transaction. Without its queue job (`defer_now=False`, the caller runs it) the row is
    written with the caller's next flush, so a caller that claims it first writes it once.

    A shop with its own write mode (``channel_accounts.write_mode``) decides ``dry_run`` for its jobs."""
    if channel_account_id is not None:
        account = await session.get(ChannelAccount, channel_account_id)
        if account is not None and account.write_mode is not None:
            dry_run = account.write_mode != "live"
    job = SyncJob(
        id=uuid.uuid4(),  # known before the INSERT: a job run at once (no queue job) needs no flush
        org_id=org_id,
        kind=kind,
        channel_account_id=channel_account_id,
        params=params or {},
        dry_run=dry_run,
        started_by=started_by,
        started_by_user_id=user_id,
        status=QUEUED,
        attempts=0,
        max_attempts=MAX_ATTEMPTS,
        result={},
    )
    session.add(job)
    if defer_now:
        await session.flush()
        job.queue_job_id = await defer(
            session,
            RUN_JOB,
            lock=_lock(job),
            schedule_at=run_at,
            priority=priority,
            org_id=str(org_id),
            job_id=str(job.id),
        )
    return job


def _lock(job: SyncJob) -> str | None:
    # Jobs of one kind on one shop run one at a time (a pull racing a pull only wastes calls).
    return f"{job.kind}:{job.channel_account_id}" if job.channel_account_id else None


async def schedule_retry(
    session: AsyncSession, job: SyncJob, *, error: str, retry_after: float | None, base: float = BASE_DELAY
) -> bool:
    """After a transient failure: retry later, or fail for good (dead letter) when out of attempts."""
    job.error = error
    if job.attempts >= job.max_attempts:
        job.status = FAILED
        job.finished_at = datetime.now(UTC)
        job.next_attempt_at = None
        await triggers.evaluate_soon(session, job.org_id)
        return False
    await _run_again(session, job, backoff(job.attempts, retry_after, base=base))
    return True


async def schedule_again(session: AsyncSession, job: SyncJob, delay: float, result: dict[str, Any]) -> None:
    """Run the job again after `delay` seconds with a fresh allowance of attempts (it did not fail)."""
    job.error = None
    job.result = result
    job.attempts = 0
    await _run_again(session, job, delay)


async def wait_for_circuit(session: AsyncSession, job: SyncJob, *, platform: str, delay: float) -> None:
    """Our breaker refused the job's calls (none was sent): run it again after `delay` seconds, giving
    back the attempt its claim counted; the job says why it waits and until when."""
    job.attempts = max(job.attempts - 1, 0)
    job.error = circuit_error(platform, await _run_again(session, job, delay))


def circuit_error(platform: str, when: datetime) -> str:
    """What a job or a webhook waiting for an open circuit says."""
    return (
        f"CircuitOpen: the circuit for {platform or 'the platform'} is open after repeated failures; "
        f"nothing was sent; retrying at {when:%Y-%m-%d %H:%M:%S} UTC"
    )


async def _run_again(session: AsyncSession, job: SyncJob, delay: float) -> datetime:
    when = datetime.now(UTC) + timedelta(seconds=delay)
    job.status = RETRYING
    job.next_attempt_at = when
    job.queue_job_id = await defer(
        session, RUN_JOB, lock=_lock(job), schedule_at=when, org_id=str(job.org_id), job_id=str(job.id)
    )
    return when


@dataclass(frozen=True, slots=True)
class JobFilter:
    status: str | None = None
    kind: str | None = None
    channel_account_id: uuid.UUID | None = None


async def list_jobs(
    session: AsyncSession, ctx: OrgContext, f: JobFilter, *, cursor: str | None, limit: int
) -> Page[SyncJob]:
    stmt: Select[Any] = select(SyncJob)
    if f.status:
        stmt = stmt.where(SyncJob.status == f.status)
    if f.kind:
        stmt = stmt.where(SyncJob.kind == f.kind)
    if f.channel_account_id:
        stmt = stmt.where(SyncJob.channel_account_id == f.channel_account_id)
    sort = Sort(SyncJob.created_at, descending=True, kind="datetime")
    stmt = paginate(stmt, sort=sort, id_column=SyncJob.id, cursor=cursor, limit=limit)
    rows = list((await session.scalars(stmt)).all())
    return page_of(rows, limit=limit, sort_value=lambda j: j.created_at, row_id=lambda j: j.id)


async def get_job(session: AsyncSession, job_id: uuid.UUID, *, for_update: bool = False) -> SyncJob:
    stmt = select(SyncJob).where(SyncJob.id == job_id).execution_options(populate_existing=True)
    if for_update:
        stmt = stmt.with_for_update()
    job = await session.scalar(stmt)
    if job is None:
        raise NotFound("job not found")
    return job


ITEMS_LIMIT = 1000  # a job's items shown by the API and the dashboard: the first ones


async def items_of(session: AsyncSession, job_id: uuid.UUID, limit: int = ITEMS_LIMIT) -> list[SyncJobItem]:
    rows = await session.scalars(
        select(SyncJobItem)
        .where(SyncJobItem.job_id == job_id)
        .order_by(SyncJobItem.created_at, SyncJobItem.id)
        .limit(limit)
    )
    return list(rows.all())


async def retry(session: AsyncSession, ctx: OrgContext, job_id: uuid.UUID) -> SyncJob:
    """Run a failed or cancelled job again, with a fresh allowance of attempts."""
    job = await get_job(session, job_id, for_update=True)
    if job.status not in (FAILED, CANCELLED):
        raise Conflict(f"only failed or cancelled jobs can be retried; this one is {job.status}")
    before = {"status": job.status}
    job.status = QUEUED
    job.error = None
    job.finished_at = None
    job.next_attempt_at = None
    job.max_attempts = job.attempts + MAX_ATTEMPTS
    job.queue_job_id = await defer(
        session, RUN_JOB, lock=_lock(job), org_id=str(job.org_id), job_id=str(job.id)
    )
    await audit.record(
        session, ctx, "job.retried", "sync_job", job.id, before=before, after={"status": job.status}
    )
    return job


async def cancel(session: AsyncSession, ctx: OrgContext, job_id: uuid.UUID) -> SyncJob:
    """Stop a job: a queued or retrying one never runs; a running one stops at its next checkpoint."""
    job = await get_job(session, job_id, for_update=True)
    if job.status in FINISHED:
        raise Conflict(f"this job has already {job.status}")
    before = {"status": job.status}
    job.status = CANCELLED
    job.finished_at = datetime.now(UTC)
    job.next_attempt_at = None
    await audit.record(
        session, ctx, "job.cancelled", "sync_job", job.id, before=before, after={"status": job.status}
    )
    return job


async def add_items(session: AsyncSession, job: SyncJob, items: list[dict[str, Any]]) -> None:
    if items:
        session.add_all([SyncJobItem(org_id=job.org_id, job_id=job.id, **item) for item in items])
        await session.flush()


async def set_progress(session: AsyncSession, job_id: uuid.UUID, done: int, total: int | None) -> bool:
    """Record progress; False when the job was cancelled meanwhile (the runner stops)."""
    result = await session.execute(
        update(SyncJob)
        .where(SyncJob.id == job_id, SyncJob.status == RUNNING)
        .values(progress_done=done, progress_total=total, updated_at=datetime.now(UTC))
        .returning(SyncJob.id)
    )
    return result.first() is not None
