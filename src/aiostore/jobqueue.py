"""The job queue: one procrastinate App per process, its jobs rows in our PostgreSQL.

Services defer tasks by name (`defer` in services/sync/queue.py) so they never import the worker
layer; `aiostore.worker` registers the tasks on this App and runs workers. `configure(urls)` points
the App's pool at the application role before it is opened.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import procrastinate
import procrastinate.exceptions
import procrastinate.jobs
import psycopg
import psycopg_pool
import structlog

from aiostore.db.engine import DatabaseURLs
from aiostore.domain.platforms import platform_names

log = structlog.get_logger(__name__)
_conninfo: dict[str, str] = {}

TASK_MODULES = [
    "aiostore.worker.tasks.housekeeping",
    "aiostore.worker.tasks.sync",
    "aiostore.worker.tasks.alerts",
]


def webhook_queue(platform: str) -> str:
    """The queue of a platform's webhooks: each platform's intake has worker slots of its own
    (worker/app.py), so a platform whose order reads wait for its quota never holds up another's."""
    return f"webhooks-{platform}"


WEBHOOK_QUEUES = [webhook_queue(name) for name in platform_names()]
# "webhooks": the one queue every platform's webhooks shared before; kept so that jobs queued there drain.
QUEUES = ["default", "push", "webhooks", *WEBHOOK_QUEUES, "housekeeping", "alerts"]


def conninfo() -> str:
    """The connection string the queue was configured with (the application role)."""
    if "conninfo" not in _conninfo:
        raise RuntimeError("the job queue is not configured: call aiostore.jobqueue.configure(urls) first")
    return _conninfo["conninfo"]


def _pool(**kwargs: Any) -> psycopg_pool.AsyncConnectionPool:
    """procrastinate's pool, its connections in autocommit: each of its queries is one statement (a
    function: fetch a job, finish one, a heartbeat), which PostgreSQL runs as a transaction of its own.
    Without, each was sent as BEGIN, the statement and COMMIT: three round trips instead of one, for
    every job fetched and finished (a sale's jobs made 16 of them). The pool's check before lending a
    connection (procrastinate's) stays. Set when a connection is made (`configure`), not in the pool's
    connection arguments: procrastinate opens its LISTEN connection with those and its own autocommit."""
    return psycopg_pool.AsyncConnectionPool(conninfo=conninfo(), configure=_autocommit, **kwargs)


async def _autocommit(conn: psycopg.AsyncConnection[Any]) -> None:
    await conn.set_autocommit(True)


app = procrastinate.App(
    connector=procrastinate.PsycopgConnector(pool_factory=_pool), import_paths=TASK_MODULES
)


def configure(urls: DatabaseURLs) -> procrastinate.App:
    """Point the queue at the application role's connection (jobs are rows in our database)."""
    _conninfo["conninfo"] = urls.app_conninfo()
    return app


async def retry_stalled_jobs(queue: procrastinate.App, *, seconds_since_heartbeat: float = 30) -> int:
    """Put back in the queue the jobs of workers that stopped sending heartbeats (killed, lost).

    procrastinate retries such jobs only when asked; a periodic task asks every minute. Our effects
    are idempotent (upserts, absolute stock, order state machines), so running one again is safe.

    A stalled job whose queueing lock another job took meanwhile (a shop's push deferred while the dead
    worker's push was running) cannot go back to the queue: the waiting job does the same work with
    fresher data, so the stalled one is aborted. Each job is handled on its own: before, the first such
    job raised and every stalled job after it (webhook events) stayed "doing" for good."""
    stalled = await queue.job_manager.get_stalled_jobs(seconds_since_heartbeat=seconds_since_heartbeat)
    return await put_back(queue, stalled)


async def put_back(queue: procrastinate.App, stalled: Iterable[procrastinate.jobs.Job]) -> int:
    """The running jobs of dead workers back in the queue, or aborted when superseded (above); how many
    went back. A job another process put back first (the heartbeat path and a dead process's reaper,
    worker/liveness.py, can meet) is left to it."""
    manager = queue.job_manager
    retried = 0
    for job in stalled:
        try:
            await manager.retry_job(job)
        except procrastinate.exceptions.UniqueViolation:
            await manager.finish_job(job, status=procrastinate.jobs.Status.ABORTED, delete_job=False)
            log.warning("jobs.stalled_superseded", task=job.task_name, queueing_lock=job.queueing_lock)
        except procrastinate.exceptions.ConnectorException as exc:  # no longer running: put back already
            log.info("jobs.stalled_gone", job=job.id, error=str(exc))
        else:
            retried += 1
    return retried
