"""One change set: each item's exact diff (stock: on hand, reserved, buffer, available; price: the price
and sale price, and every shop it reaches with its old and new price) with its findings, filtered and
paged; commit it, approve or reject it (another admin or owner), revert it.

The actions call `services/changes/core` as /api/changesets and /api/{stock,price}/update do, behind the
same permissions; each form carries the CSRF token and an idempotency key the page generated (a
repeated post replays the first answer). A refused commit, approval or revert (409, 422, the same
person approving) is shown beside its form in the page's language, with the server's detail.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form
from starlette.responses import Response

from aiostore.db.models import ChangeSet, ChangeSetItem
from aiostore.domain.permissions import Permission
from aiostore.errors import AppError, invalid
from aiostore.services.changes import core
from aiostore.web import i18n
from aiostore.web.deps import IDEMPOTENCY_FIELD, Session
from aiostore.web.i18n import N_
from aiostore.web.pages.deps import Page, PageContext, PageFor, see_other, settle
from aiostore.web.pages.forms import FilterQuery, parse

router = APIRouter(include_in_schema=False)
Write = Annotated[PageContext, PageFor(Permission.CATALOG_WRITE)]
Approve = Annotated[PageContext, PageFor(Permission.CHANGES_APPROVE)]
Flag = Annotated[str, Form(max_length=5)]
Key = Annotated[str, Form(max_length=255, alias=IDEMPOTENCY_FIELD)]
PAGE_SIZE = 50

# What a refused action says, by the problem's code; the server's detail (which names the SKUs) follows.
REFUSALS = {
    "stale_preview": N_("The stock or prices changed since this preview. Preview the change again."),
    "change_set_not_open": N_("This change set is not open for that any more."),
    "items_refused": N_(
        "Some items have errors. Fix them in a new change, or tick “Apply the rest” to commit the others."
    ),
    "warnings_not_acknowledged": N_(
        "Some items have warnings. Read them, then tick “I have read the warnings”."
    ),
    "forbidden": N_("Someone other than the person who previewed or committed it approves it."),
    "required": N_("The form was incomplete. Open the page again and retry."),
}


class ItemsQuery(FilterQuery):
    action: Literal["change", "unchanged", "error"] | None = None
    severity: Literal["error", "warning"] | None = None


async def items_of(
    session: Session, change_set_id: uuid.UUID, filters: core.ItemFilter, cursor: str | None
) -> tuple[list[ChangeSetItem], str | None, dict[str, str]]:
    """A page of a change set's items and the next cursor; a cursor that cannot be read is an error
    named `cursor` (and no items)."""
    try:
        found = await core.items_page(session, change_set_id, filters, cursor=cursor, limit=PAGE_SIZE)
    except AppError as exc:
        if exc.status != 422:
            raise
        return [], None, {"cursor": exc.detail}
    return found.items, found.next_cursor, {}


def _may_approve(page: PageContext, change_set: ChangeSet) -> bool:
    user = page.ctx.actor.user_id
    return (
        page.can(Permission.CHANGES_APPROVE)
        and core.status_of(change_set) == core.AWAITING
        and user is not None
        and user not in (change_set.created_by, change_set.committed_by)
    )


async def _detail(
    page: PageContext, session: Session, change_set_id: uuid.UUID, *, status: int = 200, **extra: Any
) -> Response:
    change_set = await core.get(session, change_set_id)
    request = page.request
    query, errors = parse(ItemsQuery, request.query_params)
    items: list[Any] = []
    next_cursor = None
    if query is not None:
        filters = core.ItemFilter(action=query.action, severity=query.severity)
        items, next_cursor, errors = await items_of(session, change_set.id, filters, query.cursor)
    state = core.status_of(change_set)
    summary = change_set.summary
    context = {
        "active": "changes",
        "cs": change_set,
        "state": state,
        "approval_deadline": core.approval_deadline(change_set),
        "summary": summary,
        "items": items,
        "next_cursor": next_cursor,
        "filters": dict(request.query_params),
        "errors": errors,
        "can_commit": page.can(Permission.CATALOG_WRITE) and state == core.PREVIEWED,
        "can_approve": _may_approve(page, change_set),
        "can_revert": page.can(Permission.CATALOG_WRITE) and state == core.COMMITTED,
        "idempotency_key": uuid.uuid4().hex,
        "refused": None,  # {"form": commit|approve|reject|revert, "message", "detail"}
        "form": {},
    } | extra
    if errors and status == 200:
        status = 422
    return page.render("changes/detail.html", context, status=status, block="list")


@router.get("/changes/{change_set_id}")
async def change_set_page(change_set_id: uuid.UUID, page: Page, session: Session) -> Response:
    if (await core.get(session, change_set_id)).kind == "catalog":  # a publish has its own page
        return see_other(f"/publish/{change_set_id}")
    return await _detail(page, session, change_set_id)


async def _refused(
    page: PageContext, session: Session, change_set_id: uuid.UUID, action: str, exc: AppError, **extra: Any
) -> Response:
    """The action's problem beside its form; anything but a refusal of this kind goes to the error page."""
    if exc.status not in (403, 409, 422) or exc.status == 403 and exc.code != "forbidden":
        raise exc
    await settle(session, exc)
    return await _detail(
        page, session, change_set_id, status=exc.status, refused=refusal(action, exc), **extra
    )


