"""The sales report's CSV export written by PostgreSQL: the report's own rows statement (sales.rows_query)
wrapped in one that labels each row, formats every cell and joins the lines into chunks (csv_sql), read
through a server-side cursor and sent as they come. No row is built in Python
(a year by SKU is 36,000 rows: building and writing them in Python took most of a second).

The bytes are what the Python writer makes of the same report (tables.sales_table through
sheets.writing.csv_chunks; a test compares the two over the raw rows): UTF-8 with a byte order mark,
CRLF lines, a field quoted only when it holds a comma, a quote, CR or LF; text a spreadsheet would run as
a formula (= + - @, tab, CR first) gets a leading apostrophe; dates as ISO days; money in major units
with the currency's decimals; the average order value rounded half to even in minor units and the rates
to 4 decimals the same way (sales.half_even), written as Python writes a float (`0.5`, `1.0`).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.domain.market import Currency
from aiostore.services.context import OrgContext
from aiostore.services.reports import ranking
from aiostore.services.reports.filters import ReportFilter
from aiostore.services.reports.sales import GroupBy, Period, rows_query
from aiostore.services.reports.tables import sales_headers
from aiostore.services.sheets.table import FORMULA_START
from aiostore.services.sheets.writing import CsvEncoder

_OTHERS = 2**32  # the others' place: after every rank
ITEMS_PER_CHUNK = 20  # ranked: the lines of 20 items a chunk (a year by month and SKU: about 650)

_STARTS = ", ".join(f"chr({ord(c)})" for c in FORMULA_START)
_CRLF = "chr(13) || chr(10)"


def _neutral(x: str) -> str:
    """Text a spreadsheet would run as a formula with an apostrophe before it (writing.neutralise)."""
    return f"CASE WHEN left({x}, 1) IN ({_STARTS}) THEN chr(39) || {x} ELSE {x} END"


def _quoted(x: str) -> str:
    """A text cell (NULL: empty), quoted when it holds a comma, a quote, CR or LF (as the csv module)."""
    special = " OR ".join(f"strpos({x}, {c}) > 0" for c in ("','", "'\"'", "chr(13)", "chr(10)"))
    return f"coalesce(CASE WHEN {special} THEN '\"' || replace({x}, '\"', '\"\"') || '\"' ELSE {x} END, '')"


def _half_even(n: str, k: str) -> str:
    """SQL of sales.half_even(n, k) for k >= 0 over bigint columns (NULL when k is 0)."""
    k = f"nullif({k}, 0)"
    return (
        f"{n} / {k} + CASE WHEN 2 * mod({n}, {k}) > {k}"
        f" OR (2 * mod({n}, {k}) = {k} AND mod({n} / {k}, 2) <> 0) THEN 1 ELSE 0 END"
    )


# Minor units to major: times the currency's 10^-exponent as a numeric of that many decimals
_SCALE = " ".join(f"WHEN '{c.value}' THEN {Decimal(1).scaleb(-c.exponent)}" for c in Currency)
_SCALE = f"CASE r.currency {_SCALE} END::numeric"


def _money(x: str) -> str:
    """Minor units as major units with the currency's decimals (tables.major); NULL: empty."""
    major = f"CASE WHEN r.scale IS NULL THEN trim_scale({x}::numeric / 100) ELSE {x} * r.scale END"
    return f"coalesce(({major})::text, '')"


def _rate(q: str) -> str:
    """A rate in ten-thousandths as Python writes the float (trailing zeros dropped, one kept): `0.1667`,
    `0.5`, `1.0`; NULL: empty."""
    frac = f"coalesce(nullif(rtrim(lpad(mod({q}, 10000)::text, 4, '0'), '0'), ''), '0')"
    return f"coalesce(({q} / 10000)::text || '.' || {frac}, '')"


