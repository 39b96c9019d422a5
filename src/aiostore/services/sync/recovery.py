"""Job rows whose queue job no longer runs them: closed, with the reason, instead of staying open for good.

A job row (`sync_jobs`) names the queue job that runs it (`queue_job_id`, procrastinate's id; a shop's
push rows name the push task that made them). The queue and our row are two writes, so a worker killed
(or a task that raised) between them leaves our row open while the queue job has ended. Found by
bench/soak.py: rows `running` for good after a killed or superseded push (and they kept the schedule
from queueing that kind of job on that shop again, since an open row means "busy").

- A push task run again after its worker died (procrastinate's stalled-job retry keeps the job's id)
  first cancels the rows its dead attempt left `running` (`close_earlier_attempt`): the new attempt
  does their work with fresher data.
- `sweep` (each minute, after the stalled jobs were put back: worker/tasks/sync.py) looks at every
  open row (queued, running, retrying) whose queue job is no longer waiting or running:
  - aborted or cancelled (a push superseded by a newer push of the shop, see
    jobqueue.retry_stalled_jobs): the row is `cancelled`, with the reason;
  - failed, succeeded or gone while our row is open (the task raised outside the runner's own
    handling, or the worker died between the two writes): the row runs again (`retrying`, a new queue
    job, one attempt spent) or, out of attempts, `failed` (dead letter, alerted).
  A `running` row that names no queue job (rows written before the push task recorded its id) is
  cancelled once no push of its shop is running.
- A queue job that runs a row now owned by another queue job (a retry already scheduled when the
  worker died before procrastinate recorded the first one's end) leaves it alone (runner.run_job).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import structlog
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import ChannelRoute, SyncJob
from aiostore.services.sync import jobs
from aiostore.services.sync.context import SyncContext

log = structlog.get_logger(__name__)

OPEN = (jobs.QUEUED, jobs.RUNNING, jobs.RETRYING)
KILLED = "the worker running it stopped; the shop's push ran again and did its work"
SUPERSEDED = "its worker stopped and a newer push of the shop took its place (it does this one's work)"
ABORTED = "its queue job was aborted"
LOST = "its queue job ended ({state}) without recording the outcome"

# Open rows whose queue job is neither waiting nor running (or no longer exists).
_ENDED = text(
    """SELECT j.id, coalesce(q.status::text, 'gone') FROM sync_jobs j
        LEFT JOIN procrastinate_jobs q ON q.id = j.queue_job_id
    WHERE j.status IN ('queued', 'running', 'retrying') AND j.queue_job_id IS NOT NULL
      AND (q.id IS NULL OR q.status NOT IN ('todo', 'doing', 'aborting'))
    ORDER BY j.id"""
)
# Running rows that name no queue job, of shops with no push running.
_UNLINKED = text(
    f"""SELECT j.id FROM sync_jobs j
    WHERE j.status = 'running' AND j.queue_job_id IS NULL AND j.kind = 'push_stock'
      AND NOT EXISTS (SELECT 1 FROM procrastinate_jobs q
                      WHERE q.lock = '{jobs.PUSH_LOCK}' || j.channel_account_id::text AND q.status = 'doing')
    ORDER BY j.id"""  # noqa: S608  (constants only)
)


async def close_earlier_attempt(session: AsyncSession, queue_job_id: int) -> int:
    """Cancel the rows a push task's earlier attempt (its worker died) left running; how many."""
    result = await session.execute(
        update(SyncJob)
        .where(SyncJob.queue_job_id == queue_job_id, SyncJob.status == jobs.RUNNING)
        .values(status=jobs.CANCELLED, error=KILLED, finished_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    closed = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if closed:
        log.warning("jobs.killed_attempt_closed", queue_job_id=queue_job_id, rows=closed)
    return closed


async def _organisations(sc: SyncContext) -> list[uuid.UUID]:
    """Every organisation that has connected a shop (jobs are about shops)."""
    async with sc.db.transaction() as session:
        return list((await session.scalars(select(ChannelRoute.org_id).distinct())).all())


async def _close(session: AsyncSession, job: SyncJob, state: str, base: float) -> str:
    if state in ("aborted", "cancelled"):
        job.status = jobs.CANCELLED
        job.error = SUPERSEDED if job.kind == "push_stock" and job.started_by == "system" else ABORTED
        job.finished_at = datetime.now(UTC)
        job.next_attempt_at = None
        return job.status
    await jobs.schedule_retry(session, job, error=LOST.format(state=state), retry_after=None, base=base)
    return job.status


async def sweep_org(sc: SyncContext, org_id: uuid.UUID) -> dict[str, int]:
    """Close this organisation's open rows whose queue job ended; counts by the status they got."""
    counts: dict[str, int] = {}
    async with sc.tx(org_id) as session:
        ended = (await session.execute(_ENDED)).all()
        unlinked = list((await session.scalars(_UNLINKED)).all())
        found = {job_id: state for job_id, state in ended} | dict.fromkeys(unlinked, "unlinked")
        if not found:
            return counts
        rows = await session.scalars(
            select(SyncJob)
            .where(SyncJob.id.in_(sorted(found)), SyncJob.status.in_(OPEN))
            .order_by(SyncJob.id)
            .with_for_update(skip_locked=True)  # one the runner holds is being recorded right now
        )
        for job in rows.all():
            state = found[job.id]
            if state == "unlinked":
                job.status, job.error, job.finished_at = jobs.CANCELLED, KILLED, datetime.now(UTC)
                status = job.status
            else:
                status = await _close(session, job, state, sc.settings.sync_retry_base_seconds)
            counts[status] = counts.get(status, 0) + 1
            log.warning("jobs.orphan_closed", job_id=str(job.id), kind=job.kind, queue=state, status=status)
    return counts


async def sweep(sc: SyncContext) -> dict[str, int]:
    """Every organisation's open rows whose queue job ended, closed; counts by the status they got."""
    total: dict[str, int] = {}
    for org_id in await _organisations(sc):
        try:
            counts = await sweep_org(sc, org_id)
        except Exception:  # one organisation's failure does not keep the others' rows open
            log.exception("jobs.orphan_sweep_failed", org_id=str(org_id))
            continue
        for status, n in counts.items():
            total[status] = total.get(status, 0) + n
    return total
