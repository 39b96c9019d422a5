"""Mapping master products onto a platform's categories: search the cached categories by name (English
or Bahasa Indonesia), list a category's attributes and brands, set a product's category, brand and
attribute values per platform and market, copy one product's mapping to many. Reads come from the
reference-data cache (services/reference); nothing here calls a platform."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from aiostore.db.models import PlatformCategory, ProductPlatformMapping
from aiostore.domain.market import MarketCode
from aiostore.domain.permissions import Permission
from aiostore.domain.platforms import Platform
from aiostore.services.catalog import platform_mapping as mapping
from aiostore.services.catalog.schemas import MappingIn, Strict
from aiostore.services.context import OrgContext
from aiostore.web.deps import RequirePermission, Session

router = APIRouter(prefix="/api", tags=["catalog"])

Read = Annotated[OrgContext, RequirePermission(Permission.READ)]
Write = Annotated[OrgContext, RequirePermission(Permission.CATALOG_WRITE)]
CategoryId = Annotated[str, Field(min_length=1, max_length=64)]


class CategoryOut(BaseModel):
    category_id: str
    parent_id: str | None
    name_en: str
    name_id: str
    leaf: bool

    @classmethod
    def of(cls, row: PlatformCategory) -> CategoryOut:
        return cls(
            category_id=row.category_id,
            parent_id=row.parent_id,
            name_en=row.name_en,
            name_id=row.name_id,
            leaf=row.leaf,
        )


class OptionOut(BaseModel):
    value_id: str
    names: dict[str, str]


class AttributeOut(BaseModel):
    attribute_id: str
    key: str
    name_en: str
    name_id: str
    mandatory: bool | None
    input_type: str
    options: list[OptionOut]
    units: list[str]


class BrandOut(BaseModel):
    brand_id: str
    name: str


class CategoryDetailsOut(BaseModel):
    category: CategoryOut
    attributes: list[AttributeOut]
    brand_required: bool | None
    brands: list[BrandOut]


class MappingOut(BaseModel):
    product_id: uuid.UUID
    platform: str
    market: str
    category_id: str
    brand_id: str | None
    attributes: list[dict[str, Any]]

    @classmethod
    def of(cls, row: ProductPlatformMapping) -> MappingOut:
        return cls(
            product_id=row.product_id,
            platform=row.platform,
            market=row.market,
            category_id=row.category_id,
            brand_id=row.brand_id,
            attributes=row.attributes,
        )


class CopyIn(Strict):
    from_product_id: uuid.UUID
    platform: Platform
    market: MarketCode
    product_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)


class CopyOut(BaseModel):
    copied: list[MappingOut]


@router.get("/platforms/{platform}/categories")
async def search_categories(
    platform: Platform,
    session: Session,
    ctx: Read,
    market: MarketCode,
    q: Annotated[str, Query(max_length=100, description="part of the name, English or Indonesian")] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[CategoryOut]:
    """Cached categories of the platform in that market whose name holds `q` (leaves first). 409
    `reference_pending` while the platform's tree was never read for that market (a refresh is queued)."""
    rows = await mapping.search_categories(session, ctx, platform.value, market.value, q.strip(), limit)
    return [CategoryOut.of(r) for r in rows]


@router.get("/platforms/{platform}/categories/{category_id}/attributes")
async def category_attributes(
    platform: Platform, category_id: CategoryId, session: Session, ctx: Read, market: MarketCode
) -> CategoryDetailsOut:
    """A category's attributes (mandatory flag, input type, options, units) and brands, from the cache.
    409 `reference_pending` while they are being read for the first time (a refresh is queued)."""
    details = await mapping.category_details(session, ctx, platform.value, market.value, category_id)
    return CategoryDetailsOut(
        category=CategoryOut.of(details.category),
        attributes=[
            AttributeOut(
                attribute_id=a.attribute_id,
                key=a.key,
                name_en=a.name_en,
                name_id=a.name_id,
                mandatory=a.mandatory,
                input_type=a.input_type,
                options=[OptionOut.model_validate(o) for o in a.options],
                units=[str(u) for u in a.units],
            )
            for a in details.attributes
        ],
        brand_required=details.category.brand_required,
        brands=[BrandOut(brand_id=b.brand_id, name=b.name) for b in details.brands],
    )


@router.get("/products/{product_id}/platforms")
async def product_mappings(product_id: uuid.UUID, session: Session, ctx: Read) -> list[MappingOut]:
    return [MappingOut.of(r) for r in await mapping.get_mappings(session, product_id)]


@router.put("/products/{product_id}/platforms/{platform}")
async def set_product_mapping(
    product_id: uuid.UUID, platform: Platform, body: MappingIn, session: Session, ctx: Write
) -> MappingOut:
    """Set the product's category, brand and attribute values on the platform in `body.market`, checked
    against the cached category (422 naming each field that breaks it)."""
    return MappingOut.of(await mapping.set_mapping(session, ctx, product_id, platform.value, body))


@router.post("/products/platform-mapping:copy")
async def copy_product_mapping(body: CopyIn, session: Session, ctx: Write) -> CopyOut:
    """Give every product of `product_ids` the mapping `from_product_id` has on that platform and market
    (all or none)."""
    rows = await mapping.copy_mapping(
        session, ctx, body.from_product_id, body.platform.value, body.market.value, body.product_ids
    )
    return CopyOut(copied=[MappingOut.of(r) for r in rows])
