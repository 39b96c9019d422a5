"""Audit log: who changed what, when and from where; filtered by action, entity and time, 50 a page.
The API's query (services/audit.py) behind the API's permission (audit:read)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from aiostore.domain.permissions import Permission
from aiostore.services import accounts, audit
from aiostore.web.deps import Session
from aiostore.web.format import market_zone
from aiostore.web.pages.deps import PageContext, PageFor
from aiostore.web.pages.forms import FilterQuery, parse

router = APIRouter(include_in_schema=False)
Auditor = Annotated[PageContext, PageFor(Permission.AUDIT_READ)]
PAGE_SIZE = 50


class AuditQuery(FilterQuery):
    action: str | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    actor_id: uuid.UUID | None = None
    since: date | None = None
    until: date | None = None


def _start_of(day: date | None, page: PageContext, *, after: bool = False) -> datetime | None:
    """The first instant of `day` (of the day after it, for an inclusive end) on the page's clock."""
    if day is None:
        return None
    zone = market_zone(page.fmt.default_market)
    return datetime.combine(day + timedelta(days=1 if after else 0), time(), zone)


@router.get("/audit")
async def audit_log(request: Request, page: Auditor, session: Session) -> Response:
    query, errors = parse(AuditQuery, request.query_params)
    found: list[Any] = []
    next_cursor = None
    if query is not None:
        f = audit.AuditFilter(
            query.action,
            query.entity_type,
            query.entity_id,
            query.actor_id,
            _start_of(query.since, page),
            _start_of(query.until, page, after=True),
        )
        result = await audit.list_entries(session, f, cursor=query.cursor, limit=PAGE_SIZE)
        found, next_cursor = result.items, result.next_cursor
    members = [(u.id, u.display_name or u.email) for _, u in await accounts.list_members(session, page.ctx)]
    context = {
        "active": "audit",
        "entries": found,
        "members": members,
        "next_cursor": next_cursor,
        "filters": dict(request.query_params),
        "errors": errors,
    }
    return page.render("audit/index.html", context, status=422 if errors else 200, block="list")
