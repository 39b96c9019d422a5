"""Bulk stock and price changes: preview, then commit (with approval above the org's thresholds),
revert; and the organization's change policy."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, Field, StringConstraints

from aiostore.db.models import ChangeSet, ChangeSetItem
from aiostore.domain.permissions import Permission
from aiostore.errors import invalid
from aiostore.services.changes import core, policy
from aiostore.services.changes.price import preview_price
from aiostore.services.changes.schemas import MAX_ITEMS, ChangePolicy, Finding, PriceItemIn, StockItemIn
from aiostore.services.changes.stock import preview_stock
from aiostore.services.context import OrgContext
from aiostore.web.deps import RequirePermission, Session
from aiostore.web.routes.common import Cursor, Limit, PageOut, StrictModel

router = APIRouter(prefix="/api", tags=["changes"])

Read = Annotated[OrgContext, RequirePermission(Permission.READ)]
Write = Annotated[OrgContext, RequirePermission(Permission.CATALOG_WRITE)]
Approve = Annotated[OrgContext, RequirePermission(Permission.CHANGES_APPROVE)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Token = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class UpdateIn(StrictModel):
    mode: Literal["preview", "commit"]
    reason: Reason = ""
    token: Token | None = Field(default=None, description="commit: the preview's token")
    partial: bool = Field(default=False, description="commit: apply the items without errors, skip the rest")
    acknowledge_warnings: bool = Field(default=False, description="commit: apply items with warnings too")


class StockUpdateIn(UpdateIn):
    items: list[StockItemIn] | None = Field(default=None, max_length=MAX_ITEMS, description="preview only")


class PriceUpdateIn(UpdateIn):
    items: list[PriceItemIn] | None = Field(default=None, max_length=MAX_ITEMS, description="preview only")


class ItemOut(BaseModel):
    seq: int
    row: int | None
    sku: str
    variant_id: uuid.UUID | None
    channel_account_id: uuid.UUID | None
    market: str | None
    action: Literal["change", "unchanged", "error", "create", "update", "unlist"]
    severity: Literal["error", "warning"] | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    findings: list[Finding]
    applied: bool

    @classmethod
    def of(cls, item: ChangeSetItem) -> ItemOut:
        return cls(
            seq=item.seq,
            row=item.row,
            sku=item.sku,
            variant_id=item.variant_id,
            channel_account_id=item.channel_account_id,
            market=item.market,
            action=item.action,
            severity=item.severity,
            before=item.before,
            after=item.after,
            findings=[Finding.model_validate(f) for f in item.findings],
            applied=item.applied,
        )


class ChangeSetOut(BaseModel):
    id: uuid.UUID
    kind: str
    status: Literal["previewed", "awaiting_approval", "committed", "expired", "rejected"]
    token: str = Field(description="what a commit names")
    reason: str
    source: dict[str, Any] | None
    summary: dict[str, Any]
    created_by: uuid.UUID | None
    created_by_label: str
    committed_by: uuid.UUID | None
    approved_by: uuid.UUID | None
    rejected_by: uuid.UUID | None
    approval_reason: str | None
    revert_of: uuid.UUID | None
    created_at: datetime
    expires_at: datetime = Field(description="until when the preview may be committed")
    approval_expires_at: datetime | None = Field(
        description="awaiting approval: until when it may be approved (then it is expired)"
    )
    committed_at: datetime | None
    approved_at: datetime | None
    rejected_at: datetime | None

    @classmethod
    def fields_of(cls, cs: ChangeSet) -> dict[str, Any]:
        names = set(cls.model_fields) - {"status", "items", "next_cursor", "approval_expires_at"}
        return {name: getattr(cs, name) for name in names} | {
            "status": core.status_of(cs),
            "approval_expires_at": core.approval_deadline(cs),
        }

    @classmethod
    def of(cls, cs: ChangeSet) -> ChangeSetOut:
        return cls(**cls.fields_of(cs))


class ChangeSetDetailOut(ChangeSetOut):
    items: list[ItemOut] = Field(description="a page of items, in request order")
    next_cursor: str | None

    @classmethod
    def view(cls, view: core.ChangeSetView) -> ChangeSetDetailOut:
        items = [ItemOut.of(i) for i in view.items]
        return cls(**cls.fields_of(view.change_set), items=items, next_cursor=view.next_cursor)


def _commit_args(body: UpdateIn, request: Request) -> str:
    if body.items is not None:  # type: ignore[attr-defined]
        raise invalid("items", "a commit names its preview's token, not items", "unexpected")
    if body.token is None:
        raise invalid("token", "a commit names the token of a preview", "required")
    if not request.headers.get("idempotency-key"):
        raise invalid("Idempotency-Key", "a commit needs an Idempotency-Key header", "required")
    return body.token


def _preview_args(body: UpdateIn) -> None:
    for name in ("token", "partial", "acknowledge_warnings"):
        if name in body.model_fields_set:
            raise invalid(name, f"{name} belongs to a commit, not a preview", "unexpected")
    if not body.items:  # type: ignore[attr-defined]
        raise invalid("items", "a preview needs at least one item", "required")


async def _commit(
    body: UpdateIn, request: Request, response: Response, session: Session, ctx: OrgContext
) -> Any:
    token = _commit_args(body, request)
    view = await core.commit(
        session, ctx, token, partial=body.partial, acknowledge_warnings=body.acknowledge_warnings
    )
    if view.change_set.status == core.AWAITING:
        response.status_code = status.HTTP_202_ACCEPTED
    return ChangeSetDetailOut.view(view)


COMMIT_DOC = (
    "`mode: preview` stores a preview (before/after and findings of each item; it expires, by default "
    "after an hour) and answers its id, token, summary and first page of items. `mode: commit` with the "
    "preview's `token` and an `Idempotency-Key` header applies it: 200, or 202 when it needs a second "
    "admin's approval (the org's change policy); 409 `stale_preview` names the items whose base changed "
    "since the preview; 422 `items_refused` lists the errors (commit with `partial` to apply the rest), "
    "`warnings_not_acknowledged` the warnings."
)


@router.post("/stock/update", responses={202: {"description": "awaiting approval"}}, description=COMMIT_DOC)
async def update_stock(
    body: StockUpdateIn, request: Request, response: Response, session: Session, ctx: Write
) -> ChangeSetDetailOut:
    """Set or move on-hand stock and safety buffers of many SKUs."""
    if body.mode == "commit":
        return await _commit(body, request, response, session, ctx)  # type: ignore[no-any-return]
    _preview_args(body)
    assert body.items is not None  # noqa: S101
    return ChangeSetDetailOut.view(await preview_stock(session, ctx, body.items, reason=body.reason))


@router.post("/price/update", responses={202: {"description": "awaiting approval"}}, description=COMMIT_DOC)
async def update_price(
    body: PriceUpdateIn, request: Request, response: Response, session: Session, ctx: Write
) -> ChangeSetDetailOut:
    """Set the price of many SKUs per market (master price) or per shop (that shop's own price)."""
    if body.mode == "commit":
        return await _commit(body, request, response, session, ctx)  # type: ignore[no-any-return]
    _preview_args(body)
    assert body.items is not None  # noqa: S101
    return ChangeSetDetailOut.view(await preview_price(session, ctx, body.items, reason=body.reason))


@router.get("/changesets")
async def list_change_sets(
    session: Session,
    ctx: Read,
    kind: Annotated[Literal["stock", "price", "catalog"] | None, Query()] = None,
    status: Annotated[
        Literal["previewed", "awaiting_approval", "committed", "expired", "rejected"] | None, Query()
    ] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> PageOut[ChangeSetOut]:
    """Change sets, newest first."""
    page = await core.list_change_sets(session, kind=kind, status=status, cursor=cursor, limit=limit)
    return PageOut(items=[ChangeSetOut.of(c) for c in page.items], next_cursor=page.next_cursor)


@router.get("/changesets/{change_set_id}")
async def get_change_set(
    change_set_id: uuid.UUID,
    session: Session,
    ctx: Read,
    action: Annotated[Literal["change", "unchanged", "error"] | None, Query()] = None,
    severity: Annotated[Literal["error", "warning"] | None, Query()] = None,
    sku: Annotated[str | None, Query(max_length=100)] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> ChangeSetDetailOut:
    """One change set with a page of its items (filtered by action, severity or SKU)."""
    change_set = await core.get(session, change_set_id)
    filters = core.ItemFilter(action=action, severity=severity, sku=sku)
    page = await core.items_page(session, change_set.id, filters, cursor=cursor, limit=limit)
    return ChangeSetDetailOut.view(core.ChangeSetView(change_set, page.items, page.next_cursor))


@router.post("/changesets/{change_set_id}/approve")
async def approve_change_set(change_set_id: uuid.UUID, session: Session, ctx: Approve) -> ChangeSetDetailOut:
    """Apply a change set awaiting approval: an admin or owner other than the person who previewed or
    committed it; the base is checked again (409 `stale_preview`)."""
    return ChangeSetDetailOut.view(await core.approve(session, ctx, change_set_id))


@router.post("/changesets/{change_set_id}/reject")
async def reject_change_set(change_set_id: uuid.UUID, session: Session, ctx: Approve) -> ChangeSetDetailOut:
    """Turn down a change set awaiting approval; nothing is applied."""
    return ChangeSetDetailOut.view(await core.reject(session, ctx, change_set_id))


@router.post("/changesets/{change_set_id}/revert")
async def revert_change_set(change_set_id: uuid.UUID, session: Session, ctx: Write) -> ChangeSetDetailOut:
    """A new preview restoring what a committed change set changed (stock by the inverse delta, so
    sales since then stay counted; buffers and prices set back), committed like any other."""
    return ChangeSetDetailOut.view(await core.revert(session, ctx, change_set_id))


@router.get("/org/change-policy")
async def get_change_policy(session: Session, ctx: Read) -> ChangePolicy:
    """The thresholds of findings and approval for bulk changes (defaults where unset)."""
    return await policy.get_policy(session, ctx)


@router.put("/org/change-policy")
async def set_change_policy(body: ChangePolicy, session: Session, ctx: Approve) -> ChangePolicy:
    """Set every threshold (admins and owners); audited."""
    return await policy.set_policy(session, ctx, body)
