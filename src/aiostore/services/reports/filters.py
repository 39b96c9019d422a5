"""What every report is filtered by: a range of calendar days (each order's day in its market's time zone),
shops, markets and products, and the previous period of the same length to compare with."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import ChannelAccount, Product
from aiostore.domain.market import MARKETS
from aiostore.errors import invalid
from aiostore.services.context import OrgContext

MAX_DAYS = 800  # a report covers at most this many days (two years and a little)

# The order's market time zone, as SQL over the orders table aliased `o`.
ZONE_SQL = "CASE o.market " + " ".join(f"WHEN '{c.value}' THEN '{m.time_zone}'" for c, m in MARKETS.items())
ZONE_SQL += " ELSE 'UTC' END"
LOCAL_DAY_SQL = f"(o.placed_at AT TIME ZONE ({ZONE_SQL}))::date"


@dataclass(frozen=True, slots=True)
class ReportFilter:
    start: date  # first day, inclusive
    end: date  # last day, inclusive
    shops: tuple[uuid.UUID, ...] = ()
    markets: tuple[str, ...] = ()
    products: tuple[uuid.UUID, ...] = ()

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> ReportFilter:
        """The period of the same length just before this one."""
        return replace(self, start=self.start - timedelta(days=self.days), end=self.start - timedelta(days=1))

    def order_where(self, params: dict[str, Any]) -> str:
        """SQL conditions on `o` (orders) and, when products are chosen, `v` (the line's variant)."""
        params.update(
            start=self.start,
            end=self.end,
            # every market is within UTC-0 and UTC+8 of its calendar: a margin of two days on either side
            lo=self.start - timedelta(days=1),
            hi=self.end + timedelta(days=2),
        )
        where = [
            "o.org_id = :org",
            "o.placed_at >= :lo",
            "o.placed_at < :hi",
            f"{LOCAL_DAY_SQL} BETWEEN :start AND :end",
        ]
        return " AND ".join(where + self.place_where(params, "o"))

    def place_where(self, params: dict[str, Any], alias: str) -> list[str]:
        """Conditions on the chosen shops and markets of rows `alias` (orders or a sales roll-up)."""
        where = []
        if self.shops:
            params["shops"] = list(self.shops)
            where.append(f"{alias}.channel_account_id = ANY(:shops)")
        if self.markets:
            params["markets"] = list(self.markets)
            where.append(f"{alias}.market = ANY(:markets)")
        return where


def product_where(f: ReportFilter, params: dict[str, Any], variant_col: str = "l.variant_id") -> str:
    """A condition keeping lines of the chosen products (true when none is chosen)."""
    if not f.products:
        return "TRUE"
    params["products"] = list(f.products)
    return f"{variant_col} IN (SELECT id FROM variants WHERE org_id = :org AND product_id = ANY(:products))"


async def check_filter(session: AsyncSession, ctx: OrgContext, f: ReportFilter) -> ReportFilter:
    """422 naming the field for a range the wrong way round or too long, or a shop or product that is
    not this organisation's (another organisation's id is unknown here, never its data)."""
    if f.end < f.start:
        raise invalid("to", "the end of the range is before its start", "range_reversed")
    if f.days > MAX_DAYS:
        raise invalid("to", f"a report covers at most {MAX_DAYS} days", "range_too_long")
    if f.shops:
        found = set(
            (await session.scalars(select(ChannelAccount.id).where(ChannelAccount.id.in_(f.shops)))).all()
        )
        missing = [s for s in f.shops if s not in found]
        if missing:
            raise invalid("shop", f"unknown shop {missing[0]}", "unknown_shop")
    if f.products:
        found = set((await session.scalars(select(Product.id).where(Product.id.in_(f.products)))).all())
        missing = [p for p in f.products if p not in found]
        if missing:
            raise invalid("product", f"unknown product {missing[0]}", "unknown_product")
    return f


async def rows(session: AsyncSession, sql: str, params: dict[str, Any]) -> list[Any]:
    return list((await session.execute(text(sql), params)).all())
