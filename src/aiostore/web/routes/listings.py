"""Listings: each variant as it stands on a shop; link the unmatched ones to master variants."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from aiostore.db.models import InventoryMovement, Listing, Variant
from aiostore.domain.permissions import Permission
from aiostore.errors import NotFound, invalid
from aiostore.services import audit
from aiostore.services.context import OrgContext
from aiostore.services.inventory import mark_dirty
from aiostore.services.pagination import Sort, page_of, paginate
from aiostore.web.deps import RequirePermission, Session
from aiostore.web.routes.common import Cursor, Limit, PageOut, StrictModel

router = APIRouter(prefix="/api", tags=["listings"])
Read = Annotated[OrgContext, RequirePermission(Permission.READ)]
Write = Annotated[OrgContext, RequirePermission(Permission.CATALOG_WRITE)]


class ListingOut(BaseModel):
    id: uuid.UUID
    channel_account_id: uuid.UUID
    variant_id: uuid.UUID | None
    platform_item_id: str
    platform_variant_id: str | None
    platform_sku: str | None
    title: str
    status: str
    platform_stock: int | None
    platform_state: dict[str, Any]
    sync_state: str
    stock_dirty: bool
    last_error: str | None
    last_synced_at: datetime | None

    @classmethod
    def of(cls, l: Listing) -> ListingOut:  # noqa: E741
        return cls(
            id=l.id,
            channel_account_id=l.channel_account_id,
            variant_id=l.variant_id,
            platform_item_id=l.platform_item_id,
            platform_variant_id=l.platform_model_id,
            platform_sku=l.platform_sku,
            title=l.title,
            status=l.status,
            platform_stock=l.platform_stock,
            platform_state=l.platform_state,
            sync_state=l.sync_state,
            stock_dirty=l.stock_dirty,
            last_error=l.last_error,
            last_synced_at=l.last_synced_at,
        )


class LinkIn(StrictModel):
    variant_id: uuid.UUID | None


class MovementOut(BaseModel):
    id: uuid.UUID
    created_at: datetime
    cause: str
    on_hand_delta: int
    reserved_delta: int
    on_hand_after: int
    reserved_after: int
    order_id: uuid.UUID | None
    note: str


@router.get("/listings")
async def list_listings(
    session: Session,
    ctx: Read,
    channel_account_id: uuid.UUID | None = None,
    unmatched: bool | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> PageOut[ListingOut]:
    """Listings by shop; `unmatched=true`: those no master SKU matched (link or import them)."""
    stmt = select(Listing)
    if channel_account_id:
        stmt = stmt.where(Listing.channel_account_id == channel_account_id)
    if unmatched is not None:
        stmt = stmt.where(Listing.variant_id.is_(None) if unmatched else Listing.variant_id.is_not(None))
    sort = Sort(Listing.created_at, descending=False, kind="datetime")
    rows = list(
        (
            await session.scalars(paginate(stmt, sort=sort, id_column=Listing.id, cursor=cursor, limit=limit))
        ).all()
    )
    page = page_of(rows, limit=limit, sort_value=lambda r: r.created_at, row_id=lambda r: r.id)
    return PageOut(items=[ListingOut.of(r) for r in page.items], next_cursor=page.next_cursor)


@router.put("/listings/{listing_id}/variant")
async def link_listing(listing_id: uuid.UUID, body: LinkIn, session: Session, ctx: Write) -> ListingOut:
    """Link a listing to a master variant (null unlinks); a linked listing follows that variant's stock."""
    listing = await session.get(Listing, listing_id)
    if listing is None:
        raise NotFound("listing not found")
    if body.variant_id is not None and await session.get(Variant, body.variant_id) is None:
        raise invalid("variant_id", "no such variant", "not_found")
    before = {"variant_id": listing.variant_id}
    listing.variant_id = body.variant_id
    await session.flush()
    if body.variant_id:
        await mark_dirty(session, [body.variant_id])
    await audit.record(
        session,
        ctx,
        "listing.linked",
        "listing",
        listing.id,
        before=before,
        after={"variant_id": body.variant_id},
    )
    await session.refresh(listing)
    return ListingOut.of(listing)


@router.get("/variants/{variant_id}/ledger")
async def ledger(
    variant_id: uuid.UUID, session: Session, ctx: Read, cursor: Cursor = None, limit: Limit = 50
) -> PageOut[MovementOut]:
    """Every stock movement of a variant with its cause, newest first: stock explained."""
    if await session.get(Variant, variant_id) is None:
        raise NotFound("variant not found")
    stmt = select(InventoryMovement).where(InventoryMovement.variant_id == variant_id)
    sort = Sort(InventoryMovement.created_at, descending=True, kind="datetime")
    rows = list(
        (
            await session.scalars(
                paginate(stmt, sort=sort, id_column=InventoryMovement.id, cursor=cursor, limit=limit)
            )
        ).all()
    )
    page = page_of(rows, limit=limit, sort_value=lambda r: r.created_at, row_id=lambda r: r.id)
    return PageOut(
        items=[MovementOut.model_validate(m, from_attributes=True) for m in page.items],
        next_cursor=page.next_cursor,
    )
