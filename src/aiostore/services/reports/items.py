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
SUMS = ("placed", "cancelled", "returned", "units", "amount")
# The figures of roll-up rows, named as the raw per-order figures are (sales.py)
AGG = """coalesce(sum(p.placed), 0) AS placed, coalesce(sum(p.cancelled), 0) AS cancelled,
    coalesce(sum(p.returned), 0) AS returned, coalesce(sum(p.units), 0)::bigint AS units,
    coalesce(sum(p.amount), 0)::bigint AS revenue"""
# A product filter on variant rows: the variants of the chosen products
VARIANTS_OF = "s.key IN (SELECT id::text FROM variants WHERE org_id = :org AND product_id = ANY(:products))"


def _first_of_next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _plan(lo: date, end: date) -> tuple[list[date], list[tuple[date, date]], list[tuple[date, date]]]:
    """How to read [lo, end] by month: the months read whole from the monthly roll-up, the day ranges
    added from the daily one and the day ranges taken away from it. A month the range covers in part is
    read by its days, or as the whole month less the days outside the range when those are fewer (a
    year's range from today's date then reads a few days instead of most of a month)."""
    months: list[date] = []
    add: list[tuple[date, date]] = []
    take: list[tuple[date, date]] = []
    first = lo.replace(day=1)
    while first <= end:
        after = _first_of_next_month(first)
        a, b = max(lo, first), min(end, after - timedelta(days=1))
        inside, outside = (b - a).days + 1, (after - first).days - ((b - a).days + 1)
        if outside == 0 or outside < inside:
            months.append(first)
            take += [
                r
                for r in ((first, a - timedelta(days=1)), (b + timedelta(days=1), after - timedelta(days=1)))
                if r[0] <= r[1]
            ]
        else:
            add.append((a, b))
        first = after
    return months, add, take


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
    (a condition on `s`), over [start or f.start, f.end]. With `monthly`, months come from the monthly
    roll-up as rows on their first day, less the days outside the range as rows of negated figures on
    the same first day (_plan), so the rows of an item and month still add up exactly; an item and month
    whose rows add up to no order had no sale in the range. Every row's day is then its month's first.
    `name` keeps two sources' parameters apart."""
    lo = f.start if start is None else start
    params[f"{name}_dims"] = list(dims)
    where = ["s.org_id = :org", f"s.dim = ANY(:{name}_dims)", "s.placed <> 0", keys]
    cond = " AND ".join(where + f.place_where(params, "s"))
    months, add, take = _plan(lo, f.end) if monthly else ([], [(lo, f.end)], [])
    parts = []
    if months:
        params[f"{name}_months"] = months
        parts.append(
            f"SELECT s.month AS day, {COLUMNS} FROM sales_items_monthly s WHERE {cond}"
            f" AND s.month = ANY(:{name}_months)"
        )
    negated = ", ".join(f"-{c}" if c.split(".")[1] in SUMS else c for c in COLUMNS.split(", "))
    for i, (a, b) in enumerate(add + take):
        params.update({f"{name}_d{i}a": a, f"{name}_d{i}b": b, f"{name}_d{i}m": a.replace(day=1)})
        # by month, a range of days is within one month: its rows on the month's first day (a constant)
        day = f"CAST(:{name}_d{i}m AS date)" if monthly else "s.day"
        columns = COLUMNS if i < len(add) else negated
        parts.append(
            f"SELECT {day} AS day, {columns} FROM sales_items_daily s WHERE {cond}"
            f" AND s.day BETWEEN :{name}_d{i}a AND :{name}_d{i}b"
        )
    return " UNION ALL ".join(parts) or f"SELECT s.day, {COLUMNS} FROM sales_items_daily s WHERE FALSE"
