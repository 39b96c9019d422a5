"""An order delivered again (the same webhook twice, then its cancellation and return) through the order
service counts once in every roll-up; the reports equal the raw rows after each delivery, after a variant
is renamed and deleted, and with the reporting currency's rates set and then changed (unfiltered at each
step, with every filter at the end: with one order in one shop, the filters select it or nothing)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, select, update

from aiostore.connectors.dtos import Buyer, OrderDTO, OrderLine
from aiostore.db.models import ChannelAccount, Inventory, Product, Variant
from aiostore.db.session import Database
from aiostore.domain.market import Currency
from aiostore.domain.money import Money
from aiostore.domain.orders import OrderStatus
from aiostore.services import orders
from tests.factories import Caller
from tests.integration.reports.exact import assert_exact

PLACED = datetime(2026, 4, 30, 18, tzinfo=UTC)  # 1 May 01:00 in Jakarta
RANGES = [(date(2026, 4, 15), date(2026, 5, 20)), (date(2026, 5, 1), date(2026, 5, 31))]
URL = "/api/reports/sales?from=2026-05-01&to=2026-05-31&period=month"


def _dto(status: OrderStatus, minutes: int) -> OrderDTO:
    def line(n: int, sku: str, quantity: int) -> OrderLine:
        return OrderLine(f"L{n}", f"I{n}", f"M{n}", sku, "Kaos", "", quantity, Money(25_000, Currency.IDR))

    return OrderDTO(
        order_id="R-1",
        status=status,
        platform_status=status.value.upper(),
        currency="IDR",
        total=Money(100_000, Currency.IDR),
        created_at=PLACED,
        updated_at=PLACED + timedelta(minutes=minutes),
        lines=(line(1, "RD-A", 2), line(2, "RD-B", 1), line(3, "RD-A", 1)),
        buyer=Buyer(),
    )


async def _deliver(db: Database, caller: Caller, shop_id: uuid.UUID, dto: OrderDTO) -> None:
    async with db.transaction(caller.org_id, caller.user_id) as s:
        shop = await s.get(ChannelAccount, shop_id)
        assert shop is not None
        await orders.ingest(s, caller.org_id, shop, dto)


async def test_a_redelivered_order_counts_once(db: Database, owner: Caller) -> None:
    async with db.transaction(owner.org_id, owner.user_id) as s:
        shop = ChannelAccount(org_id=owner.org_id, platform="shopee", market="ID", shop_id="rd")
        product = Product(org_id=owner.org_id, title="Kaos")
        s.add_all([shop, product])
        await s.flush()
        variants = [Variant(org_id=owner.org_id, product_id=product.id, sku=sku) for sku in ("RD-A", "RD-B")]
        s.add_all(variants)
        await s.flush()
        s.add_all(Inventory(org_id=owner.org_id, variant_id=v.id, on_hand=3) for v in variants)
    shops, products = [shop.id], [product.id]
    to_ship = _dto(OrderStatus.TO_SHIP, 1)
    for dto in (to_ship, to_ship, replace(to_ship, updated_at=to_ship.updated_at + timedelta(seconds=1))):
        await _deliver(db, owner, shop.id, dto)
        await assert_exact(db, owner, RANGES, products, shops, every_filter=False)
    body = (await owner.get(f"{URL}&group=product")).json()
    # one order with both variants and two lines of RD-A: one order for the product, 4 units, 100,000
    assert [(r["key"], r["orders"], r["units"], r["revenue"]["amount_minor"]) for r in body["rows"]] == [
        (str(product.id), 1, 4, 100_000)
    ]
    by_sku = (await owner.get(f"{URL}&group=sku")).json()["rows"]
    assert [(r["key"], r["orders"], r["units"]) for r in by_sku] == [("RD-A", 1, 3), ("RD-B", 1, 1)]
    items = (await owner.get("/api/reports/products?from=2026-05-01&to=2026-05-31")).json()["items"]
    # 4 of 6 reserved once: RD-A has nothing left
    assert {i["sku"]: (i["units"], i["available"]) for i in items} == {"RD-A": (3, 0), "RD-B": (1, 2)}
    for status, minutes in (
        (OrderStatus.CANCELLED, 5),
        (OrderStatus.CANCELLED, 5),
        (OrderStatus.RETURNED, 9),
    ):
        await _deliver(db, owner, shop.id, _dto(status, minutes))
        await assert_exact(db, owner, RANGES, products, shops, every_filter=False)
    body = (await owner.get(f"{URL}&group=product")).json()
    assert [(r["orders"], r["cancelled"], r["returned"], r["units"]) for r in body["rows"]] == [(1, 0, 1, 0)]
    # rates: none in force on the order's day, then one, then another (the totals say which they used)
    for rate in (None, "0.00007", "0.00008"):
        rates = [] if rate is None else [{"currency": "IDR", "valid_from": "2026-04-01", "rate": rate}]
        put = await owner.put("/api/reports/rates", json={"reporting_currency": "SGD", "rates": rates})
        assert put.status_code == 200, put.text
        await assert_exact(db, owner, RANGES, products, shops, every_filter=False)
    async with db.transaction(owner.org_id, owner.user_id) as s:
        await s.execute(update(Variant).where(Variant.sku == "RD-B").values(sku="RD-B2"))
    await assert_exact(db, owner, RANGES, products, shops, every_filter=False)
    async with db.transaction(owner.org_id, owner.user_id) as s:
        await s.execute(delete(Variant).where(Variant.sku == "RD-A"))
        assert (await s.scalars(select(Variant.sku))).all() == ["RD-B2"]
    await assert_exact(db, owner, RANGES, products, shops)
