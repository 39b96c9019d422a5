"""Every report read from the roll-ups equals its recomputation from the raw rows (`raw=True`: orders,
lines and the ledger), for every grouping and period and the common filters."""

from __future__ import annotations

import difflib
import uuid
from datetime import date
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from aiostore.errors import AppError
from aiostore.services.context import Actor, ActorKind, OrgContext
from aiostore.services.reports.export import csv_chunks
from aiostore.services.reports.filters import ReportFilter
from aiostore.services.reports.products import products_report
from aiostore.services.reports.ranking import ItemSort
from aiostore.services.reports.sales import Figures, GroupBy, Period, SalesReport, SalesRow, sales_report
from aiostore.services.reports.sales_csv import sales_csv
from aiostore.services.reports.tables import sales_table
from tests.factories import Caller


def flat(r: SalesReport) -> tuple[object, ...]:
    return (
        [(x.bucket, x.key, x.label, x.currency, x.figures, x.rank) for x in r.rows],
        [(x.bucket, x.currency, x.figures) for x in r.others],
        r.items,
        r.totals,
        r.previous,
        r.by_day,
        r.converted,
    )


async def assert_csv_exact(s: AsyncSession, ctx: OrgContext, f: ReportFilter, **kwargs: Any) -> bytes:
    """The CSV export PostgreSQL writes from the roll-ups is, byte for byte, what the Python writer makes of
    the report recomputed from the raw rows (every item); returns it."""
    written = b"".join([chunk async for chunk in sales_csv(s, ctx, f, **kwargs)])
    raw = await sales_report(s, ctx, f, raw=True, limit=None, **kwargs)
    expected = b"".join(csv_chunks(sales_table(raw)))
    diff = difflib.unified_diff(expected.decode().split("\r\n"), written.decode().split("\r\n"), lineterm="")
    assert written == expected, (f, kwargs, "\n".join(diff))
    return written


def summed(rows: list[SalesRow]) -> dict[str, Figures]:
    out: dict[str, Figures] = {}
    for x in rows:
        out.setdefault(x.currency, Figures()).add(x.figures)
    return out


def assert_top_and_others(page: SalesReport, whole: SalesReport) -> None:
    """A page of items and the others sum to every item's figures; units and revenue to the totals."""
    assert summed(page.rows + page.others) == summed(whole.rows)
    for currency, t in page.totals.items():
        got = summed(page.rows + page.others).get(currency, Figures())
        assert (got.units, got.revenue) == (t.units, t.revenue), currency
    ranks = sorted({x.rank for x in page.rows if x.rank is not None})
    assert ranks == list(range(page.offset + 1, page.offset + 1 + len(ranks)))
    assert len(ranks) == max(0, min(page.limit or 0, (whole.items or 0) - page.offset))
    # the page is the same items, in the same places, as in the whole ranking
    assert [x for x in whole.rows if x.rank in ranks] == page.rows


def filters(start: date, end: date, products: list[uuid.UUID], shops: list[uuid.UUID]) -> list[ReportFilter]:
    return [
        ReportFilter(start, end),
        ReportFilter(start, end, products=tuple(products[:1])),
        ReportFilter(start, end, products=tuple(products[:2])),
        ReportFilter(start, end, shops=tuple(shops[:1])),
        ReportFilter(start, end, markets=("MY", "SG")),
        ReportFilter(start, end, shops=tuple(shops[1:]), products=tuple(products[1:2])),
    ]


async def assert_exact(
    db: Database,
    caller: Caller,
    ranges: list[tuple[date, date]],
    products: list[uuid.UUID],
    shops: list[uuid.UUID],
    *,
    every_filter: bool = True,
) -> int:
    """Compares every report both ways; returns the number of sales rows seen (so a test can tell that
    it compared something). `every_filter` False compares the unfiltered reports only (a test checking
    one order at each step, whose filters would select that order or nothing)."""
    ctx = OrgContext(caller.org_id, Role.OWNER, Actor(ActorKind.USER, caller.user_id, "t"))
    seen = 0
    async with db.transaction(caller.org_id, caller.user_id) as s:
        for start, end in ranges:
            for f in filters(start, end, products, shops)[: None if every_filter else 1]:
                for group in GroupBy:
                    for period in Period:
                        kwargs = {"period": period, "group": group, "compare": True}
                        rolled = await sales_report(s, ctx, f, **kwargs)  # type: ignore[arg-type]
                        raw = await sales_report(s, ctx, f, raw=True, **kwargs)  # type: ignore[arg-type]
                        assert flat(rolled) == flat(raw), (f, group, period)
                        await assert_csv_exact(s, ctx, f, period=period, group=group)
                        seen += len(raw.rows)
                for group in (GroupBy.PRODUCT, GroupBy.SKU):
                    for sort in ItemSort:
                        await assert_pages(s, ctx, f, group, sort)
                for window in (3, 40):
                    rolled_p = await products_report(s, ctx, f, window_days=window)
                    raw_p = await products_report(s, ctx, f, window_days=window, raw=True)
                    assert rolled_p == raw_p, (f, window)
    return seen


async def assert_pages(
    s: AsyncSession, ctx: OrgContext, f: ReportFilter, group: GroupBy, sort: ItemSort
) -> None:
    """Top-N pages by `sort` (revenue without a reporting currency only ranks one currency's rows)."""
    kwargs: dict[str, Any] = {"period": Period.WEEK, "group": group, "sort": sort}
    try:
        whole = await sales_report(s, ctx, f, limit=None, **kwargs)
    except AppError as exc:
        assert sort is ItemSort.REVENUE and exc.errors[0].field == "sort"
        with pytest.raises(AppError) as csv_error:  # the CSV export refuses it too, before any byte
            await anext(sales_csv(s, ctx, f, **kwargs))
        assert csv_error.value.errors[0].field == "sort"
        return
    await assert_csv_exact(s, ctx, f, **kwargs)
    assert whole.others == [] and whole.items == len({x.rank for x in whole.rows})
    for limit, offset in ((1, 0), (2, 1), (3, 5)):
        page = await sales_report(s, ctx, f, limit=limit, offset=offset, **kwargs)
        raw = await sales_report(s, ctx, f, limit=limit, offset=offset, raw=True, **kwargs)
        assert flat(page) == flat(raw), (f, group, sort, limit, offset)
        assert_top_and_others(page, whole)
