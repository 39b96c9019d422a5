"""A master product's category, brand and attribute values per platform and market, checked against the
cached reference data (services/reference/cache.py); nothing here calls a platform. A category whose
attributes were never read is a 409 `reference_pending`, and a refresh naming it is queued on one of the
org's shops of that platform and market (or none: the org has no such shop)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import (
    ChannelAccount,
    PlatformAttribute,
    PlatformBrand,
    PlatformCategory,
    Product,
    ProductPlatformMapping,
    SyncJob,
)
from aiostore.errors import Conflict, FieldError, NotFound, ValidationFailed
from aiostore.services import audit
from aiostore.services.catalog.schemas import MappingIn
from aiostore.services.context import OrgContext
from aiostore.services.reference import refresh
from aiostore.services.sync import jobs
from aiostore.settings import get_settings

SELECTS = ("single_select", "multi_select")


class ReferencePending(Conflict):
    code = "reference_pending"
    title = "Platform reference data is being read"


@dataclass(frozen=True, slots=True)
class CategoryDetails:
    category: PlatformCategory
    attributes: list[PlatformAttribute]
    brands: list[PlatformBrand]


def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def search_categories(
    session: AsyncSession, ctx: OrgContext, platform: str, market: str, q: str, limit: int
) -> list[PlatformCategory]:
    """Cached categories whose English or Indonesian name holds `q` (leaves first, then by name); 409
    `reference_pending` with a refresh queued while the platform's tree was never read for that market."""
    cached = await session.scalar(
        select(PlatformCategory.category_id)
        .where(PlatformCategory.platform == platform, PlatformCategory.market == market)
        .limit(1)
    )
    if cached is None:
        await _pending(session, ctx, platform, market, None)
        raise ReferencePending(
            "this platform's categories were not read yet: a refresh is queued, try again shortly",
            headers={"Retry-After": "30"},
            keep_changes=True,
        )
    stmt = select(PlatformCategory).where(
        PlatformCategory.platform == platform, PlatformCategory.market == market
    )
    if q:
        stmt = stmt.where(
            or_(PlatformCategory.name_en.ilike(_like(q)), PlatformCategory.name_id.ilike(_like(q)))
        )
    stmt = stmt.order_by(PlatformCategory.leaf.desc(), PlatformCategory.name_en, PlatformCategory.category_id)
    return list((await session.scalars(stmt.limit(limit))).all())


async def _pending(
    session: AsyncSession, ctx: OrgContext, platform: str, market: str, category_id: str | None
) -> None:
    """Queue a refresh that reads the tree (and the category), unless one of that platform and market
    is already waiting that will."""
    open_jobs = await session.scalars(
        select(SyncJob)
        .join(ChannelAccount, ChannelAccount.id == SyncJob.channel_account_id)
        .where(
            SyncJob.kind == refresh.KIND,
            SyncJob.status.in_((jobs.QUEUED, jobs.RETRYING)),
            ChannelAccount.platform == platform,
            ChannelAccount.market == market,
        )
    )
    if not any(category_id is None or category_id in (j.params.get("categories") or ()) for j in open_jobs):
        await refresh.request(
            session,
            ctx.org_id,
            platform,
            market,
            [category_id] if category_id else [],
            dry_run=get_settings().write_mode.value != "live",
            user_id=ctx.actor.user_id,
        )


async def category_details(
    session: AsyncSession, ctx: OrgContext, platform: str, market: str, category_id: str
) -> CategoryDetails:
    category = await session.get(PlatformCategory, (platform, market, category_id))
    if category is None:
        raise NotFound("category not found (or the platform's categories were not read yet)")
    if category.leaf and category.attributes_expire_at is None:
        await _pending(session, ctx, platform, market, category_id)
        raise ReferencePending(
            "this category's attributes were not read yet: a refresh is queued, try again shortly",
            headers={"Retry-After": "30"},
            keep_changes=True,
        )
    key = (PlatformAttribute.platform == platform, PlatformAttribute.market == market)
    attributes = await session.scalars(
        select(PlatformAttribute)
        .where(*key, PlatformAttribute.category_id == category_id)
        .order_by(PlatformAttribute.position)
    )
    brands = await session.scalars(
        select(PlatformBrand)
        .where(
            PlatformBrand.platform == platform,
            PlatformBrand.market == market,
            PlatformBrand.category_id == category_id,
        )
        .order_by(PlatformBrand.name)
    )
    return CategoryDetails(category, list(attributes.all()), list(brands.all()))


def _check_value(attribute: PlatformAttribute, path: str, value: Any, errors: list[FieldError]) -> None:
    options = {str(o["value_id"]) for o in attribute.options}
    if attribute.input_type in SELECTS:
        if value.texts or not value.value_ids:
            errors.append(FieldError(f"{path}.value_ids", "required", "choose from the attribute's options"))
        elif any(v not in options for v in value.value_ids):
            errors.append(FieldError(f"{path}.value_ids", "invalid", "not an option of this attribute"))
        elif attribute.input_type == "single_select" and len(value.value_ids) > 1:
            errors.append(FieldError(f"{path}.value_ids", "too_many", "this attribute takes one value"))
        return
    if value.value_ids or not value.texts:
        errors.append(FieldError(f"{path}.texts", "required", "this attribute takes free text"))
        return
    if attribute.input_type == "number":
        try:
            [Decimal(t) for t in value.texts]
        except InvalidOperation:
            errors.append(FieldError(f"{path}.texts", "not_a_number", "this attribute takes a number"))
    if attribute.units and value.unit not in attribute.units:
        errors.append(FieldError(f"{path}.unit", "invalid", f"one of {', '.join(attribute.units)}"))


