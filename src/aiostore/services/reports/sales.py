"""Sales: orders, units, revenue and average order value by day, week or month, each order on its day in its
market's time zone, by shop, platform, market, product or SKU; cancellations and returns with their rate.

Amounts are kept per currency and never added across currencies. Revenue is what the lines of orders neither
cancelled nor returned sold for (quantity x unit price), so it adds up the same by shop or by product.
When the organisation has a reporting currency, the totals are also given in it, at the organisation's own
rate in force on each order's day, and say which rates they used (rates.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.models import ChannelAccount, Product, Variant
from aiostore.services.context import OrgContext
from aiostore.services.reports import items, ranking, rates
from aiostore.services.reports.filters import LOCAL_DAY_SQL, ReportFilter, product_where, rows


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"  # ISO weeks, from Monday
    MONTH = "month"


class GroupBy(StrEnum):
    NONE = "none"
    SHOP = "shop"
    PLATFORM = "platform"
    MARKET = "market"
    PRODUCT = "product"
    SKU = "sku"


def half_even(n: int, k: int) -> int:
    """n / k rounded to a whole number, halves to the even one, exactly (as round() does on a float
    quotient, without a float's error): the CSV export computes the same in SQL (sales_csv.py)."""
    if k < 0:
        n, k = -n, -k
    q, r = divmod(n, k)
    return q + 1 if 2 * r > k or (2 * r == k and q % 2) else q


@dataclass(slots=True)
class Figures:
    placed: int = 0
    cancelled: int = 0
    returned: int = 0
    units: int = 0
    revenue: int = 0  # minor units of the row's currency

    @property
    def orders(self) -> int:
        """Orders placed and not cancelled (returned ones included)."""
        return self.placed - self.cancelled

    @property
    def kept(self) -> int:
        return self.orders - self.returned

    @property
    def average_order_value(self) -> int | None:
        return half_even(self.revenue, self.kept) if self.kept else None

    @property
    def cancel_rate(self) -> float | None:
        return half_even(self.cancelled * 10_000, self.placed) / 10_000 if self.placed else None

    @property
    def return_rate(self) -> float | None:
        return half_even(self.returned * 10_000, self.orders) / 10_000 if self.orders else None

    def add(self, other: Figures) -> None:
        self.placed += other.placed
        self.cancelled += other.cancelled
        self.returned += other.returned
        self.units += other.units
        self.revenue += other.revenue


@dataclass(frozen=True, slots=True)
class SalesRow:
    bucket: date  # first day of the day, week or month
    key: str | None  # shop or product id, platform, market, SKU; None: lines of no catalog variant
    label: str
    currency: str
    figures: Figures
    rank: int | None = None  # grouped by product or SKU: the item's place in the ranking (from 1)


@dataclass(slots=True)
class SalesReport:
    period: Period
    group: GroupBy
    rows: list[SalesRow]
    totals: dict[str, Figures]  # per currency
    previous: dict[str, Figures] | None = None  # the period before, when asked
    converted: rates.Converted | None = None  # the totals in the reporting currency
    by_day: dict[tuple[date, str], int] = field(default_factory=dict)  # revenue per (day, currency)
    # Grouped by product or SKU: the rows are the page of items (in rank order), `others` sums every item
    # outside it per bucket and currency, `items` counts the items ranked.
    others: list[SalesRow] = field(default_factory=list)
    items: int | None = None
    sort: ranking.ItemSort | None = None
    limit: int | None = None
    offset: int = 0


_KEEP = "p.status NOT IN ('cancelled', 'returned')"
_AGG = f"""count(*) AS placed,
    count(*) FILTER (WHERE p.status = 'cancelled') AS cancelled,
    count(*) FILTER (WHERE p.status = 'returned') AS returned,
    coalesce(sum(p.units) FILTER (WHERE {_KEEP}), 0) AS units,
    coalesce(sum(p.amount) FILTER (WHERE {_KEEP}), 0) AS revenue"""
# The same figures from the daily roll-up (sales_daily: one row per market day, shop, currency, status).
_ROLLUP_AGG = f"""coalesce(sum(p.orders), 0) AS placed,
    coalesce(sum(p.orders) FILTER (WHERE p.status = 'cancelled'), 0) AS cancelled,
    coalesce(sum(p.orders) FILTER (WHERE p.status = 'returned'), 0) AS returned,
    coalesce(sum(p.units) FILTER (WHERE {_KEEP}), 0)::bigint AS units,
    coalesce(sum(p.amount) FILTER (WHERE {_KEEP}), 0)::bigint AS revenue"""

# Grouping by product or SKU: an item per line, as the per-item roll-up keys it (items.py): by SKU, each
# catalog variant (shown by its SKU now) and each SKU of lines that match no variant.
_LINE_ITEMS = {
    GroupBy.PRODUCT: ("'p'", "coalesce(v.product_id::text, '')"),
    GroupBy.SKU: (
        "CASE WHEN l.variant_id IS NULL THEN 's' ELSE 'v' END",
        "coalesce(l.variant_id::text, l.sku, '')",
    ),
}
_ITEM_DIMS = {GroupBy.PRODUCT: ("p",), GroupBy.SKU: ("v", "s")}
_ORDER_KEYS = {
    GroupBy.NONE: "NULL::text",
    GroupBy.SHOP: "p.channel_account_id::text",
    GroupBy.PLATFORM: "(SELECT c.platform FROM channel_accounts c WHERE c.id = p.channel_account_id)",
    GroupBy.MARKET: "p.market",
}


def _per_order(f: ReportFilter, params: dict[str, Any], item: tuple[str, str] | None) -> str:
    """One row per order (and per item of its lines when grouped by one): its units and the amount of its
    lines. Grouped by item, only orders with lines count."""
    key = f", {item[0]} AS dim, {item[1]} AS key" if item else ""
    group = ", dim, key" if item else ""
    join = "JOIN" if item else "LEFT JOIN"
    return f"""SELECT o.id, o.status, o.currency, o.market, o.channel_account_id, {LOCAL_DAY_SQL} AS day{key},
        coalesce(sum(l.quantity), 0) AS units, coalesce(sum(l.quantity::bigint * l.unit_price), 0) AS amount
    FROM orders o {join} order_lines l ON l.order_id = o.id LEFT JOIN variants v ON v.id = l.variant_id
    WHERE {f.order_where(params)} AND {product_where(f, params)}
    GROUP BY o.id{group}"""


def _rollup(f: ReportFilter, params: dict[str, Any]) -> str:
    """The roll-up's rows in the filter, as `p` with the columns of `_per_order` that it has."""
    params.update(start=f.start, end=f.end)
    where = ["s.org_id = :org", "s.day BETWEEN :start AND :end", "s.orders <> 0"]  # 0: all moved away
    where += f.place_where(params, "s")
    return f"SELECT s.* FROM sales_daily s WHERE {' AND '.join(where)}"


def _source(
    f: ReportFilter, params: dict[str, Any], group: GroupBy, raw: bool, monthly: bool = False
) -> tuple[str, str]:
    """The rows to aggregate and how. Grouped by product or SKU: the per-item roll-ups; filtered by one
    product: that product's item rows (the orders containing it); by several: the raw rows, as an order
    with two of them counts once; otherwise the daily roll-up. `raw` recomputes from orders and lines."""
    item = _LINE_ITEMS.get(group)
    if raw or (item is None and len(f.products) > 1):
        return _per_order(f, params, item), _AGG
    if item is None and not f.products:
        return _rollup(f, params), _ROLLUP_AGG
    if f.products:
        params["products"] = list(f.products)
        params["product_keys"] = [str(p) for p in f.products]
    keys = "TRUE"
    if f.products:
        keys = (
            "s.key = ANY(:product_keys)"
            if group is not GroupBy.SKU
            else f"s.dim = 'v' AND {items.VARIANTS_OF}"
        )
    dims = _ITEM_DIMS.get(group, ("p",))
    return items.source(f, params, dims=dims, keys=keys, monthly=monthly), items.AGG


def _figures(r: Any) -> Figures:
    return Figures(int(r.placed), int(r.cancelled), int(r.returned), int(r.units), int(r.revenue))


async def _day_totals(
    session: AsyncSession, ctx: OrgContext, f: ReportFilter, raw: bool
) -> tuple[dict[str, Figures], dict[tuple[date, str], int]]:
    params: dict[str, Any] = {"org": ctx.org_id}
    source, agg = _source(f, params, GroupBy.NONE, raw)
    sql = f"""SELECT p.day, p.currency, {agg} FROM ({source}) p GROUP BY p.day, p.currency"""
    totals: dict[str, Figures] = {}
    by_day: dict[tuple[date, str], int] = {}
    for r in await rows(session, sql, params):
        totals.setdefault(r.currency, Figures()).add(_figures(r))
        by_day[(r.day, r.currency)] = int(r.revenue)
    return totals, by_day


@dataclass(frozen=True, slots=True)
class RowsQuery:
    """The statement of a sales report's rows (bucket, dim, key, pos, currency and the figures; `items`
    too when grouped by product or SKU) and its parameters. Grouped by item (`ranked`), the rows of no
    rank are the others; `reporting` is the currency revenue ranks in."""

    sql: str
    params: dict[str, Any]
    ranked: bool
    reporting: str | None = None


async def rows_query(
    session: AsyncSession,
    ctx: OrgContext,
    f: ReportFilter,
    *,
    period: Period,
    group: GroupBy,
    raw: bool = False,
    sort: ranking.ItemSort = ranking.ItemSort.UNITS,
    limit: int | None = ranking.DEFAULT_LIMIT,
    offset: int = 0,
) -> RowsQuery:
    """The report's rows as one statement: the JSON report and the CSV export (sales_csv.py) read the same
    rows. Grouped by product or SKU the statement ranks (run ranking.WORK_MEM_SQL first in its
    transaction)."""
    params: dict[str, Any] = {"org": ctx.org_id, "period": period.value}
    if group not in _LINE_ITEMS:
        source, agg = _source(f, params, group, raw, monthly=period is Period.MONTH)
        # a month less its outside days adding up to no order: no sale in the range (items.source)
        sql = f"""SELECT * FROM (SELECT date_trunc(:period, p.day)::date AS bucket, NULL::text AS dim,
            {_ORDER_KEYS[group]} AS key, NULL::bigint AS pos, p.currency, {agg}
        FROM ({source}) p GROUP BY 1, 2, 3, 4, 5) a WHERE a.placed <> 0"""
        return RowsQuery(sql, params, ranked=False)
    reporting = await rates.reporting_currency(session, ctx) if sort is ranking.ItemSort.REVENUE else None
    # by day or week, every item is ranked over the range (by month) and only the page's series are
    # read by day; the others are the day totals less the page (ranking.series_sql)
    finer = period is not Period.MONTH and not raw and not f.products
    # revenue converted at each day's rate: read by day, as a month's rows may span two rates
    monthly = (period is Period.MONTH or finer) and reporting is None
    source, agg = _source(f, params, group, raw, monthly=monthly)
    rank_by = ranking.score(sort, reporting, params)
    by_day = reporting is not None
    if finer:
        params.update(start=f.start, end=f.end)
        place = f.place_where(params, "s")
        sql = ranking.series_sql(
            source,
            agg,
            rank_by,
            params,
            limit,
            offset,
            by_day=by_day,
            place=place,
            week=period is Period.WEEK,
        )
    else:
        # the monthly reading's days are months already (not the raw rows': each order's own day)
        bucketed = monthly and period is Period.MONTH and not raw
        sql = ranking.ranked_sql(
            source, agg, rank_by, params, limit, offset, by_day=by_day, bucketed=bucketed
        )
    return RowsQuery(sql, params, ranked=True, reporting=reporting)


async def sales_report(
    session: AsyncSession,
    ctx: OrgContext,
    f: ReportFilter,
    *,
    period: Period = Period.DAY,
    group: GroupBy = GroupBy.NONE,
    compare: bool = False,
    raw: bool = False,
    sort: ranking.ItemSort = ranking.ItemSort.UNITS,
    limit: int | None = ranking.DEFAULT_LIMIT,
    offset: int = 0,
) -> SalesReport:
    """`raw` recomputes from orders and lines instead of reading the roll-up (tests compare the two).
    Grouped by product or SKU: the `limit` items from `offset` by `sort` (None: every item) and the
    others summed (ranking.py)."""
    report = SalesReport(period, group, [], {})
    q = await rows_query(
        session, ctx, f, period=period, group=group, raw=raw, sort=sort, limit=limit, offset=offset
    )
    if q.ranked:
        await session.execute(text(ranking.WORK_MEM_SQL))
        found = await rows(session, q.sql, q.params)
        ranking.check_one_currency(sort, q.reporting, len({r.currency for r in found}))
        report.rows = await _labelled(session, group, [r for r in found if r.pos is not None])
        report.others = [
            SalesRow(r.bucket, None, "", r.currency, _figures(r)) for r in found if r.pos is None
        ]
        report.others.sort(key=lambda x: (x.bucket, x.currency))
        report.items = int(found[0].items) if found else 0
        report.sort, report.limit, report.offset = sort, limit, offset
    else:
        report.rows = await _labelled(session, group, await rows(session, q.sql, q.params))
    report.totals, report.by_day = await _day_totals(session, ctx, f, raw)
    if compare:
        report.previous, _ = await _day_totals(session, ctx, f.previous(), raw)
    report.converted = await rates.convert(session, ctx, report.by_day)
    return report


async def _labelled(session: AsyncSession, group: GroupBy, found: list[Any]) -> list[SalesRow]:
    """The rows with their keys and labels (a shop's name and market, a product's title, a variant's SKU
    now), in order of rank (grouped by item), bucket, currency and key (rows of no key last)."""
    keys = {r.key for r in found if r.key}
    labels: dict[str, str] = {}
    if group is GroupBy.SHOP and keys:
        shops = await session.execute(
            select(ChannelAccount.id, ChannelAccount.shop_name, ChannelAccount.market)
        )
        labels = {str(i): f"{name or '?'} ({market})" for i, name, market in shops.all() if str(i) in keys}
    elif group is GroupBy.PRODUCT and keys:
        ids = [uuid.UUID(k) for k in keys]
        products = await session.execute(select(Product.id, Product.title).where(Product.id.in_(ids)))
        labels = {str(i): title for i, title in products.all()}
    skus: dict[str, str] = {}
    if group is GroupBy.SKU:
        ids = [uuid.UUID(k) for k in {r.key for r in found if r.dim == "v"}]
        variants = await session.execute(select(Variant.id, Variant.sku).where(Variant.id.in_(ids)))
        skus = {str(i): sku for i, sku in variants.all()}
    out = []
    for r in found:
        key = skus.get(r.key, r.key) if r.dim == "v" else (r.key or None)
        label = labels.get(key, key or "") if key is not None else ""
        rank = int(r.pos) if r.pos is not None else None
        out.append((r.dim or "", SalesRow(r.bucket, key, label, r.currency, _figures(r), rank)))
    out.sort(
        key=lambda x: (x[1].rank or 0, x[1].bucket, x[1].currency, x[1].key is None, x[1].key or "", x[0])
    )
    return [row for _, row in out]
