"""Stock & prices: the organisation's change sets (newest first, by status and kind; those awaiting a
second person's approval marked for the admins who may give it), and the New stock change and New price
change forms, whose lines become a preview (`preview_stock` / `preview_price`, as POST /api/stock/update
and /api/price/update in `mode: preview`); the answer is the change set's own page."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request, UploadFile
from starlette.responses import Response

from aiostore.domain.permissions import Permission
from aiostore.errors import AppError
from aiostore.services import channels
from aiostore.services.changes import core
from aiostore.services.changes.price import preview_price
from aiostore.services.changes.stock import preview_stock
from aiostore.services.sheets import imports
from aiostore.web.deps import Session
from aiostore.web.pages.change_lines import LineError, Shop, price_items, stock_items
from aiostore.web.pages.deps import Page, PageContext, PageFor, see_other, settle
from aiostore.web.pages.forms import FilterQuery, parse
from aiostore.web.pages.labels import label

router = APIRouter(include_in_schema=False)
Write = Annotated[PageContext, PageFor(Permission.CATALOG_WRITE)]
PAGE_SIZE = 50
STATUSES = (core.PREVIEWED, core.AWAITING, core.COMMITTED, core.REJECTED, core.EXPIRED)
Kind = Literal["stock", "price"]
Lines = Annotated[str, Form(max_length=400_000)]
Reason = Annotated[str, Form(max_length=500)]


class ChangesQuery(FilterQuery):
    kind: Kind | None = None
    status: Literal["previewed", "awaiting_approval", "committed", "expired", "rejected"] | None = None


@router.get("/changes")
async def change_list(request: Request, page: Page, session: Session) -> Response:
    query, errors = parse(ChangesQuery, request.query_params)
    found: list[Any] = []
    next_cursor = None
    if query is not None:
        result = await core.list_change_sets(
            session, kind=query.kind, status=query.status, cursor=query.cursor, limit=PAGE_SIZE
        )
        found, next_cursor = result.items, result.next_cursor
    approver = page.can(Permission.CHANGES_APPROVE)
    waiting = 0
    if approver:
        pending = await core.list_change_sets(
            session, kind=None, status=core.AWAITING, cursor=None, limit=100
        )
        waiting = sum(
            1 for c in pending.items if page.ctx.actor.user_id not in (c.created_by, c.committed_by)
        )
    context = {
        "active": "changes",
        "change_sets": found,
        "status_of": core.status_of,
        "next_cursor": next_cursor,
        "filters": dict(request.query_params),
        "errors": errors,
        "statuses": [(s, label("change_status", s)) for s in STATUSES],
        "approver": approver,
        "waiting": waiting,
        "can_write": page.can(Permission.CATALOG_WRITE),
    }
    return page.render("changes/index.html", context, status=422 if errors else 200, block="list")


async def _shops(session: Session, page: PageContext) -> list[Any]:
    return list(await channels.list_channels(session, page.ctx))


async def _form(
    page: PageContext, session: Session, kind: Kind, *, status: int = 200, **extra: Any
) -> Response:
    context = {
        "active": "changes",
        "kind": kind,
        "shops": await _shops(session, page) if kind == "price" else [],
        "lines": "",
        "reason": "",
        "problem": None,
        "upload_problems": [],
        "idempotency_key": uuid.uuid4().hex,
    } | extra
    return page.render("changes/new.html", context, status=status)


@router.get("/changes/new/{kind}")
async def new_change(kind: Kind, page: Write, session: Session) -> Response:
    return await _form(page, session, kind)


@router.post("/changes/new/{kind}")
async def preview_change(
    kind: Kind, page: Write, session: Session, lines: Lines = "", reason: Reason = ""
) -> Response:
    """Preview the lines; the change set's page shows what a commit would do."""
    try:
        if kind == "stock":
            view = await preview_stock(session, page.ctx, stock_items(lines), reason=reason.strip())
        else:
            shops = [Shop(s.id, s.shop_name or s.shop_id) for s in await _shops(session, page)]
            view = await preview_price(session, page.ctx, price_items(lines, shops), reason=reason.strip())
    except LineError as exc:
        return await _form(page, session, kind, status=422, lines=lines, reason=reason, problem=exc.message())
    return see_other(f"/changes/{view.change_set.id}?done=previewed")


SHOWN_PROBLEMS = 20  # problems of an unreadable file listed on the page (the API's 422 lists them all)


@router.post("/changes/upload/{kind}")
async def upload_change(
    kind: Kind, page: Write, session: Session, file: UploadFile, reason: Reason = ""
) -> Response:
    """Preview a CSV or XLSX sheet (the services of POST /api/stock/import and /api/price/import): rows
    that cannot be read are items with their errors; a file that cannot be read (no header, a missing
    column, no rows) is listed beside the form and nothing is previewed."""
    preview = imports.preview_stock_file if kind == "stock" else imports.preview_price_file
    try:
        _, view = await preview(session, page.ctx, file.file, file.filename, reason=reason.strip())
    except AppError as exc:
        if exc.status not in (413, 422):
            raise
        await settle(session, exc)
        problems = [f"{e.field}: {e.message}" for e in exc.errors[:SHOWN_PROBLEMS]] or [exc.detail]
        return await _form(page, session, kind, status=exc.status, upload_problems=problems)
    return see_other(f"/changes/{view.change_set.id}?done=previewed")
