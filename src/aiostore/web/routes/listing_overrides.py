"""One listing: read it (with its review state), and its per-listing overrides (title, description,
price, images) that the catalog preview applies instead of the master product's
(services/listing_overrides.py)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from aiostore.db.models import Listing
from aiostore.domain.permissions import Permission
from aiostore.errors import NotFound
from aiostore.services import listing_overrides as service
from aiostore.services.context import OrgContext
from aiostore.web.deps import RequirePermission, Session
from aiostore.web.routes.common import StrictModel
from aiostore.web.routes.listings import ListingOut

router = APIRouter(prefix="/api", tags=["listings"])
Read = Annotated[OrgContext, RequirePermission(Permission.READ)]
Write = Annotated[OrgContext, RequirePermission(Permission.CATALOG_WRITE)]


class OverridesIn(StrictModel):
    """Each field given replaces the master product's on this listing; one left out (or null) is not
    overridden. The whole set replaces the previous one."""

    title: str | None = Field(None, max_length=500)
    description: str | None = Field(None, max_length=50_000)
    price: str | None = Field(
        None, max_length=40, description='decimal string in the listing\'s currency, e.g. "12.90"'
    )
    images: list[str] | None = Field(None, max_length=service.MAX_IMAGES, description="image URLs, in order")


class WarningOut(BaseModel):
    field: str
    rule: str
    message: str
    value: str | None


class OverridesOut(BaseModel):
    listing_id: uuid.UUID
    currency: str
    overrides: dict[str, Any]
    warnings: list[WarningOut] = []

    @classmethod
    def of(cls, found: service.Overrides) -> OverridesOut:
        return cls(
            listing_id=found.listing.id,
            currency=found.currency.value,
            overrides=found.values,
            warnings=[
                WarningOut(field=f.field, rule=f.rule, message=f.message(), value=f.value)
                for f in found.warnings
            ],
        )


@router.get("/listings/{listing_id}")
async def get_listing(listing_id: uuid.UUID, session: Session, ctx: Read) -> ListingOut:
    """One listing as it stands on its shop: status, the platform's review (state, reason, code) and its
    overrides."""
    listing = await session.get(Listing, listing_id)
    if listing is None:
        raise NotFound("listing not found")
    return ListingOut.of(listing)


@router.get("/listings/{listing_id}/overrides")
async def get_overrides(listing_id: uuid.UUID, session: Session, ctx: Read) -> OverridesOut:
    return OverridesOut.of(await service.get(session, listing_id))


@router.put("/listings/{listing_id}/overrides")
async def put_overrides(
    listing_id: uuid.UUID, body: OverridesIn, session: Session, ctx: Write
) -> OverridesOut:
    """Replace the listing's overrides, checked with the platform's content rules for its market (an
    error is a 422 naming the field; warnings are returned)."""
    given = service.OverridesIn(
        body.title, body.description, body.price, None if body.images is None else tuple(body.images)
    )
    return OverridesOut.of(await service.set_overrides(session, ctx, listing_id, given))


@router.delete("/listings/{listing_id}/overrides", status_code=status.HTTP_204_NO_CONTENT)
async def delete_overrides(listing_id: uuid.UUID, session: Session, ctx: Write) -> None:
    """Remove the listing's overrides: it shows the master product's values again."""
    await service.clear(session, ctx, listing_id)
