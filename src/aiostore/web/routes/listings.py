"""Listings: each variant as it stands on a shop; link the unmatched ones to master variants."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from aiostore.db.models import Listing
from aiostore.domain.permissions import Permission
from aiostore.services import inventory, listings
from aiostore.services.catalog import import_channel
from aiostore.services.context import OrgContext
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
    # The last price push's own outcome (in_sync, retrying, error; None: no price pushed yet): a price
    # the platform refused stays here whatever stock pushes succeed after it.
    price_sync_state: str | None
    price_error: str | None
    last_synced_at: datetime | None
    review_state: str | None  # under_review, live, rejected (None: never followed)
    review_reason: str | None  # the platform's own words when it rejected the listing
    review_code: str | None
    review_checked_at: datetime | None
    overrides: dict[str, Any]

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
            price_sync_state=l.price_sync_state,
            price_error=l.price_error,
            last_synced_at=l.last_synced_at,
            review_state=l.review_state,
            review_reason=l.review_reason,
            review_code=l.review_code,
            review_checked_at=l.review_checked_at,
            overrides=l.overrides or {},
        )


class LinkIn(StrictModel):
    variant_id: uuid.UUID | None


class ImportIn(StrictModel):
    channel_account_id: uuid.UUID
    dry_run: bool = False


class SkippedOut(BaseModel):
    listing_id: uuid.UUID
    platform_item_id: str
    sku: str | None
    reason: str


class ImportOut(BaseModel):
    dry_run: bool
    products: int
    variants: int
    linked: int
    skipped: list[SkippedOut]
    notes: list[str]

    @classmethod
    def of(cls, r: import_channel.ImportReport) -> ImportOut:
        skipped = [SkippedOut(**dataclasses.asdict(s)) for s in r.skipped]
        return cls(
            dry_run=r.dry_run,
            products=len(r.products),
            variants=r.variants,
            linked=r.linked,
            skipped=skipped,
            notes=list(r.notes),
        )


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
    sync_state: listings.SyncState | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> PageOut[ListingOut]:
    """Listings by shop; `unmatched=true`: those no master SKU matched (link or import them)."""
    f = listings.ListingFilter(channel_account_id, unmatched, sync_state, q)
    page = await listings.list_listings(session, f, cursor=cursor, limit=limit)
    return PageOut(items=[ListingOut.of(r) for r in page.items], next_cursor=page.next_cursor)


@router.put("/listings/{listing_id}/variant")
async def link_listing(listing_id: uuid.UUID, body: LinkIn, session: Session, ctx: Write) -> ListingOut:
    """Link a listing to a master variant (null unlinks); a linked listing follows that variant's stock."""
    return ListingOut.of(await listings.link(session, ctx, listing_id, body.variant_id))


@router.post("/listings/import")
async def import_listings(body: ImportIn, session: Session, ctx: Write) -> ImportOut:
    """Master products from a shop's unmatched listings (`catalog import-from-channel`); a dry run only
    says what it would create and skip."""
    report = await import_channel.import_from_channel(session, ctx, body.channel_account_id, body.dry_run)
    return ImportOut.of(report)


@router.get("/variants/{variant_id}/ledger")
async def ledger(
    variant_id: uuid.UUID, session: Session, ctx: Read, cursor: Cursor = None, limit: Limit = 50
) -> PageOut[MovementOut]:
    """Every stock movement of a variant with its cause, newest first: stock explained."""
    page = await inventory.ledger(session, variant_id, cursor=cursor, limit=limit)
    return PageOut(
        items=[MovementOut.model_validate(m, from_attributes=True) for m in page.items],
        next_cursor=page.next_cursor,
    )
