"""The reference-data cache (tables `platform_categories`, `platform_attributes`, `platform_brands`).

Rows are per platform and market and hold only what the platform publishes; which shop or organization
fetched them is never stored. A tree is replaced whole; a category's attributes or brands are replaced
together with the category's expiry for that kind. Readers take what is cached: nothing here calls a
platform.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors.dtos import AttributeDTO, BrandList, CategoryDTO
from aiostore.db.models import PlatformAttribute, PlatformBrand, PlatformCategory
from aiostore.domain.rules.category import CategoryLimits


@dataclass(frozen=True, slots=True)
class Due:
    """What a refresh of one platform and market has to fetch."""

    tree: bool
    details: tuple[str, ...]  # leaf category ids whose attributes or brands are to be read
    empty: bool = False  # nothing cached yet: read on first demand, then kept fresh by the schedule


Cached = type[PlatformCategory] | type[PlatformAttribute] | type[PlatformBrand]


async def _clear(
    session: AsyncSession, table: Cached, platform: str, market: str, ids: Sequence[str]
) -> None:
    """Delete a platform and market's rows of these categories from one table."""
    await session.execute(
        delete(table).where(
            table.platform == platform, table.market == market, table.category_id.in_(list(ids))
        )
    )


async def store_tree(
    session: AsyncSession,
    platform: str,
    market: str,
    categories: Sequence[CategoryDTO],
    now: datetime,
    ttl: timedelta,
) -> None:
    """Replace the tree; details of categories that remain are kept (their own expiry says when)."""
    kept = {
        row.category_id: row
        for row in await session.scalars(
            select(PlatformCategory).where(
                PlatformCategory.platform == platform, PlatformCategory.market == market
            )
        )
    }
    wanted = {c.category_id for c in categories}
    gone = [cid for cid in kept if cid not in wanted]
    if gone:
        for table in (PlatformAttribute, PlatformBrand, PlatformCategory):
            await _clear(session, table, platform, market, gone)
    for c in categories:
        row = kept.get(c.category_id)
        if row is None:
            row = PlatformCategory(platform=platform, market=market, category_id=c.category_id)
            session.add(row)
        row.parent_id, row.leaf = c.parent_id, c.leaf
        row.name_en, row.name_id = c.names.get("en", ""), c.names.get("id", "")
        row.fetched_at, row.expires_at = now, now + ttl
    await session.flush()


async def store_details(
    session: AsyncSession,
    platform: str,
    market: str,
    category_id: str,
    attributes: Sequence[AttributeDTO] | None,
    brands: BrandList | None,
    now: datetime,
    ttls: tuple[timedelta, timedelta],
    limits: CategoryLimits | None = None,
) -> None:
    """Replace a category's attributes and/or brands (None: that kind was not fetched); with the
    attributes, the limits the platform serves for it (None: it serves none)."""
    row = await session.get(PlatformCategory, (platform, market, category_id))
    if row is None:
        return  # the tree dropped it meanwhile
    if attributes is not None:
        row.limits = None if limits is None else limits.model_dump(mode="json", exclude_none=True)
        await _clear(session, PlatformAttribute, platform, market, [category_id])
        session.add_all(
            PlatformAttribute(
                platform=platform,
                market=market,
                category_id=category_id,
                attribute_id=a.attribute_id,
                position=n,
                key=a.key,
                name_en=a.names.get("en", ""),
                name_id=a.names.get("id", ""),
                mandatory=a.mandatory,
                input_type=a.input_type.value,
                options=[{"value_id": o.value_id, "names": dict(o.names)} for o in a.options],
                units=list(a.units),
                fetched_at=now,
            )
            for n, a in enumerate(attributes)
        )
        row.attributes_expire_at = now + ttls[0]
    if brands is not None:
        await _clear(session, PlatformBrand, platform, market, [category_id])
        session.add_all(
            PlatformBrand(
                platform=platform,
                market=market,
                category_id=category_id,
                brand_id=b.brand_id,
                name=b.name,
                fetched_at=now,
            )
            for b in {b.brand_id: b for b in brands.brands}.values()
        )
        row.brand_required, row.brands_expire_at = brands.required, now + ttls[1]
    await session.flush()


async def due(
    session: AsyncSession, platform: str, market: str, now: datetime, wanted: Sequence[str] = ()
) -> Due:
    """The tree when it expired (or was never read); the details of the leaves read before whose
    attributes or brands expired, and of the `wanted` leaves never read yet. Leaves nobody asked about
    are not read: a platform has thousands."""
    base = (PlatformCategory.platform == platform, PlatformCategory.market == market)
    oldest = await session.scalar(select(func.min(PlatformCategory.expires_at)).where(*base))
    stale = select(PlatformCategory.category_id).where(
        *base,
        PlatformCategory.leaf.is_(True),
        or_(
            PlatformCategory.attributes_expire_at <= now,
            PlatformCategory.brands_expire_at <= now,
            and_(
                PlatformCategory.category_id.in_(list(wanted)),
                PlatformCategory.attributes_expire_at.is_(None),
            ),
        ),
    )
    details = tuple((await session.scalars(stale.order_by(PlatformCategory.category_id))).all())
    return Due(tree=oldest is None or oldest <= now, details=details, empty=oldest is None)


async def invalidate(session: AsyncSession, platform: str, market: str | None, now: datetime) -> int:
    """Expire a platform's cached reference data (one market, or all with None); the next refresh
    reads it again. Returns the categories expired."""
    stmt = update(PlatformCategory).where(PlatformCategory.platform == platform)
    if market is not None:
        stmt = stmt.where(PlatformCategory.market == market)
    result = await session.execute(
        stmt.values(
            expires_at=now,
            # details never read stay unread (NULL): a refresh reads again only what was read before
            attributes_expire_at=case((PlatformCategory.attributes_expire_at.is_(None), None), else_=now),
            brands_expire_at=case((PlatformCategory.brands_expire_at.is_(None), None), else_=now),
        ).execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
