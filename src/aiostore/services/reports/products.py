"""Products: best and worst sellers, sell-through, days of cover, stock-outs with their lost days, and slow
movers that still have stock.

Sales follow the report's filters (each order on its day in its market, cancelled and returned orders left
out); stock is the one pool every shop sells from, so it is not split by shop. Available = on hand -
reserved. Days of cover = available / (units sold over the cover window ending on the range's last day /
the window's days): how long today's stock lasts at that pace (none without sales). Sell-through = units
sold in the range / (those units + available now). A stock-out starts when a ledger movement leaves nothing
available; its lost days run until the next movement (to the range's end at the latest), in UTC.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.services.context import OrgContext
from aiostore.services.reports import items
from aiostore.services.reports.filters import LOCAL_DAY_SQL, ReportFilter, product_where, rows

KEPT = "o.status NOT IN ('cancelled', 'returned')"


@dataclass(frozen=True, slots=True)
class ProductRow:
    variant_id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    title: str
    available: int
    units: int  # sold in the range
    window_units: int  # sold in the cover window
    window_days: int
    stockouts: int
    lost_days: float

    @property
    def daily_units(self) -> float:
        return self.window_units / self.window_days

    @property
    def days_of_cover(self) -> float | None:
        if self.window_units == 0:
            return None
        return round(max(self.available, 0) / self.daily_units, 1)

    @property
    def sell_through(self) -> float | None:
        stock = self.units + max(self.available, 0)
        return round(self.units / stock, 4) if stock else None


@dataclass(frozen=True, slots=True)
class ProductsReport:
    items: list[ProductRow]  # every variant, the soonest to run out first
    best: list[ProductRow]
    worst: list[ProductRow]
    slow_movers: list[ProductRow]
    stockouts: list[ProductRow]
    window_days: int
    slow_days: int


def _raw_sold_sql(f: ReportFilter, window_start: Any, params: dict[str, Any]) -> str:
    scan = replace(f, start=min(f.start, window_start))
    params.update(range_start=f.start, window_start=window_start)
    return f"""SELECT l.variant_id,
        coalesce(sum(l.quantity) FILTER (WHERE {LOCAL_DAY_SQL} >= :range_start), 0) AS units,
        coalesce(sum(l.quantity) FILTER (WHERE {LOCAL_DAY_SQL} >= :window_start), 0) AS window_units
    FROM orders o JOIN order_lines l ON l.order_id = o.id
    WHERE {scan.order_where(params)} AND {KEPT} AND l.variant_id IS NOT NULL
        AND {product_where(f, params)}
    GROUP BY l.variant_id"""


def _sold_sql(f: ReportFilter, window_start: date, params: dict[str, Any]) -> str:
    """The same from the per-variant roll-ups: the range's whole months from the monthly one."""
    in_range = items.source(f, params, dims=("v",), monthly=True, name="r")
    in_window = items.source(f, params, dims=("v",), monthly=True, start=window_start, name="w")
    return f"""SELECT x.key::uuid AS variant_id, sum(x.units) FILTER (WHERE x.part = 'r') AS units,
        sum(x.units) FILTER (WHERE x.part = 'w') AS window_units
    FROM (SELECT 'r' AS part, r.key, r.units FROM ({in_range}) r
          UNION ALL SELECT 'w', w.key, w.units FROM ({in_window}) w) x
    GROUP BY x.key"""


_OUTS = """SELECT g.variant_id, g.created_at AS t,
        (SELECT n.created_at FROM inventory_ledger n
          WHERE n.org_id = :org AND n.variant_id = g.variant_id
            AND (n.created_at, n.id) > (g.created_at, g.id)
          ORDER BY n.created_at, n.id LIMIT 1) AS t_next,
        (SELECT p.on_hand_after - p.reserved_after <= 0 FROM inventory_ledger p
          WHERE p.org_id = :org AND p.variant_id = g.variant_id
            AND (p.created_at, p.id) < (g.created_at, g.id)
          ORDER BY p.created_at DESC, p.id DESC LIMIT 1) AS was_out
    FROM inventory_ledger g
    WHERE g.org_id = :org AND g.on_hand_after - g.reserved_after <= 0 AND g.created_at < :t_end"""

