"""Reading the per-item sales roll-ups (sales_items_daily and sales_items_monthly, migration 0018): a range
of market days is read as the whole months it covers from the monthly roll-up, when the caller buckets by
month or not at all, and the days left over at either end from the daily one.

An item is `dim` 'v' (a catalog variant, its id in `key`), 's' (the SKU of lines that match no variant) or
'p' (a product, '' for lines of none); a row counts the orders containing the item (placed, cancelled,
returned) and the units and amount of the kept ones. An order is on one day, so the rows of different days
or months add up exactly.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from aiostore.services.reports.filters import ReportFilter

COLUMNS = (
    "s.channel_account_id, s.market, s.currency, s.dim, s.key, s.placed, s.cancelled, s.returned, s.units"
)
COLUMNS += ", s.amount"
# The figures of roll-up rows, named as the raw per-order figures are (sales.py)
AGG = """coalesce(sum(p.placed), 0) AS placed, coalesce(sum(p.cancelled), 0) AS cancelled,
    coalesce(sum(p.returned), 0) AS returned, coalesce(sum(p.units), 0)::bigint AS units,
    coalesce(sum(p.amount), 0)::bigint AS revenue"""
# A product filter on variant rows: the variants of the chosen products
VARIANTS_OF = "s.key IN (SELECT id::text FROM variants WHERE org_id = :org AND product_id = ANY(:products))"


def _first_of_next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def whole_months(start: date, end: date) -> tuple[date, date] | None:
    """The first day of the first whole month in [start, end] and the first day after the last one."""
    first = start if start.day == 1 else _first_of_next_month(start)
    after = end + timedelta(days=1)
    stop = after.replace(day=1)
    return (first, stop) if first < stop else None


def source(
    f: ReportFilter,
    params: dict[str, Any],
    *,
    dims: tuple[str, ...],
    keys: str = "TRUE",
    monthly: bool = False,
    start: date | None = None,
    name: str = "r",
) -> str:
    """Roll-up rows (day, then COLUMNS) of the filter's shops and markets, the given item kinds and `keys`
    (a condition on `s`), over [start or f.start, f.end]; with `monthly`, whole months come from the
    monthly roll-up as rows on their first day. `name` keeps the parameters of two sources apart."""
    lo = f.start if start is None else start
    params[f"{name}_dims"] = list(dims)
    where = ["s.org_id = :org", f"s.dim = ANY(:{name}_dims)", "s.placed <> 0", keys]
    cond = " AND ".join(where + f.place_where(params, "s"))
    months = whole_months(lo, f.end) if monthly else None
    days = [(lo, f.end)] if months is None else [(lo, months[0] - timedelta(days=1)), (months[1], f.end)]
    parts = []
    if months is not None:
        params.update({f"{name}_m0": months[0], f"{name}_m1": months[1]})
        parts.append(
            f"SELECT s.month AS day, {COLUMNS} FROM sales_items_monthly s WHERE {cond}"
            f" AND s.month >= :{name}_m0 AND s.month < :{name}_m1"
        )
    for i, (a, b) in enumerate(days):
        if a > b:
            continue
        params.update({f"{name}_d{i}a": a, f"{name}_d{i}b": b})
        parts.append(
            f"SELECT s.day, {COLUMNS} FROM sales_items_daily s WHERE {cond}"
            f" AND s.day BETWEEN :{name}_d{i}a AND :{name}_d{i}b"
        )
    return " UNION ALL ".join(parts) or f"SELECT s.day, {COLUMNS} FROM sales_items_daily s WHERE FALSE"