def validate(details: CategoryDetails, body: MappingIn) -> list[FieldError]:
    """What `body` breaks of the category's cached rules."""
    if not details.category.leaf:
        return [FieldError("category_id", "not_a_leaf", "choose a category without subcategories")]
    errors: list[FieldError] = []
    by_id = {a.attribute_id: a for a in details.attributes}
    seen: set[str] = set()
    for n, value in enumerate(body.attributes):
        attribute = by_id.get(value.attribute_id)
        if attribute is None or value.attribute_id in seen:
            why = "repeated" if value.attribute_id in seen else "not an attribute of this category"
            errors.append(FieldError(f"attributes[{n}].attribute_id", "invalid", why))
        else:
            _check_value(attribute, f"attributes[{n}]", value, errors)
        seen.add(value.attribute_id)
    for attribute in details.attributes:
        if attribute.mandatory and attribute.attribute_id not in seen:
            name = attribute.name_en or attribute.name_id
            errors.append(
                FieldError(
                    "attributes", "missing_mandatory", f"{name} ({attribute.attribute_id}) is mandatory"
                )
            )
    brands = {b.brand_id for b in details.brands}
    if body.brand_id is not None and body.brand_id not in brands:
        errors.append(FieldError("brand_id", "invalid", "not a brand of this category"))
    if body.brand_id is None and details.category.brand_required:
        errors.append(FieldError("brand_id", "required", "this category needs a brand"))
    return errors


async def _product(session: AsyncSession, product_id: uuid.UUID) -> Product:
    product = await session.get(Product, product_id)
    if product is None:
        raise NotFound("product not found")
    return product


def snapshot(row: ProductPlatformMapping) -> dict[str, Any]:
    return {
        "platform": row.platform,
        "market": row.market,
        "category_id": row.category_id,
        "brand_id": row.brand_id,
        "attributes": row.attributes,
    }


async def _upsert(
    session: AsyncSession, ctx: OrgContext, product_id: uuid.UUID, platform: str, body: MappingIn
) -> ProductPlatformMapping:
    row = await session.scalar(
        select(ProductPlatformMapping).where(
            ProductPlatformMapping.product_id == product_id,
            ProductPlatformMapping.platform == platform,
            ProductPlatformMapping.market == body.market.value,
        )
    )
    before = snapshot(row) if row is not None else None
    if row is None:
        row = ProductPlatformMapping(
            org_id=ctx.org_id, product_id=product_id, platform=platform, market=body.market.value
        )
        session.add(row)
    row.category_id, row.brand_id = body.category_id, body.brand_id
    row.attributes = [a.model_dump() for a in body.attributes]
    await session.flush()
    await audit.record(
        session,
        ctx,
        "product.platform_mapping_set",
        "product",
        product_id,
        before=before,
        after=snapshot(row),
    )
    return row


async def set_mapping(
    session: AsyncSession, ctx: OrgContext, product_id: uuid.UUID, platform: str, body: MappingIn
) -> ProductPlatformMapping:
    await _product(session, product_id)
    details = await category_details(session, ctx, platform, body.market.value, body.category_id)
    errors = validate(details, body)
    if errors:
        raise ValidationFailed("the values do not fit the platform's category", errors=errors)
    return await _upsert(session, ctx, product_id, platform, body)


async def get_mappings(session: AsyncSession, product_id: uuid.UUID) -> list[ProductPlatformMapping]:
    await _product(session, product_id)
    rows = await session.scalars(
        select(ProductPlatformMapping)
        .where(ProductPlatformMapping.product_id == product_id)
        .order_by(ProductPlatformMapping.platform, ProductPlatformMapping.market)
    )
    return list(rows.all())


async def copy_mapping(
    session: AsyncSession,
    ctx: OrgContext,
    source_id: uuid.UUID,
    platform: str,
    market: str,
    targets: Sequence[uuid.UUID],
) -> list[ProductPlatformMapping]:
    """Give every target product the source's mapping for that platform and market (all or none)."""
    source = await session.scalar(
        select(ProductPlatformMapping).where(
            ProductPlatformMapping.product_id == source_id,
            ProductPlatformMapping.platform == platform,
            ProductPlatformMapping.market == market,
        )
    )
    if source is None:
        raise NotFound("the source product has no mapping for this platform and market")
    wanted = list(dict.fromkeys(t for t in targets if t != source_id))
    found = set((await session.scalars(select(Product.id).where(Product.id.in_(wanted)))).all())
    missing = [n for n, t in enumerate(wanted) if t not in found]
    if missing:
        raise ValidationFailed(
            "some products were not found",
            errors=[FieldError(f"product_ids[{n}]", "not_found", "product not found") for n in missing],
        )
    body = MappingIn.model_validate(
        {
            "market": market,
            "category_id": source.category_id,
            "brand_id": source.brand_id,
            "attributes": source.attributes,
        }
    )
    return [await _upsert(session, ctx, target, platform, body) for target in wanted]
