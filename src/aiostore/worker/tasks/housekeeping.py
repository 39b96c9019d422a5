"""Periodic clean-up: expired idempotency keys, sessions, OAuth states and login attempts."""

from __future__ import annotations

import structlog
from sqlalchemy import text

from aiostore.services import auth, login_throttle
from aiostore.worker import at, runtime
from aiostore.worker.app import queue

log = structlog.get_logger(__name__)


@queue.periodic(cron=f"*/15 * * * * {at.HOUSEKEEPING}", periodic_id="housekeeping")
@queue.task(queue="housekeeping", name="housekeeping.purge_expired", queueing_lock="housekeeping")
async def purge_expired(timestamp: int) -> None:
    rt = runtime.current()
    policy = login_throttle.ThrottlePolicy.of(rt.settings)
    async with rt.db.transaction() as session:
        await session.execute(text("SELECT set_config('app.housekeeping', 'on', true)"))
        result = await session.execute(text("DELETE FROM idempotency_keys WHERE expires_at < now()"))
        await auth.purge_expired(session, policy)
    log.info("housekeeping.purged", idempotency_keys=getattr(result, "rowcount", None), at=timestamp)
