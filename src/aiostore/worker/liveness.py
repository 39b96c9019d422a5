"""A worker process's liveness held by PostgreSQL: the jobs of a process that died go back to the queue
within a second, not after its heartbeat went stale.

procrastinate learns that a worker died from its heartbeat (sent every 10 s), once that is 30 s old, and
our minute task (`sync.retry_stalled`) puts the jobs back then: up to 90 s. Meanwhile a killed worker's
push keeps its shop's push lock, so no sale reached that shop (the soak's p99 of 137 s).

Here each worker process opens one connection of its own and, on it, takes a session advisory lock for
each of its procrastinate workers once registered, and lists the worker in `worker_liveness`. The
process's death closes the connection, and PostgreSQL releases the locks with it: exact, no clock. Every
process looks each second (`reap`): a listed worker whose lock it can take is dead. In one statement it
forgets the worker (procrastinate's row too: its running jobs lose their worker) and names the jobs that
were running there; they go back to the queue as the heartbeat path puts them back
(`jobqueue.put_back`). Two processes looking at once never take the same dead worker: the lock is taken
for the statement's transaction, and only one can hold it.

A worker not listed (a process of an older version, a test's burst worker, a worker killed between
registering and listing itself) is left to the heartbeat path. If the process loses its liveness
connection while it lives, its workers would look dead to the others: the process stops (`LivenessLost`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable

import procrastinate
import psycopg
import structlog
from procrastinate.worker import Worker

from aiostore import jobqueue

log = structlog.get_logger(__name__)

NAMESPACE = 0x41494F53  # "AIOS": the advisory locks' first key; the second is the worker's id (int4)
REAP_SECONDS = 1.0

_REAP = """
WITH gone AS (
    DELETE FROM worker_liveness l
    WHERE pg_try_advisory_xact_lock(%(namespace)s, (l.worker_id %% 2147483647)::int4)
    RETURNING l.worker_id
), forgotten AS (
    DELETE FROM procrastinate_workers w USING gone WHERE w.id = gone.worker_id RETURNING w.id
)
SELECT j.id FROM procrastinate_jobs j JOIN gone ON j.worker_id = gone.worker_id WHERE j.status = 'doing'
"""


class LivenessLost(RuntimeError):
    """The process's liveness connection failed: the others may already take its workers for dead."""


class Liveness:
    """A process's liveness connection: its workers' locks, held until the process ends."""

    def __init__(self, conn: psycopg.AsyncConnection[tuple[object, ...]]) -> None:
        self._conn = conn
        self._listed: list[int] = []

    async def hold(self, worker: Worker, running: asyncio.Task[None]) -> None:
        """Once `worker` has registered (its id), lock its key and list it."""
        while worker.worker_id is None:
            if running.done():
                return
            await asyncio.sleep(0.01)
        worker_id = worker.worker_id
        await self._conn.execute(
            "SELECT pg_advisory_lock(%(namespace)s, (%(worker)s::bigint %% 2147483647)::int4)",
            {"namespace": NAMESPACE, "worker": worker_id},
        )
        await self._conn.execute(
            "INSERT INTO worker_liveness (worker_id) VALUES (%(worker)s) ON CONFLICT DO NOTHING",
            {"worker": worker_id},
        )
        self._listed.append(worker_id)

    async def check(self) -> None:
        """Raise `LivenessLost` unless the connection still answers."""
        try:
            await self._conn.execute("SELECT 1")
        except psycopg.Error as exc:
            raise LivenessLost(f"the worker's liveness connection failed: {exc}") from exc

    async def release(self) -> None:
        """Unlist this process's workers (they stopped and unregistered), then let the locks go."""
        if self._listed:
            with contextlib.suppress(psycopg.Error):
                await self._conn.execute(
                    "DELETE FROM worker_liveness WHERE worker_id = ANY(%(ids)s)", {"ids": self._listed}
                )


@contextlib.asynccontextmanager
async def held() -> AsyncIterator[Liveness]:
    """The liveness connection of this process (the job queue's role), closed at the end."""
    conn = await psycopg.AsyncConnection.connect(jobqueue.conninfo(), autocommit=True)
    live = Liveness(conn)
    try:
        yield live
    finally:
        await live.release()
        await conn.close()


async def reap(app: procrastinate.App) -> list[int]:
    """Forget the listed workers whose process died and put their running jobs back; their ids."""
    rows = await app.connector.execute_query_all_async(_REAP, namespace=NAMESPACE)
    jobs = [int(row["id"]) for row in rows]
    if jobs:
        await jobqueue.put_back(app, _found(await _jobs(app, jobs)))
        log.warning("jobs.dead_worker_jobs_retried", jobs=jobs)
    return jobs


async def _jobs(app: procrastinate.App, ids: list[int]) -> list[procrastinate.jobs.Job]:
    found: list[procrastinate.jobs.Job] = []
    for job_id in ids:
        found.extend(await app.job_manager.list_jobs_async(id=job_id))
    return found


def _found(jobs: Iterable[procrastinate.jobs.Job]) -> list[procrastinate.jobs.Job]:
    return [job for job in jobs if job.status == procrastinate.jobs.Status.DOING.value]


async def watch(app: procrastinate.App, live: Liveness) -> None:
    """Each second: the liveness connection still answers, and the dead workers' jobs go back."""
    while True:
        await asyncio.sleep(REAP_SECONDS)
        await live.check()
        try:
            await reap(app)
        except procrastinate.exceptions.ConnectorException as exc:  # the next look tries again
            log.warning("jobs.reap_failed", error=str(exc))
