"""Running a sync job: claim it, run its kind's handler, then succeed, retry later, or fail.

Transient failures (rate limited, platform unavailable, time-outs, our own database hiccups) retry with
capped exponential backoff and full jitter, honouring Retry-After, up to the job's attempts; then the
job fails and stays visible (dead letter). A job refused by our open breaker (`CircuitOpen`: nothing
was sent) spends no attempt: it runs again once the circuit lets a probe through (jobs.circuit_wait).
Permanent refusals fail at once with the platform's message. An authentication failure (after the
connector's own refresh-and-retry) marks the channel `needs_reauth`. Effects are idempotent (upserts,
absolute stock sets, order state machines), so a job run again after a crash does nothing twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import structlog
from sqlalchemy import ColumnElement, null, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore import memory
from aiostore.connectors.errors import (
    AuthExpired,
    CircuitOpen,
    ConnectorError,
    PlatformUnavailable,
    RateLimited,
)
from aiostore.db.models import ChannelAccount, SyncJob
from aiostore.errors import AppError
from aiostore.services import channels
from aiostore.services.alerts import triggers
from aiostore.services.sync import jobs
from aiostore.services.sync.context import SyncContext

log = structlog.get_logger(__name__)

Handler = Callable[[SyncContext, SyncJob], Awaitable[dict[str, Any]]]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


class Cancelled(Exception):  # noqa: N818  (control flow)
    """The job was cancelled while running; it stops at a checkpoint."""


class Later(Exception):  # noqa: N818  (control flow)
    """The job did its work for now and must run again after `delay` seconds (following something the
    platform does in its own time, e.g. a listing's review); `result` is shown meanwhile. Not a failure:
    it spends none of the job's attempts."""

    def __init__(self, delay: float, result: dict[str, Any]) -> None:
        super().__init__(f"again in {delay:.0f} s")
        self.delay = delay
        self.result = result


class Closed(dict[str, Any]):
    """A handler's result whose success the handler already recorded (`succeed_in`) in its last
    transaction, with its other writes: the runner opens no transaction of its own to close the job."""


TRANSIENT = (RateLimited, PlatformUnavailable, httpx.TransportError, DBAPIError, TimeoutError)


async def run_job(
    sc: SyncContext, org_id: uuid.UUID, job_id: uuid.UUID, *, queue_job_id: int | None = None
) -> str:
    """Run one attempt of a job; returns its status afterwards. A queue job (`queue_job_id`) that no
    longer owns the row (its worker died before the queue recorded its end, and the row's retry is
    another queue job) leaves it alone."""
    structlog.contextvars.bind_contextvars(org_id=str(org_id), job_id=str(job_id))
    async with sc.tx(org_id) as session:
        job = await session.scalar(select(SyncJob).where(SyncJob.id == job_id).with_for_update())
        if job is None or job.status in jobs.FINISHED:
            return job.status if job else "missing"
        if queue_job_id is not None and job.queue_job_id not in (None, queue_job_id):
            log.info("job.owned_by_another_queue_job", queue_job_id=queue_job_id, owner=job.queue_job_id)
            return job.status
        claim(sc, job)
    return await execute(sc, org_id, job)


def claim(sc: SyncContext, job: SyncJob) -> None:
    """Mark a job running for one more attempt (in the caller's transaction)."""
    job.status = jobs.RUNNING
    if job.attempts == 0:
        job.max_attempts = sc.settings.sync_max_attempts
    job.attempts += 1
    job.started_at = job.started_at or datetime.now(UTC)
    job.next_attempt_at = None
    job.error = None


async def execute(sc: SyncContext, org_id: uuid.UUID, job: SyncJob, handle: Handler | None = None) -> str:
    """Run a claimed job's handler (its kind's, or `handle`) and record the outcome: succeeded, retrying,
    failed."""
    structlog.contextvars.bind_contextvars(org_id=str(org_id), job_id=str(job.id))
    job_id = job.id
    handle = handle or HANDLERS.get(job.kind)
    try:
        if handle is None:
            raise AppError(f"no handler for jobs of kind {job.kind}")
        result = await handle(sc, job)
    except Cancelled:
        log.info("job.cancelled", kind=job.kind)
        return jobs.CANCELLED
    except Later as later:
        return await _later(sc, org_id, job_id, later)
    except CircuitOpen as exc:
        return await _circuit_open(sc, org_id, job_id, exc)
    except TRANSIENT as exc:
        retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
        return await _retry_or_fail(sc, org_id, job_id, f"{type(exc).__name__}: {exc}", retry_after)
    except AuthExpired as exc:
        await _auth_failed(sc, org_id, job, exc)
        return jobs.FAILED
    except (ConnectorError, AppError) as exc:
        return await _finish(sc, org_id, job_id, jobs.FAILED, error=f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # a bug or an unforeseen failure: retried like a transient one, then dead
        log.exception("job.crashed", kind=job.kind)
        return await _retry_or_fail(sc, org_id, job_id, f"{type(exc).__name__}: {exc}", None)
    finally:  # a pull or push of 10,000s of rows leaves its freed pages resident otherwise
        await memory.release_grown()
    if isinstance(result, Closed):
        return jobs.SUCCEEDED
    return await _finish(sc, org_id, job_id, jobs.SUCCEEDED, result=result)


async def succeed_in(
    session: AsyncSession,
    job_id: uuid.UUID,
    result: dict[str, Any],
    *,
    also: ColumnElement[Any] | None = None,
) -> tuple[Closed, Any] | None:
    """Record a running job's success in the caller's transaction (one commit for the handler's last
    writes and the job's end, not two); the result to return from the handler and the value of `also`
    (a question the caller asks in the same statement), or None when the job is no longer running
    (cancelled meanwhile: the runner's own close then says so)."""
    now = datetime.now(UTC)
    done = (
        await session.execute(
            update(SyncJob)
            .where(SyncJob.id == job_id, SyncJob.status == jobs.RUNNING)
            .values(status=jobs.SUCCEEDED, error=None, finished_at=now, result=result)
            .returning(SyncJob.id, also if also is not None else null())
            .execution_options(synchronize_session=False)
        )
    ).first()
    if done is None:
        return None
    log.info("job.finished", status=jobs.SUCCEEDED, error=None)
    return Closed(result), done[1]


async def _finish(
    sc: SyncContext,
    org_id: uuid.UUID,
    job_id: uuid.UUID,
    status: str,
    *,
    error: str | None = None,
    result: dict[str, Any] | None = None,
) -> str:
    async with sc.tx(org_id) as session:
        job = await jobs.get_job(session, job_id, for_update=True)
        if job.status == jobs.CANCELLED:
            return job.status
        job.status = status
        job.error = error
        job.finished_at = datetime.now(UTC)
        if result is not None:
            job.result = result
        if status == jobs.FAILED:
            await triggers.evaluate_soon(session, org_id)
    log.info("job.finished", status=status, error=error)
    return status


async def _later(sc: SyncContext, org_id: uuid.UUID, job_id: uuid.UUID, later: Later) -> str:
    async with sc.tx(org_id) as session:
        job = await jobs.get_job(session, job_id, for_update=True)
        if job.status == jobs.CANCELLED:
            return job.status
        await jobs.schedule_again(session, job, later.delay, later.result)
    log.info("job.waiting", kind=job.kind, delay=later.delay)
    return jobs.RETRYING


async def _circuit_open(sc: SyncContext, org_id: uuid.UUID, job_id: uuid.UUID, exc: CircuitOpen) -> str:
    delay = jobs.circuit_wait(exc.retry_after, sc.settings.breaker_recovery_seconds)
    async with sc.tx(org_id) as session:
        job = await jobs.get_job(session, job_id, for_update=True)
        if job.status == jobs.CANCELLED:
            return job.status
        await jobs.wait_for_circuit(session, job, platform=exc.platform, delay=delay)
    log.info("job.circuit_open", kind=job.kind, platform=exc.platform, delay=delay)
    return jobs.RETRYING


async def _retry_or_fail(
    sc: SyncContext, org_id: uuid.UUID, job_id: uuid.UUID, error: str, retry_after: float | None
) -> str:
    async with sc.tx(org_id) as session:
        job = await jobs.get_job(session, job_id, for_update=True)
        if job.status == jobs.CANCELLED:
            return job.status
        retrying = await jobs.schedule_retry(
            session, job, error=error, retry_after=retry_after, base=sc.settings.sync_retry_base_seconds
        )
        log.warning(
            "job.retrying" if retrying else "job.dead", kind=job.kind, attempts=job.attempts, error=error
        )
        return job.status


async def _auth_failed(sc: SyncContext, org_id: uuid.UUID, job: SyncJob, exc: AuthExpired) -> None:
    message = f"{exc.platform} refused our tokens ({exc}); connect the shop again"
    async with sc.tx(org_id) as session:
        if job.channel_account_id:
            channel = await session.scalar(
                select(ChannelAccount).where(ChannelAccount.id == job.channel_account_id).with_for_update()
            )
            if channel is not None and channel.status != channels.DISCONNECTED:
                channel.status = channels.NEEDS_REAUTH
                channel.last_error = message
    await _finish(sc, org_id, job.id, jobs.FAILED, error=message)


async def checkpoint(sc: SyncContext, job: SyncJob, done: int, total: int | None) -> None:
    """Record progress between pages; stop here if the job was cancelled."""
    async with sc.tx(job.org_id) as session:
        if not await jobs.set_progress(session, job.id, done, total):
            raise Cancelled()
