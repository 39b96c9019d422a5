"""Sales grouped by product or SKU, ranked and cut by PostgreSQL: the `limit` items from `offset` in the
order of a `sort` (units, orders, or revenue in the reporting currency), each with its per-period series,
and everything else as one "others" series, so the rows and the others still add up to the totals.

A year by SKU is tens of thousands of (period, item) rows; turning them all into Python objects and JSON
cost seconds, so the database ranks the items over the roll-up (a window function), keeps the page and
sums the rest, and only those rows leave it.

The ranking is stable: ties are broken by the item's kind and key. Revenue is ranked in the reporting
currency, each day's amount at the rate in force that day (a day without a rate adds nothing); without
a reporting currency it ranks only when every row is in one currency (otherwise 422 naming `sort`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from aiostore.domain.market import Currency
from aiostore.errors import invalid

MAX_LIMIT = 500
DEFAULT_LIMIT = 50


class ItemSort(StrEnum):
    UNITS = "units"  # units of kept orders
    ORDERS = "orders"  # orders containing the item, placed and not cancelled
    REVENUE = "revenue"  # in the reporting currency (or the one currency of every row)


# A currency's minor units per major unit, as SQL over `g.currency` (ranking needs amounts comparable).
_SCALE = "CASE g.currency " + " ".join(f"WHEN '{c.value}' THEN {10**c.exponent}" for c in Currency)
_SCALE += " ELSE 100 END"
# The rate in force on the row's day: 1 unit of its currency in units of the reporting currency.
_RATE = """CASE WHEN g.currency = :reporting THEN 1 ELSE (
    SELECT x.rate FROM exchange_rates x WHERE x.org_id = :org AND x.currency = g.currency
        AND x.valid_from <= g.day ORDER BY x.valid_from DESC LIMIT 1) END"""


# Memory for the ranking's aggregation (tens of thousands of item rows), for this transaction only: with
# the default 4 MB its hash tables spill to disk in batches.
WORK_MEM_SQL = "SELECT set_config('work_mem', '32MB', true)"


def score(sort: ItemSort, reporting: str | None, params: dict[str, Any]) -> str:
    """The ranking figure of an item, over its rows `g` (the aggregated figures per day and currency)."""
    if sort is ItemSort.UNITS:
        return "sum(g.units)"
    if sort is ItemSort.ORDERS:
        return "sum(g.placed - g.cancelled)"
    if reporting is None:
        return "sum(g.revenue)"  # checked afterwards: every row is in one currency
    params["reporting"] = reporting
    return f"coalesce(sum(g.revenue * coalesce(({_RATE}), 0) / {_SCALE}), 0)"


def _ranked(source: str, agg: str, rank_by: str, day: str) -> str:
    """The source's rows summed per `day` (bucket), item and currency (`g`), each item's score (`r`) and
    place (`k`)."""
    return f"""WITH g AS MATERIALIZED (SELECT * FROM (
        SELECT {day} AS day, p.currency, p.dim, p.key, {agg} FROM ({source}) p GROUP BY 1, 2, 3, 4) a
        WHERE a.placed <> 0),
    r AS (SELECT g.dim, g.key, {rank_by} AS score FROM g GROUP BY g.dim, g.key),
    k AS (SELECT r.dim, r.key, row_number() OVER (ORDER BY r.score DESC, r.dim, r.key) AS pos FROM r),"""


def _ranked_items(source: str, rank_by: str) -> str:
    """As _ranked for a ranking alone (no `g`): the source's rows summed per item at once. Exact: an item's
    rows of a month adding up to no order add up to nothing in every figure, and an item has a sale in
    the range when its rows add up to some order."""
    return f"""WITH r AS (SELECT g.dim, g.key, {rank_by} AS score FROM (SELECT p.dim, p.key, p.placed,
        p.cancelled, p.units, p.amount AS revenue FROM ({source}) p) g GROUP BY g.dim, g.key
        HAVING sum(g.placed) <> 0),
    k AS (SELECT r.dim, r.key, row_number() OVER (ORDER BY r.score DESC, r.dim, r.key) AS pos FROM r),"""


def ranked_sql(
    source: str,
    agg: str,
    rank_by: str,
    params: dict[str, Any],
    limit: int | None,
    offset: int,
    *,
    by_day: bool,
    bucketed: bool = False,
) -> str:
    """Per bucket (`:period`), item of the page (its rank in `pos`) and currency the summed figures; the
    items outside the page as one item of no kind, key and rank per bucket and currency; and in every
    row `items`, the number of items ranked. The source's rows are first summed per bucket (per day
    when `by_day`: the ranking converts each day's revenue at that day's rate; `bucketed`: the source's
    days are the buckets already, as the monthly reading's are by month)."""
    params.update(offset=offset, limit=limit if limit is not None else 0)
    page = "k.pos > :offset" + (" AND k.pos <= :offset + :limit" if limit is not None else "")
    day = "p.day" if by_day or bucketed else "date_trunc(:period, p.day)::date"
    # an item's rows of a bucket adding up to no order: no sale in the range (a month less its outside days)
    if by_day:
        return f"""{_ranked(source, agg, rank_by, day)}
    t AS (SELECT k.dim, k.key, k.pos FROM k WHERE {page})
    SELECT date_trunc(:period, g.day)::date AS bucket, t.dim, t.key, t.pos, g.currency, {_G_SUMS},
        (SELECT count(*) FROM r) AS items
    FROM g LEFT JOIN t ON t.dim = g.dim AND t.key = g.key
    GROUP BY 1, 2, 3, 4, 5"""
    # by bucket already (one row of `g` per bucket, currency and item): the page's rows as they are, the
    # others summed per bucket and currency (a year by SKU with every item is 36,000 rows regrouped);
    # every item on the page (no limit, no offset: an export) leaves no others to look for
    page_rows = f"""{_ranked(source, agg, rank_by, day)}
    t AS (SELECT k.dim, k.key, k.pos FROM k WHERE {page}),
    n AS (SELECT count(*) AS items FROM r)
    SELECT g.day AS bucket, t.dim, t.key, t.pos, g.currency, g.placed::bigint AS placed,
        g.cancelled::bigint AS cancelled, g.returned::bigint AS returned, g.units::bigint AS units,
        g.revenue::bigint AS revenue, n.items
    FROM g JOIN t ON t.dim = g.dim AND t.key = g.key, n"""
    if limit is None and offset == 0:
        return page_rows
    return f"""{page_rows}
    UNION ALL
    SELECT g.day, NULL, NULL, NULL, g.currency, {_G_SUMS}, n.items
    FROM g LEFT JOIN t ON t.dim = g.dim AND t.key = g.key, n WHERE t.pos IS NULL
    GROUP BY g.day, g.currency, n.items"""


