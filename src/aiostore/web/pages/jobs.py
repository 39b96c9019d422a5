"""Jobs: what the sync engine is doing and did, live (the API's server-sent events refresh the list),
with retry and cancel for roles that may run syncs."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from pydantic import field_validator
from starlette.responses import Response

from aiostore.domain.permissions import Permission
from aiostore.services import channels
from aiostore.services.sync import jobs
from aiostore.web.deps import Session
from aiostore.web.pages.deps import Page, PageContext, PageFor, see_other
from aiostore.web.pages.forms import FilterQuery, parse
from aiostore.web.pages.labels import LABELS
from aiostore.web.routes import jobs as api

router = APIRouter(include_in_schema=False)
Run = Annotated[PageContext, PageFor(Permission.SYNC_RUN)]
PAGE_SIZE = 50
RETRYABLE = ("failed", "cancelled")
CANCELLABLE = ("queued", "retrying", "running")
Back = Annotated[str, Form(max_length=20)]  # "job": the action came from the job's page, go back there


def _back(job_id: uuid.UUID, back: str, done: str) -> Response:
    return see_other(f"/jobs/{job_id}?done={done}" if back == "job" else f"/jobs?done={done}")


class JobsQuery(FilterQuery):
    status: str | None = None
    kind: str | None = None

    @field_validator("status")
    @classmethod
    def _status(cls, value: str | None) -> str | None:
        if value is not None and value not in LABELS["job"]:
            raise ValueError("unknown status")
        return value


@router.get("/jobs")
async def job_list(request: Request, page: Page, session: Session) -> Response:
    query, errors = parse(JobsQuery, request.query_params)
    found: list[Any] = []
    next_cursor = None
    if query is not None:
        f = jobs.JobFilter(query.status, query.kind, None)
        result = await jobs.list_jobs(session, page.ctx, f, cursor=query.cursor, limit=PAGE_SIZE)
        found, next_cursor = result.items, result.next_cursor
    shops = {a.id: a for a in await channels.list_channels(session, page.ctx)}
    context = {
        "active": "jobs",
        "jobs": found,
        "shops": shops,
        "next_cursor": next_cursor,
        "filters": dict(request.query_params),
        "errors": errors,
        "statuses": list(LABELS["job"]),
        "kinds": list(LABELS["job_kind"]),
        "retryable": RETRYABLE,
        "cancellable": CANCELLABLE,
    }
    return page.render("jobs/index.html", context, status=422 if errors else 200, block="list")


PAGE_ITEMS = 200  # item outcomes on one job's page (the API gives up to jobs.ITEMS_LIMIT)


@router.get("/jobs/{job_id}")
async def job_detail(job_id: uuid.UUID, page: Page, session: Session) -> Response:
    """One job and its first per-item outcomes, read by the services the API's `get_job` uses (another
    org's job is a 404). A page shows at most `PAGE_ITEMS` of them, so it stays light however big the job."""
    found = await jobs.get_job(session, job_id)
    items = await jobs.items_of(session, found.id, limit=PAGE_ITEMS)
    job = api.JobDetailOut(**api.JobOut.of(found).model_dump(), items=[api.JobItemOut.of(i) for i in items])
    shop = None
    if job.channel_account_id is not None:
        shop = {a.id: a for a in await channels.list_channels(session, page.ctx)}.get(job.channel_account_id)
    context = {
        "active": "jobs",
        "job": job,
        "shop": shop,
        "capped": len(job.items) >= PAGE_ITEMS,
        "retryable": RETRYABLE,
        "cancellable": CANCELLABLE,
    }
    return page.render("jobs/detail.html", context, block="job")


@router.post("/jobs/{job_id}/retry")
async def retry(job_id: uuid.UUID, page: Run, session: Session, back: Back = "") -> Response:
    await api.retry_job(job_id, session, page.ctx)
    return _back(job_id, back, "retried")


@router.post("/jobs/{job_id}/cancel")
async def cancel(job_id: uuid.UUID, page: Run, session: Session, back: Back = "") -> Response:
    await api.cancel_job(job_id, session, page.ctx)
    return _back(job_id, back, "cancelled")
