"""The job queue: one procrastinate App per process, its jobs rows in our PostgreSQL.

Services defer tasks by name (`defer` in services/sync/queue.py) so they never import the worker
layer; `aiostore.worker` registers the tasks on this App and runs workers. `configure(urls)` points
the App's pool at the application role before it is opened.
"""

from __future__ import annotations

from typing import Any

import procrastinate
import psycopg_pool

from aiostore.db.engine import DatabaseURLs

_conninfo: dict[str, str] = {}

TASK_MODULES = [
    "aiostore.worker.tasks.housekeeping",
    "aiostore.worker.tasks.sync",
    "aiostore.worker.tasks.alerts",
]
QUEUES = ["default", "push", "webhooks", "housekeeping", "alerts"]


def _pool(**kwargs: Any) -> psycopg_pool.AsyncConnectionPool:
    if "conninfo" not in _conninfo:
        raise RuntimeError("the job queue is not configured: call aiostore.jobqueue.configure(urls) first")
    return psycopg_pool.AsyncConnectionPool(conninfo=_conninfo["conninfo"], **kwargs)


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
    """
    manager = queue.job_manager
    stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=seconds_since_heartbeat))
    for job in stalled:
        await manager.retry_job(job)
    return len(stalled)
