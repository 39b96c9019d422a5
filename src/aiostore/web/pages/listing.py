"""One listing: its shop, status, the platform's review (state, reason and code when rejected) and its
per-listing overrides, with a form to change or remove them. The same services as
/api/listings/{id} and /api/listings/{id}/overrides, behind the same permissions."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form
from starlette.responses import Response

from aiostore.domain.permissions import Permission
from aiostore.errors import AppError, NotFound
from aiostore.services import channels
from aiostore.services import listing_overrides as overrides
from aiostore.web import i18n
from aiostore.web.deps import Session
from aiostore.web.pages.deps import Page, PageContext, PageFor, see_other, settle

router = APIRouter(include_in_schema=False)
Write = Annotated[PageContext, PageFor(Permission.CATALOG_WRITE)]
Text = Annotated[str, Form(max_length=50_000)]


async def _page(
    page: PageContext,
    session: Session,
    listing_id: uuid.UUID,
    *,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    found = await overrides.get(session, listing_id, page.ctx)
    listing = found.listing
    shop = next(
        (s for s in await channels.list_channels(session, page.ctx) if s.id == listing.channel_account_id),
        None,
    )
    current = found.values
    shown = values or {
        "title": current.get("title", ""),
        "description": current.get("description", ""),
        "price": current.get("price", ""),
        "images": "\n".join(current.get("images", ())),
    }
    context: dict[str, Any] = {
        "active": "listings",
        "listing": listing,
        "shop": shop,
        "currency": found.currency.value,
        "current": current,
        "values": shown,
        "errors": errors or {},
        "warnings": found.warnings,
        "translate": i18n._,  # a finding's message in the page's language
    }
    return page.render("listings/listing.html", context, status=status)


@router.get("/listings/{listing_id}")
async def listing_page(listing_id: uuid.UUID, page: Page, session: Session) -> Response:
    return await _page(page, session, listing_id)


@router.post("/listings/{listing_id}/overrides")
async def save_overrides(
    listing_id: uuid.UUID,
    page: Write,
    session: Session,
    title: Text = "",
    description: Text = "",
    price: Annotated[str, Form(max_length=40)] = "",
    images: Text = "",
) -> Response:
    """Set the overrides from the form: an empty field is not overridden; images one URL per line."""
    urls = tuple(line.strip() for line in images.splitlines() if line.strip())
    given = overrides.OverridesIn(title or None, description or None, price.strip() or None, urls or None)
    values = {"title": title, "description": description, "price": price, "images": images}
    try:
        await overrides.set_overrides(session, page.ctx, listing_id, given)
    except AppError as exc:
        if isinstance(exc, NotFound) or exc.status in (401, 403):
            raise
        await settle(session, exc)
        errors: dict[str, str] = {}
        for problem in exc.errors:
            key = problem.field.split(".")[0]
            errors[key] = f"{errors[key]} {problem.message}" if key in errors else problem.message
        return await _page(page, session, listing_id, status=exc.status, values=values, errors=errors)
    return see_other(f"/listings/{listing_id}?done=overrides")


@router.post("/listings/{listing_id}/overrides/clear")
async def clear_overrides(listing_id: uuid.UUID, page: Write, session: Session) -> Response:
    await overrides.clear(session, page.ctx, listing_id)
    return see_other(f"/listings/{listing_id}?done=overrides_cleared")
