"""Waiting, while the demo is built, for a job the worker runs (it retries what fails)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import select

from aiostore.db.models import SyncJob
from aiostore.errors import AppError
from aiostore.services.sync import jobs
from aiostore.services.sync.context import SyncContext

POLL_SECONDS = 0.2
WAIT_SECONDS = 300.0  # for each job waited for


class DemoSetupFailed(AppError):
    status = 503
    code = "demo_unavailable"
    title = "The demo could not be built"


async def job_done(sc: SyncContext, org_id: uuid.UUID, what: str, *where: Any) -> None:
    """Wait until the first job matching `where` has succeeded; DemoSetupFailed naming `what` when it
    failed, is missing or no worker ran it in time."""
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while True:
        async with sc.tx(org_id) as session:
            job = await session.scalar(select(SyncJob).where(*where).order_by(SyncJob.created_at).limit(1))
        if job is not None and job.status == jobs.SUCCEEDED:
            return
        if job is None or job.status in jobs.FINISHED:
            error = job.error if job is not None else "it was not queued"
            raise DemoSetupFailed(f"{what} did not succeed: {error}")
        if asyncio.get_running_loop().time() > deadline:
            raise DemoSetupFailed(f"{what} is still waiting for a worker")
        await asyncio.sleep(POLL_SECONDS)
