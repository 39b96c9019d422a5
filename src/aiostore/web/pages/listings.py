"""Listings: every shop's listings with their sync state, the platform's figures beside ours, errors and
overrides; linking an unmatched listing to a master variant (by its SKU) and importing a shop's unmatched
listings as master products. The same services as /api/listings, behind the same permissions."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from aiostore.domain.permissions import Permission
from aiostore.errors import AppError
from aiostore.services import channels, listings
from aiostore.services.allocation import quantities
from aiostore.services.catalog import import_channel
from aiostore.web import i18n
from aiostore.web.deps import Session
from aiostore.web.pages.deps import Page, PageContext, PageFor, see_other, settle
from aiostore.web.pages.forms import FilterQuery, parse

router = APIRouter(include_in_schema=False)
Write = Annotated[PageContext, PageFor(Permission.CATALOG_WRITE)]
PAGE_SIZE = 50


class ListingsQuery(FilterQuery):
    channel_account_id: uuid.UUID | None = None
    unmatched: bool | None = None
    sync_state: listings.SyncState | None = None
    q: str | None = None


async def _page(
    request: Request, page: PageContext, session: Session, *, status: int = 200, **extra: Any
) -> Response:
    query, errors = parse(ListingsQuery, request.query_params)
    found: list[Any] = []
    next_cursor = None
    if query is not None:
        f = listings.ListingFilter(query.channel_account_id, query.unmatched, query.sync_state, query.q)
        result = await listings.list_listings(session, f, cursor=query.cursor, limit=PAGE_SIZE)
        found, next_cursor = result.items, result.next_cursor
    ours = await listings.ours(session, {x.variant_id for x in found if x.variant_id})
    pushed = {listing_id: d.quantity for listing_id, d in (await quantities.offered(session, found)).items()}
    context = {
        "active": "listings",
        "listings": found,
        "ours": ours,
        "pushed": pushed,
        "shops": {a.id: a for a in await channels.list_channels(session, page.ctx)},
        "next_cursor": next_cursor,
        "filters": dict(request.query_params),
        "errors": errors,
        "sync_states": listings.SYNC_STATES,
        "link": {"listing": None, "sku": "", "error": None},
        "report": None,
        "import_errors": {},
    } | extra
    if errors and status == 200:
        status = 422
    return page.render("listings/index.html", context, status=status, block="list")


@router.get("/listings")
async def listing_list(request: Request, page: Page, session: Session) -> Response:
    return await _page(request, page, session)


@router.post("/listings/{listing_id}/link")
async def link(
    listing_id: uuid.UUID,
    request: Request,
    page: Write,
    session: Session,
    sku: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Link the listing to the master variant with this SKU (an empty SKU unlinks it)."""
    variant_id = await listings.variant_by_sku(session, sku) if sku.strip() else None
    if sku.strip() and variant_id is None:
        problem = {"listing": listing_id, "sku": sku, "error": i18n._("No master variant has this SKU.")}
        return await _page(request, page, session, status=422, link=problem)
    await listings.link(session, page.ctx, listing_id, variant_id)
    return see_other(f"/listings?done=linked#listing-{listing_id}")


@router.post("/listings/import")
async def import_unmatched(
    request: Request,
    page: Write,
    session: Session,
    channel_account_id: Annotated[str, Form(max_length=40)] = "",
    dry_run: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Import the shop's unmatched listings as master products; the report is shown on the page."""
    try:
        channel_id = uuid.UUID(channel_account_id)
    except ValueError:
        errors = {"channel_account_id": i18n._("Choose one of the options.")}
        return await _page(request, page, session, status=422, import_errors=errors)
    try:
        report = await import_channel.import_from_channel(session, page.ctx, channel_id, dry_run == "true")
    except AppError as exc:
        if exc.status in (401, 403, 404):
            raise
        await settle(session, exc)
        return await _page(request, page, session, status=exc.status, import_errors={"form": exc.detail})
    return await _page(request, page, session, report=report)
