"""The daily roll-up the sales report reads equals a recomputation from the raw orders and lines, after
every kind of change: new orders and lines, a status change, a line changed or removed, an order deleted."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select, update

from aiostore.db.models import Order, OrderLine
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from aiostore.services.context import Actor, ActorKind, OrgContext
from aiostore.services.reports.filters import ReportFilter
from aiostore.services.reports.sales import GroupBy, Period, SalesReport, sales_report
from tests.factories import Caller
from tests.integration.reports.seed import seed


def _flat(r: SalesReport) -> tuple[object, ...]:
    return (
        [(x.bucket, x.key, x.currency, x.figures) for x in r.rows],
        r.totals,
        r.previous,
        r.by_day,
    )


async def _same(db: Database, caller: Caller) -> None:
    ctx = OrgContext(caller.org_id, Role.OWNER, Actor(ActorKind.USER, caller.user_id, "t"))
    f = ReportFilter(date(2026, 10, 1), date(2026, 11, 30))
    async with db.transaction(caller.org_id, caller.user_id) as s:
        for group in (GroupBy.NONE, GroupBy.SHOP, GroupBy.PLATFORM, GroupBy.MARKET):
            for period in Period:
                kwargs = {"period": period, "group": group, "compare": True}
                rolled = await sales_report(s, ctx, f, **kwargs)  # type: ignore[arg-type]
                raw = await sales_report(s, ctx, f, raw=True, **kwargs)  # type: ignore[arg-type]
                assert _flat(rolled) == _flat(raw), (group, period)


async def test_the_rollup_equals_the_raw_rows_after_each_change(db: Database, owner: Caller) -> None:
    await seed(db, owner)
    await _same(db, owner)
    async with db.transaction(owner.org_id, owner.user_id) as s:
        first = await s.scalar(select(Order).where(Order.platform_order_id == "1"))
        assert first is not None
        await s.execute(update(Order).where(Order.id == first.id).values(status="returned"))
    await _same(db, owner)
    async with db.transaction(owner.org_id, owner.user_id) as s:
        second = await s.scalar(select(Order.id).where(Order.platform_order_id == "2"))
        line = await s.scalar(select(OrderLine).where(OrderLine.order_id == second).limit(1))
        assert line is not None
        await s.execute(delete(OrderLine).where(OrderLine.id == line.id))
        await s.execute(update(OrderLine).where(OrderLine.order_id == second).values(unit_price=12_345))
    await _same(db, owner)
    async with db.transaction(owner.org_id, owner.user_id) as s:
        await s.execute(delete(Order).where(Order.platform_order_id == "6"))
        await s.execute(
            update(Order)
            .where(Order.platform_order_id == "4")
            .values(placed_at=date(2026, 11, 20).isoformat())
        )
    await _same(db, owner)
    rolled = (await owner.get("/api/reports/sales?from=2026-11-01&to=2026-11-30&market=ID")).json()
    idr = rolled["totals"][0]
    # left: order 1 (returned now), order 2 (one line at 12,345), order 3 (cancelled), order 7 (8 Nov)
    assert (idr["orders"], idr["returned"], idr["revenue"]["amount_minor"]) == (3, 1, 12_345 + 200_000)