_G_SUMS = """sum(g.placed)::bigint AS placed, sum(g.cancelled)::bigint AS cancelled,
        sum(g.returned)::bigint AS returned, sum(g.units)::bigint AS units,
        sum(g.revenue)::bigint AS revenue"""


_SUMS = """sum(s.placed) AS placed, sum(s.cancelled) AS cancelled, sum(s.returned) AS returned,
        sum(s.units)::bigint AS units, sum(s.amount)::bigint AS revenue"""


# The Monday of `s.day`'s ISO week with integer day arithmetic (1900-01-01 was a Monday): date_trunc
# converts each day to a timestamp with time zone first, which cost more than the series' sort.
_MONDAY = "s.day - (s.day - DATE '1900-01-01') % 7"


def series_sql(
    source: str,
    agg: str,
    rank_by: str,
    params: dict[str, Any],
    limit: int | None,
    offset: int,
    *,
    by_day: bool,
    place: list[str],
    week: bool,
) -> str:
    """As ranked_sql, for buckets (`:period`, a day or a week) finer than the source's (months from the
    monthly roll-up, or days when `by_day`): the source only ranks the items; the page's series are read
    from the daily item roll-up for those items alone (an index-only scan of its covering index on org,
    dim, key, day, migration 0026; summed per bucket, place and currency, the kind and key joined after),
    and the others
    per bucket and currency are the day totals over every item of the kinds (`sales_items_totals`, migration
    0025) less the page's. `place` are the filter's shop and market conditions on `s`; the range is
    [:start, :end] and the kinds `:r_dims`."""
    params.update(offset=offset, limit=limit if limit is not None else 0)
    page = "k.pos > :offset" + (" AND k.pos <= :offset + :limit" if limit is not None else "")
    cond = " AND ".join(["s.org_id = :org", "s.day BETWEEN :start AND :end", *place])
    bucket = _MONDAY if week else "s.day"
    return f"""{_ranked(source, agg, rank_by, "p.day") if by_day else _ranked_items(source, rank_by)}
    t AS MATERIALIZED (SELECT k.dim, k.key, k.pos FROM k WHERE {page}),
    n AS (SELECT count(*) AS items FROM r),
    ps AS MATERIALIZED (SELECT a.bucket, t.dim, t.key, t.pos, a.currency, a.placed, a.cancelled,
        a.returned, a.units, a.revenue FROM t CROSS JOIN LATERAL (
        SELECT {bucket} AS bucket, s.currency, {_SUMS} FROM sales_items_daily s
        WHERE s.dim = t.dim AND s.key = t.key AND {cond} GROUP BY 1, 2) a WHERE a.placed <> 0),
    pt AS (SELECT ps.bucket, ps.currency, sum(ps.placed) AS placed, sum(ps.cancelled) AS cancelled,
        sum(ps.returned) AS returned, sum(ps.units) AS units, sum(ps.revenue) AS revenue
        FROM ps GROUP BY 1, 2),
    at AS (SELECT {bucket} AS bucket, s.currency, {_SUMS}
        FROM sales_items_totals s WHERE {cond} AND s.dim = ANY(:r_dims) GROUP BY 1, 2),
    o AS (SELECT at.bucket, at.currency, (at.placed - coalesce(pt.placed, 0))::bigint AS placed,
        (at.cancelled - coalesce(pt.cancelled, 0))::bigint AS cancelled,
        (at.returned - coalesce(pt.returned, 0))::bigint AS returned,
        (at.units - coalesce(pt.units, 0))::bigint AS units,
        (at.revenue - coalesce(pt.revenue, 0))::bigint AS revenue
        FROM at LEFT JOIN pt ON pt.bucket = at.bucket AND pt.currency = at.currency)
    SELECT ps.*, n.items FROM ps, n
    UNION ALL
    SELECT o.bucket, NULL, NULL, NULL, o.currency, o.placed, o.cancelled, o.returned, o.units, o.revenue,
        n.items FROM o, n WHERE o.placed <> 0"""


def check_one_currency(sort: ItemSort, reporting: str | None, currencies: int) -> None:
    """Revenue in several currencies (how many the rows have) cannot be ranked without a reporting
    currency to convert it to."""
    if sort is ItemSort.REVENUE and reporting is None and currencies > 1:
        raise invalid(
            "sort",
            "sales in several currencies are ranked by revenue only in a reporting currency: set one",
            "needs_reporting_currency",
        )