# Per group: the joins giving each row's shown key (`key_out`: a variant's SKU now, NULL for none) and label
_LABELS: dict[GroupBy, tuple[str, str, str]] = {
    GroupBy.NONE: ("", "NULL::text", "''"),
    GroupBy.SHOP: (
        "LEFT JOIN (SELECT c.id::text AS id, coalesce(nullif(c.shop_name, ''), '?') || ' (' || c.market"
        " || ')' AS label FROM channel_accounts c WHERE c.org_id = :org) x ON x.id = r.key",
        "nullif(r.key, '')",
        "coalesce(x.label, r.key, '')",
    ),
    GroupBy.PLATFORM: ("", "nullif(r.key, '')", "coalesce(r.key, '')"),
    GroupBy.MARKET: ("", "nullif(r.key, '')", "coalesce(r.key, '')"),
    GroupBy.PRODUCT: (
        "LEFT JOIN (SELECT p.id::text AS id, p.title FROM products p WHERE p.org_id = :org) x"
        " ON x.id = r.key",
        "nullif(r.key, '')",
        "CASE WHEN nullif(r.key, '') IS NULL THEN '' ELSE coalesce(x.title, r.key) END",
    ),
    GroupBy.SKU: (
        "LEFT JOIN (SELECT v.id::text AS id, v.sku FROM variants v WHERE v.org_id = :org) x"
        " ON r.dim = 'v' AND x.id = r.key",
        "CASE WHEN r.dim = 'v' THEN coalesce(x.sku, r.key) ELSE nullif(r.key, '') END",
        "coalesce(CASE WHEN r.dim = 'v' THEN coalesce(x.sku, r.key) ELSE nullif(r.key, '') END, '')",
    ),
}


# The figures as whole numbers (sums of bigint are numeric: their divisions would not be integer ones)
_FIGURES = ", ".join(f"r.{c}::bigint AS {c}" for c in ("placed", "cancelled", "returned", "units", "revenue"))
# Days written as ISO text by `::text` (the session's DateStyle could say otherwise)
DATE_STYLE_SQL = "SELECT set_config('DateStyle', 'ISO', true)"


