"""Jobs: what the sync engine is doing and did, with per-item outcomes; live events over SSE."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

import psycopg
from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from aiostore.db.models import SyncJob, SyncJobItem
from aiostore.domain.permissions import Permission
from aiostore.services.context import OrgContext
from aiostore.services.sync import jobs
from aiostore.web.deps import RequirePermission, Session, get_db
from aiostore.web.routes.common import Cursor, Limit, PageOut

router = APIRouter(prefix="/api/jobs", tags=["jobs"])
Read = Annotated[OrgContext, RequirePermission(Permission.READ)]
Run = Annotated[OrgContext, RequirePermission(Permission.SYNC_RUN)]
STATUS = "^(queued|running|retrying|succeeded|failed|cancelled)$"
HEARTBEAT_SECONDS = 15.0


class JobOut(BaseModel):
    id: uuid.UUID
    kind: str
    channel_account_id: uuid.UUID | None
    status: str
    attempts: int
    max_attempts: int
    next_attempt_at: datetime | None
    progress_done: int
    progress_total: int | None
    error: str | None
    dry_run: bool
    started_by: str
    started_by_user_id: uuid.UUID | None
    params: dict[str, Any]
    result: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def of(cls, job: SyncJob) -> JobOut:
        return cls.model_validate(job, from_attributes=True)


class JobItemOut(BaseModel):
    ref: str
    result: str
    error: str | None
    dry_run: bool
    request: dict[str, Any]
    created_at: datetime

    @classmethod
    def of(cls, item: SyncJobItem) -> JobItemOut:
        return cls.model_validate(item, from_attributes=True)


class JobDetailOut(JobOut):
    items: list[JobItemOut]


@router.get("")
async def list_jobs(
    session: Session,
    ctx: Read,
    status: Annotated[str | None, Query(pattern=STATUS)] = None,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    channel_account_id: uuid.UUID | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> PageOut[JobOut]:
    """Jobs, newest first."""
    page = await jobs.list_jobs(
        session, ctx, jobs.JobFilter(status, kind, channel_account_id), cursor=cursor, limit=limit
    )
    return PageOut(items=[JobOut.of(j) for j in page.items], next_cursor=page.next_cursor)


@router.get("/events")
async def events(
    request: Request,
    ctx: Read,
    max_seconds: Annotated[
        int, Query(ge=1, le=3600, description="the stream ends after this; reconnect")
    ] = 600,
) -> StreamingResponse:
    """Server-sent events: one `job` event per change of any of the organization's jobs (LISTEN/NOTIFY,
    no polling). The stream ends after `max_seconds` (load balancers like that); clients reconnect."""
    conninfo = get_db(request).urls.app_conninfo()
    org = str(ctx.org_id)

    async def stream() -> AsyncIterator[str]:
        deadline = time.monotonic() + max_seconds
        async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
            await conn.execute("LISTEN aiostore_jobs")
            yield "retry: 3000\n\n"
            while (left := deadline - time.monotonic()) > 0 and not await request.is_disconnected():
                async for note in conn.notifies(timeout=min(HEARTBEAT_SECONDS, left)):
                    data = json.loads(note.payload)
                    if data.get("org_id") == org:
                        yield f"event: job\nid: {data['id']}\ndata: {json.dumps(data)}\n\n"
                    if time.monotonic() >= deadline:
                        break
                yield ": keep-alive\n\n"

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/{job_id}")
async def get_job(job_id: uuid.UUID, session: Session, ctx: Read) -> JobDetailOut:
    """A job with its per-item outcomes (first 1000)."""
    job = await jobs.get_job(session, job_id)
    items = await jobs.items_of(session, job.id)
    return JobDetailOut(**JobOut.of(job).model_dump(), items=[JobItemOut.of(i) for i in items])


@router.post("/{job_id}/retry")
async def retry_job(job_id: uuid.UUID, session: Session, ctx: Run) -> JobOut:
    """Run a failed or cancelled job again."""
    return JobOut.of(await jobs.retry(session, ctx, job_id))


@router.post("/{job_id}/cancel")
async def cancel_job(job_id: uuid.UUID, session: Session, ctx: Run) -> JobOut:
    """Cancel a queued, retrying or running job (a running one stops at its next checkpoint)."""
    return JobOut.of(await jobs.cancel(session, ctx, job_id))
