"""Reconciliation: what the shops show against the master (findings of the scheduled reconciliation and
of the pushes' read-back), each open one adopted, overwritten or ignored, and the organisation's policy.
The same services as `/api/reconciliation/...`, with the same permissions."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from sqlalchemy import select
from starlette.responses import Response

from aiostore.db.models import ChannelAccount, ReconciliationFinding
from aiostore.domain.permissions import Permission
from aiostore.errors import AppError, NotFound
from aiostore.services.reconciliation import actions, policy
from aiostore.services.reconciliation.findings import CAUSES, KINDS, FindingFilter, list_findings
from aiostore.services.reconciliation.policy import ReconciliationPolicy
from aiostore.web.deps import Session
from aiostore.web.pages.deps import Page, PageContext, PageFor, see_other, settle
from aiostore.web.pages.forms import FilterQuery, app_errors, parse
from aiostore.web.pages.labels import label
from aiostore.web.routes.reconciliation import Cause, Kind, ResolveIn, Status

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
Resolver = Annotated[PageContext, PageFor(Permission.CATALOG_WRITE)]
Manager = Annotated[PageContext, PageFor(Permission.CHANGES_APPROVE)]
Word = Annotated[str, Form(max_length=20)]
FILTER_STATUSES = ("open", "repaired", "adopted", "overwritten", "ignored", "gone")


class FindingsQuery(FilterQuery):
    status: Status | None = "open"
    kind: Kind | None = None
    cause: Cause | None = None
    shop: uuid.UUID | None = None


def choices(finding: Any) -> list[Literal["adopt", "overwrite", "ignore"]]:
    """The actions a finding offers (the service refuses the others with 422 `not_supported`)."""
    if finding.kind == "stock":
        return ["overwrite", "ignore"]
    if finding.cause == "not_applied":
        return ["overwrite", "ignore"] if finding.kind == "price" else ["ignore"]
    return ["adopt", "overwrite", "ignore"] if finding.kind == "price" else ["adopt", "ignore"]


async def _page(
    page: PageContext, request: Request, session: Session, status: int = 422, **extra: Any
) -> Response:
    params = dict(request.query_params)
    params.setdefault("status", "open")
    query, errors = parse(FindingsQuery, params)
    found: list[Any] = []
    next_cursor = None
    if query is not None:
        filters = FindingFilter(query.status, query.kind, query.cause, query.shop)
        result = await list_findings(session, filters, cursor=query.cursor, limit=PAGE_SIZE)
        found, next_cursor = result.items, result.next_cursor
    shops = {
        c.id: c
        for c in (await session.scalars(select(ChannelAccount).order_by(ChannelAccount.shop_name))).all()
    }
    context = {
        "active": "reconciliation",
        "findings": [(f, shops.get(f.channel_account_id), choices(f)) for f in found],
        "shop_options": [(str(c.id), c.shop_name) for c in shops.values()],
        "options": {
            "status": [(s, label("drift_status", s)) for s in FILTER_STATUSES],
            "kind": [(k, label("drift_kind", k)) for k in KINDS],
            "cause": [(c, label("drift_cause", c)) for c in CAUSES],
        },
        "next_cursor": next_cursor,
        "filters": params,
        "errors": errors,
        "policy": (await policy.get_policy(session, page.ctx)).model_dump(),
        "policy_errors": {},
        "action_error": None,
    } | extra
    failed = errors or extra.get("policy_errors") or extra.get("action_error")
    return page.render("reconciliation/index.html", context, status=status if failed else 200, block="list")


@router.get("/reconciliation")
async def findings_page(request: Request, page: Page, session: Session) -> Response:
    return await _page(page, request, session)


@router.post("/reconciliation/findings/{finding_id}/resolve")
async def resolve(
    finding_id: uuid.UUID, request: Request, page: Resolver, session: Session, action: Word = ""
) -> Response:
    if await session.get(ReconciliationFinding, finding_id) is None:
        raise NotFound("finding not found")  # another org's too, whatever the form says
    body, errors = parse(ResolveIn, {"action": action})
    if body is None:
        return await _page(page, request, session, action_error=errors.get("action", ""))
    try:
        await actions.resolve(session, page.ctx, finding_id, body.action)
    except AppError as exc:
        if exc.status == 404:
            raise
        await settle(session, exc)
        message = app_errors(exc).get("action") or exc.detail or exc.title
        return await _page(page, request, session, status=exc.status, action_error=message)
    return see_other("/reconciliation?done=resolved")


@router.post("/reconciliation/policy")
async def set_policy(
    request: Request, page: Manager, session: Session, price: Word = "", title: Word = "", status: Word = ""
) -> Response:
    form = {"price": price, "title": title, "status": status}
    body, errors = parse(ReconciliationPolicy, form)
    if body is None:
        return await _page(page, request, session, policy=form, policy_errors=errors)
    await policy.set_policy(session, page.ctx, body)
    return see_other("/reconciliation?done=policy")
