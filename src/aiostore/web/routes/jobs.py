"""Jobs: what the sync engine is doing and did, with per-item outcomes; live events over SSE."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from aiostore.db.models import SyncJob, SyncJobItem
from aiostore.domain.permissions import Permission
from aiostore.services.context import OrgContext
from aiostore.services.sync import jobs
from aiostore.web.deps import RequirePermission, Session
from aiostore.web.job_events import JobEventHub, Subscription, sse_response
from aiostore.web.routes.common import Cursor, Limit, PageOut

router = APIRouter(prefix="/api/jobs", tags=["jobs"])
Read = Annotated[OrgContext, RequirePermission(Permission.READ)]
Run = Annotated[OrgContext, RequirePermission(Permission.SYNC_RUN)]
STATUS = "^(queued|running|retrying|succeeded|failed|cancelled)$"


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


def job_event_hub(request: Request) -> JobEventHub:
    hub = request.app.state.job_events
    assert isinstance(hub, JobEventHub)  # noqa: S101
    return hub


async def job_event_subscription(request: Request, ctx: Read) -> AsyncIterator[Subscription]:
    """Held for the whole stream (scope="request": released after the response ends)."""
    user = ctx.actor.user_id or uuid.UUID(int=0)
    async with job_event_hub(request).subscribe(ctx.org_id, user) as subscription:
        yield subscription


@router.get("/events", responses={429: {"description": "too many event streams open for this user"}})
async def events(
    request: Request,
    ctx: Read,
    subscription: Annotated[Subscription, Depends(job_event_subscription, scope="request")],
    max_seconds: Annotated[
        int, Query(ge=1, le=3600, description="the stream ends after this; reconnect")
    ] = 600,
) -> StreamingResponse:
    """Server-sent events: one `job` event per change of any of the organization's jobs (LISTEN/NOTIFY,
    no polling; one database connection per process serves every stream). The stream ends after
    `max_seconds` (load balancers like that); clients reconnect. A user may keep
    `AIOSTORE_SSE_MAX_STREAMS_PER_USER` streams open at once (429 beyond)."""

    return sse_response(request, subscription, max_seconds, "job")


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