def csv_sql(rows_sql: str, group: GroupBy, ranked: bool) -> str:
    """The report's rows (`rows_sql`) as CSV lines in the Python writer's order (rank, bucket, currency,
    key; grouped by item the others last), joined per chunk; each chunk row also carries the number of
    currencies of the rows (a ranking by revenue needs one, ranking.check_one_currency). Chunks rather
    than lines: 36,000 rows through the driver cost more than grouping them.

    The text cells are made once per item, then joined to the rows (a year by SKU is 1,000 items in
    32,500 rows). Ranked, an item is its rank (the others one item of none), so the join, the sort and
    the chunks (ITEMS_PER_CHUNK ranks) are on integers; not ranked, an item is (dim, key) with NULL as ''
    (a NULL key has a NULL kind and no item of no kind has an empty key), numbered in key order once,
    and a chunk is a bucket. Each line is made before the one sort (string_agg's order and the chunks':
    narrower rows to sort than the figures it is made of), its figures worked out once per row in a
    subquery kept whole (OFFSET 0: otherwise inlined and repeated wherever the line uses them; a
    materialized CTE wrote the rows out once more), with the currency's cell (a join on the currencies
    made the planner hash every row)."""
    joins, key_out, label = _LABELS[group]
    if ranked:
        label = f"CASE WHEN r.dim IS NULL THEN 'others' ELSE {label} END"  # the items outside the page
    cells = [
        "r.bucket::text",
        "i.key_cell",
        "i.label_cell",
        "coalesce(r.pos::text, '')",
        "r.currency_cell",
        "r.orders::text",
        "r.units::text",
        _money("r.revenue"),
        _money("r.aov"),
        "r.cancelled::text",
        _rate("r.cancel_rate"),
        "r.returned::text",
        _rate("r.return_rate"),
    ]
    if ranked:
        # an item per rank (the others: no rank, one item), its cells made once and joined on the rank;
        # lines in the order of rank, bucket and currency, ITEMS_PER_CHUNK ranks a chunk
        items = f"""SELECT r.p, {label} AS label, {key_out} AS key_out FROM (SELECT coalesce(q.pos, {_OTHERS})
            AS p, q.dim, q.key FROM q GROUP BY 1, 2, 3) r {joins}"""
        item, on = f"coalesce(r.pos, {_OTHERS})", "i.p = r.p"
        order = 'l.o, l.bucket, l.currency COLLATE "C"'
        chunk = f"l.o / {ITEMS_PER_CHUNK}"
    else:
        # the items numbered once in key order (so the lines sort on integers), a bucket a chunk
        item_order = 'r.key_out IS NULL, coalesce(r.key_out, \'\') COLLATE "C", r.d COLLATE "C"'
        items = f"""SELECT r.*, row_number() OVER (ORDER BY {item_order}) AS p FROM (SELECT r.d, r.k,
            {key_out} AS key_out, {label} AS label FROM (SELECT DISTINCT coalesce(q.dim, '') AS d,
            coalesce(q.key, '') AS k, q.dim, q.key FROM q) r {joins}) r"""
        item = "0"
        on = "i.d = coalesce(r.dim, '') AND i.k = coalesce(r.key, '')"
        order = 'l.bucket, l.currency COLLATE "C", l.o'
        chunk = "l.bucket"
    # each line made before the sort (narrower rows to sort); its figures are worked out once per row
    # (a subquery kept whole by OFFSET 0, not a materialized CTE that writes the rows out again)
    return f"""WITH q AS MATERIALIZED ({rows_sql}),
    i AS MATERIALIZED (SELECT i.*, {_quoted(_neutral("i.key_out"))} AS key_cell,
        {_quoted(_neutral("i.label"))} AS label_cell FROM ({items}) i),
    c AS (SELECT DISTINCT q.currency FROM q)
    SELECT string_agg(l.line, '' ORDER BY {order}) AS chunk, (SELECT count(*) FROM c) AS currencies
    FROM (SELECT i.p AS o, r.bucket, r.currency, {" || ',' || ".join(cells)} || {_CRLF} AS line
        FROM (SELECT r.*, {_half_even("r.revenue", "(r.placed - r.cancelled - r.returned)")} AS aov,
            {_half_even("r.cancelled * 10000", "r.placed")} AS cancel_rate,
            {_half_even("r.returned * 10000", "(r.placed - r.cancelled)")} AS return_rate,
            r.placed - r.cancelled AS orders, {_quoted(_neutral("r.currency"))} AS currency_cell
            FROM (SELECT r.bucket, r.dim, r.key, r.pos, {item} AS p, r.currency, {_FIGURES},
                {_SCALE} AS scale FROM q r) r OFFSET 0) r
        JOIN i ON {on} OFFSET 0) l
    GROUP BY {chunk} ORDER BY {chunk}"""


async def sales_csv(
    session: AsyncSession,
    ctx: OrgContext,
    f: ReportFilter,
    *,
    period: Period = Period.DAY,
    group: GroupBy = GroupBy.NONE,
    sort: ranking.ItemSort = ranking.ItemSort.UNITS,
    raw: bool = False,
) -> AsyncGenerator[bytes, None]:
    """The sales report (every item, grouped by product or SKU) as CSV chunks: the header, then lines as
    PostgreSQL writes them. 422 `sort` (before the first chunk) for a ranking by revenue in several
    currencies without a reporting currency. `raw` reads orders and lines (tests)."""
    q = await rows_query(session, ctx, f, period=period, group=group, raw=raw, sort=sort, limit=None)
    if q.ranked:
        await session.execute(text(ranking.WORK_MEM_SQL))
    await session.execute(text(DATE_STYLE_SQL))
    result = await session.stream(text(csv_sql(q.sql, group, q.ranked)), q.params)
    first = True
    async for chunk, currencies in result:
        if first:
            ranking.check_one_currency(sort, q.reporting, int(currencies))
            yield CsvEncoder().encode([sales_headers(period, group)])
            first = False
        yield chunk.encode("utf-8")
    if first:
        yield CsvEncoder().encode([sales_headers(period, group)])
