"""Sync tasks: thin adapters from the queue to services/sync and services/webhooks."""

from __future__ import annotations

import uuid

import procrastinate
import structlog

from aiostore import jobqueue
from aiostore.services import webhook_intake, webhooks
from aiostore.services.catalog import (
    publish_job,  # noqa: F401  (registers its handler)
    review,  # noqa: F401  (registers its handler)
)
from aiostore.services.reconciliation import run as reconciliation
from aiostore.services.reference import refresh  # noqa: F401  (registers its handler)
from aiostore.services.sync import (  # noqa: F401  (register handlers)
    gaps,
    ops,
    pull,
    push,
    recovery,
    runner,
    schedule,
    sweep,
)
from aiostore.worker import at, runtime
from aiostore.worker.app import queue

log = structlog.get_logger(__name__)


@queue.task(name="sync.run_job", queue="default", pass_context=True)
async def run_job(context: procrastinate.JobContext, org_id: str, job_id: str) -> None:
    sc = runtime.current().sync
    await runner.run_job(sc, uuid.UUID(org_id), uuid.UUID(job_id), queue_job_id=_id(context))


@queue.task(name=push.PUSH_TASK, queue=push.PUSH_QUEUE, pass_context=True)
async def push_stock(context: procrastinate.JobContext, org_id: str, channel_id: str) -> None:
    sc = runtime.current().sync
    await push.start_push(
        sc,
        uuid.UUID(org_id),
        uuid.UUID(channel_id),
        queue_job_id=_id(context),
        run_before=context.job is None or context.job.attempts > 0,  # a retry, or put back after a death
    )


def _id(context: procrastinate.JobContext) -> int | None:
    """The queue job's id, which the job rows it runs name (services/sync/recovery.py)."""
    return context.job.id if context.job is not None else None


@queue.task(name=webhook_intake.PROCESS_TASK, queue="webhooks")
async def process_webhook(org_id: str, event_id: str) -> None:
    await webhooks.process(runtime.current().sync, uuid.UUID(org_id), uuid.UUID(event_id))


@queue.periodic(cron=at.minutely(at.SCHEDULE), periodic_id="sync-schedule")
@queue.task(name="sync.schedule", queue="housekeeping", queueing_lock="sync-schedule")
async def tick(timestamp: int) -> None:
    """Every minute: queue the periodic work that is due on each shop (intervals in settings)."""
    created = await schedule.tick(runtime.current().sync)
    if created:
        log.info("schedule.queued", jobs=created)


@queue.periodic(cron=at.minutely(at.SWEEP), periodic_id="dirty-sweep")
@queue.task(name="sync.sweep_dirty", queue="housekeeping", queueing_lock="dirty-sweep")
async def sweep_dirty(timestamp: int) -> None:
    """Every minute: shops left dirty by a dead-lettered push or webhook get their push requested."""
    shops = await sweep.sweep(runtime.current().sync)
    if shops:
        log.warning("sweep.pushes_requested", shops=len(shops))


@queue.periodic(cron=at.minutely(at.RECONCILE), periodic_id="reconcile")
@queue.task(name="sync.reconcile", queue="housekeeping", queueing_lock="reconcile")
async def reconcile(timestamp: int) -> None:
    """Every minute: a `reconcile` job on each shop due (AIOSTORE_RECONCILE_INTERVAL_MINUTES), or whose
    last run spent its read budget before the end of the shop."""
    created = await reconciliation.tick(runtime.current().sync)
    if created:
        log.info("reconcile.queued", jobs=created)


@queue.periodic(cron=at.minutely(at.STALLED), periodic_id="stalled-jobs")
@queue.task(name="sync.retry_stalled", queue="housekeeping", queueing_lock="stalled-jobs")
async def retry_stalled(timestamp: int) -> None:
    """Jobs of workers that died (no heartbeat) go back to the queue (their effects are idempotent);
    then job rows whose queue job ended while they stayed open are closed (services/sync/recovery.py)."""
    count = await jobqueue.retry_stalled_jobs(queue)
    if count:
        log.warning("jobs.stalled_retried", count=count)
    closed = await recovery.sweep(runtime.current().sync)
    if closed:
        log.warning("jobs.orphans_closed", **closed)
