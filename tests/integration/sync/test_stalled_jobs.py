"""Jobs of a killed worker go back to the queue, one by one: a stalled push whose queueing lock a newer
push holds is aborted (the newer one does its work), and the stalled jobs after it are still retried.

Found by bench/soak.py: a worker killed mid-push left its push "doing"; the next sale deferred another
push of that shop (its queueing lock is free while no push waits); putting the dead one back then broke
the lock's unique index, the periodic retry raised, and the webhook jobs stalled after it never ran.
"""

from __future__ import annotations

from sqlalchemy import text

from aiostore.db.session import Database
from aiostore.jobqueue import configure, retry_stalled_jobs

JOBS_SQL = "SELECT id, status FROM procrastinate_jobs ORDER BY id"


async def _stall(db: Database, job_id: int) -> None:
    """The job is "doing" on a worker whose last heartbeat is an hour old (killed)."""
    async with db.engine.begin() as conn:
        worker = await conn.scalar(
            text(
                "INSERT INTO procrastinate_workers (last_heartbeat)"
                " VALUES (now() - interval '1 hour') RETURNING id"
            )
        )
        await conn.execute(
            text("UPDATE procrastinate_jobs SET status = 'doing', worker_id = :w WHERE id = :id"),
            {"w": worker, "id": job_id},
        )


async def test_a_superseded_push_is_aborted_and_the_rest_retried(db: Database) -> None:
    queue = configure(db.urls)
    async with queue.open_async():
        push = queue.configure_task(
            "sync.push_stock", queueing_lock="push:shop-1", lock="push_stock:shop-1", allow_unknown=True
        )
        dead_push = await push.defer_async(org_id="o", channel_id="shop-1")
        await _stall(db, dead_push)
        waiting_push = await push.defer_async(org_id="o", channel_id="shop-1")  # the lock is free again
        webhook = queue.configure_task("webhooks.process", allow_unknown=True)
        dead_webhook = await webhook.defer_async(org_id="o", event_id="e")
        await _stall(db, dead_webhook)
        assert await retry_stalled_jobs(queue) == 1
        assert await retry_stalled_jobs(queue) == 0  # nothing is left stalled
    async with db.engine.connect() as conn:
        statuses = dict((await conn.execute(text(JOBS_SQL))).all())
    assert statuses == {dead_push: "aborted", waiting_push: "todo", dead_webhook: "todo"}