RAW_STOCKOUTS_SQL = f"""SELECT x.variant_id,
    count(*) FILTER (WHERE x.t >= :t_start AND NOT coalesce(x.was_out, false)) AS stockouts,
    coalesce(sum(extract(epoch FROM least(coalesce(x.t_next, :t_end), :t_end) - greatest(x.t, :t_start)))
        FILTER (WHERE coalesce(x.t_next, :t_end) > :t_start), 0) / 86400.0 AS lost_days
    FROM ({_OUTS}) x GROUP BY x.variant_id"""
# The same from the stock-out periods the ledger's trigger keeps (migration 0018)
STOCKOUTS_SQL = """SELECT s.variant_id, count(*) FILTER (WHERE s.started_at >= :t_start) AS stockouts,
    coalesce(sum(extract(epoch FROM least(coalesce(s.ended_at, :t_end), :t_end)
                                    - greatest(s.started_at, :t_start))), 0) / 86400.0 AS lost_days
    FROM stock_outs s
    WHERE s.org_id = :org AND s.started_at < :t_end AND (s.ended_at IS NULL OR s.ended_at > :t_start)
    GROUP BY s.variant_id"""


async def products_report(
    session: AsyncSession,
    ctx: OrgContext,
    f: ReportFilter,
    *,
    window_days: int = 30,
    slow_days: int = 90,
    limit: int = 10,
    raw: bool = False,
) -> ProductsReport:
    """`raw` recomputes sales from orders and lines and stock-outs from the ledger instead of reading the
    roll-ups (tests compare the two)."""
    params: dict[str, Any] = {"org": ctx.org_id}
    window_start = f.end - timedelta(days=window_days - 1)
    products = "TRUE"
    if f.products:
        params["products"] = list(f.products)
        products = "v.product_id = ANY(:products)"
    sold = (_raw_sold_sql if raw else _sold_sql)(f, window_start, params)
    sql = f"""WITH sold AS ({sold})
    SELECT v.id, v.product_id, v.sku, p.title, coalesce(i.on_hand - i.reserved, 0) AS available,
        coalesce(s.units, 0) AS units, coalesce(s.window_units, 0) AS window_units
    FROM variants v JOIN products p ON p.id = v.product_id
        LEFT JOIN inventory i ON i.variant_id = v.id LEFT JOIN sold s ON s.variant_id = v.id
    WHERE v.org_id = :org AND {products}"""
    found = await rows(session, sql, params)
    outs_params = {
        "org": ctx.org_id,
        "t_start": datetime.combine(f.start, time(), UTC),
        "t_end": datetime.combine(f.end + timedelta(days=1), time(), UTC),
    }
    outs_sql = RAW_STOCKOUTS_SQL if raw else STOCKOUTS_SQL
    outs = {r.variant_id: r for r in await rows(session, outs_sql, outs_params)}
    items = [
        ProductRow(
            r.id,
            r.product_id,
            r.sku,
            r.title,
            int(r.available),
            int(r.units),
            int(r.window_units),
            window_days,
            int(outs[r.id].stockouts) if r.id in outs else 0,
            round(float(outs[r.id].lost_days), 2) if r.id in outs else 0.0,
        )
        for r in found
    ]
    items.sort(key=lambda i: (i.days_of_cover is None, i.days_of_cover or 0.0, i.sku))
    by_units = sorted(items, key=lambda i: (-i.units, i.sku))
    slow = [i for i in items if i.available > 0 and (i.days_of_cover is None or i.days_of_cover > slow_days)]
    slow.sort(key=lambda i: (-i.available, i.sku))
    return ProductsReport(
        items=items,
        best=[i for i in by_units if i.units > 0][:limit],
        worst=sorted(items, key=lambda i: (i.units, i.sku))[:limit],
        slow_movers=slow[:limit],
        stockouts=sorted(
            (i for i in items if i.stockouts or i.lost_days), key=lambda i: (-i.lost_days, i.sku)
        )[:limit],
        window_days=window_days,
        slow_days=slow_days,
    )