def refusal(action: str, exc: AppError, messages: dict[str, str] = REFUSALS) -> dict[str, Any]:
    """What the page says beside form `action` of a refusal: its message in the page's language (by
    the problem's code, from `messages`) and the server's detail."""
    text = messages.get(exc.code) or messages.get(exc.errors[0].code if exc.errors else "", "")
    return {"form": action, "message": i18n._(text) if text else exc.title, "detail": exc.detail}


def require_key(key: str) -> None:
    if not key.strip():
        raise invalid("Idempotency-Key", "a commit needs an idempotency key", "required")


@router.post("/changes/{change_set_id}/commit")
async def commit(
    change_set_id: uuid.UUID,
    page: Write,
    session: Session,
    key: Key = "",
    partial: Flag = "",
    acknowledge_warnings: Flag = "",
) -> Response:
    """Commit the preview (the change set's own token), or leave it awaiting approval."""
    change_set = await core.get(session, change_set_id)
    form = {"partial": partial == "true", "acknowledge_warnings": acknowledge_warnings == "true"}
    try:
        require_key(key)
        view = await core.commit(
            session,
            page.ctx,
            change_set.token,
            partial=form["partial"],
            acknowledge_warnings=form["acknowledge_warnings"],
        )
    except AppError as exc:
        return await _refused(page, session, change_set_id, "commit", exc, form=form)
    done = "awaiting" if view.change_set.status == core.AWAITING else "committed"
    return see_other(f"/changes/{change_set_id}?done={done}")


@router.post("/changes/{change_set_id}/approve")
async def approve(change_set_id: uuid.UUID, page: Approve, session: Session) -> Response:
    try:
        await core.approve(session, page.ctx, change_set_id)
    except AppError as exc:
        return await _refused(page, session, change_set_id, "approve", exc)
    return see_other(f"/changes/{change_set_id}?done=approved")


@router.post("/changes/{change_set_id}/reject")
async def reject(change_set_id: uuid.UUID, page: Approve, session: Session) -> Response:
    try:
        await core.reject(session, page.ctx, change_set_id)
    except AppError as exc:
        return await _refused(page, session, change_set_id, "reject", exc)
    return see_other(f"/changes/{change_set_id}?done=rejected")


@router.post("/changes/{change_set_id}/revert")
async def revert(change_set_id: uuid.UUID, page: Write, session: Session) -> Response:
    """A new preview restoring what this change set changed; its page is the answer."""
    try:
        view = await core.revert(session, page.ctx, change_set_id)
    except AppError as exc:
        return await _refused(page, session, change_set_id, "revert", exc)
    return see_other(f"/changes/{view.change_set.id}?done=previewed")
