"""Every report read from the roll-ups equals its recomputation from the raw rows (`raw=True`: orders,
lines and the ledger), for every grouping and period and the common filters."""

from __future__ import annotations

import uuid
from datetime import date

from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from aiostore.services.context import Actor, ActorKind, OrgContext
from aiostore.services.reports.filters import ReportFilter
from aiostore.services.reports.products import products_report
from aiostore.services.reports.sales import GroupBy, Period, SalesReport, sales_report
from tests.factories import Caller


def flat(r: SalesReport) -> tuple[object, ...]:
    return (
        [(x.bucket, x.key, x.label, x.currency, x.figures) for x in r.rows],
        r.totals,
        r.previous,
        r.by_day,
        r.converted,
    )


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
) -> int:
    """Compares every report both ways; returns the number of sales rows seen (so a test can tell that
    it compared something)."""
    ctx = OrgContext(caller.org_id, Role.OWNER, Actor(ActorKind.USER, caller.user_id, "t"))
    seen = 0
    async with db.transaction(caller.org_id, caller.user_id) as s:
        for start, end in ranges:
            for f in filters(start, end, products, shops):
                for group in GroupBy:
                    for period in Period:
                        kwargs = {"period": period, "group": group, "compare": True}
                        rolled = await sales_report(s, ctx, f, **kwargs)  # type: ignore[arg-type]
                        raw = await sales_report(s, ctx, f, raw=True, **kwargs)  # type: ignore[arg-type]
                        assert flat(rolled) == flat(raw), (f, group, period)
                        seen += len(raw.rows)
                for window in (3, 40):
                    rolled_p = await products_report(s, ctx, f, window_days=window)
                    raw_p = await products_report(s, ctx, f, window_days=window, raw=True)
                    assert rolled_p == raw_p, (f, window)
    return seen
