"""Stock-out periods kept by the ledger's trigger equal the ledger read in time order, whatever order the
movements are written in (one statement or several, oldest or newest first)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from aiostore.db.models import InventoryMovement, Product, StockOut, Variant
from aiostore.db.session import Database
from tests.factories import Caller
from tests.integration.reports.exact import assert_exact

T0 = datetime(2026, 4, 1, tzinfo=UTC)
# (hours after T0, available after): out at 10 h until 30 h, out again from 50 h (twice) to 70 h, from 90 h
HISTORY = [(0, 3), (10, 0), (20, 0), (30, 2), (40, 1), (50, 0), (60, 0), (70, 4), (90, 0)]


async def _periods(db: Database, caller: Caller, order: list[int]) -> list[tuple[float, float | None]]:
    async with db.transaction(caller.org_id, caller.user_id) as s:
        product = Product(org_id=caller.org_id, title="Out")
        s.add(product)
        await s.flush()
        variant = Variant(org_id=caller.org_id, product_id=product.id, sku=f"OUT-{len(order)}-{order[0]}")
        s.add(variant)
        await s.flush()
        for chunk in (order[:4], order[4:]):  # two statements of several rows each
            s.add_all(
                InventoryMovement(
                    org_id=caller.org_id,
                    variant_id=variant.id,
                    cause="manual",
                    on_hand_after=HISTORY[i][1],
                    reserved_after=0,
                    created_at=T0 + timedelta(hours=HISTORY[i][0]),
                )
                for i in chunk
            )
            await s.flush()
        found = (await s.scalars(select(StockOut).where(StockOut.variant_id == variant.id))).all()
        return sorted(
            (
                (o.started_at - T0) / timedelta(hours=1),
                None if o.ended_at is None else (o.ended_at - T0) / timedelta(hours=1),
            )
            for o in found
        )


async def test_stockouts_whatever_the_order_of_writing(db: Database, owner: Caller) -> None:
    expected = [(10.0, 30.0), (50.0, 70.0), (90.0, None)]
    n = len(HISTORY)
    orders = [
        list(range(n)),
        list(reversed(range(n))),
        [4, 0, 8, 2, 6, 1, 7, 3, 5],
        [5, 6, 1, 2, 8, 0, 3, 7, 4],
    ]
    for order in orders:
        assert await _periods(db, owner, order) == expected, order
    await assert_exact(
        db, owner, [(date(2026, 4, 1), date(2026, 4, 3)), (date(2026, 4, 2), date(2026, 4, 30))], [], []
    )
