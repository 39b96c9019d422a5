"""A small hand-built organisation for the report tests: three shops in two markets, three products,
orders on both sides of Jakarta's midnight, a cancellation, a return, stock-outs in the ledger, pushes,
failures and a pull. The expected figures are worked out by hand in the tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiostore.db.models import (
    ChannelAccount,
    Inventory,
    InventoryMovement,
    Listing,
    Order,
    OrderLine,
    Product,
    SyncJob,
    SyncJobItem,
    Variant,
)
from aiostore.db.session import Database
from tests.factories import Caller


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@dataclass
class Seeded:
    shop_a: uuid.UUID  # shopee ID
    shop_b: uuid.UUID  # lazada MY
    shop_c: uuid.UUID  # tokopedia ID
    p1: uuid.UUID
    p2: uuid.UUID
    p3: uuid.UUID
    v1: uuid.UUID
    v2: uuid.UUID


async def seed(db: Database, caller: Caller) -> Seeded:
    org = caller.org_id
    async with db.transaction(org, caller.user_id) as s:
        a = ChannelAccount(org_id=org, platform="shopee", market="ID", shop_id="a", shop_name="Toko A")
        b = ChannelAccount(org_id=org, platform="lazada", market="MY", shop_id="b", shop_name="Kedai B")
        c = ChannelAccount(
            org_id=org,
            platform="tokopedia",
            market="ID",
            shop_id="c",
            shop_name="=Toko C",
            refresh_expires_at=utc(2026, 12, 1),
        )
        p1 = Product(org_id=org, title="Kaos")
        p2 = Product(org_id=org, title='=HYPERLINK("http://x")')
        p3 = Product(org_id=org, title="Topi")
        s.add_all([a, b, c, p1, p2, p3])
        await s.flush()
        v1 = Variant(org_id=org, product_id=p1.id, sku="KAOS-1")
        v2 = Variant(org_id=org, product_id=p2.id, sku="+CELANA-1")
        v3 = Variant(org_id=org, product_id=p3.id, sku="TOPI-1")
        s.add_all([v1, v2, v3])
        await s.flush()
        s.add_all(
            [
                Inventory(org_id=org, variant_id=v1.id, on_hand=20, reserved=2),
                Inventory(org_id=org, variant_id=v2.id, on_hand=0, reserved=0),
                Inventory(org_id=org, variant_id=v3.id, on_hand=50, reserved=0),
                Listing(org_id=org, channel_account_id=a.id, variant_id=v1.id, platform_item_id="1"),
            ]
        )
        orders: dict[str, Order] = {}

        def order(name: str, shop: ChannelAccount, placed: datetime, status: str, **more: object) -> Order:
            o = Order(
                org_id=org,
                channel_account_id=shop.id,
                platform_order_id=name,
                market=shop.market,
                status=status,
                platform_status=status.upper(),
                currency="IDR" if shop.market == "ID" else "MYR",
                total_amount=0,
                placed_at=placed,
                platform_updated_at=placed,
                **more,
            )
            orders[name] = o
            return o

        s.add_all(
            [
                order("1", a, utc(2026, 11, 1, 16, 30), "completed"),  # 23:30 on 1 Nov in Jakarta
                order("2", a, utc(2026, 11, 1, 17, 30), "shipped"),  # 00:30 on 2 Nov in Jakarta
                order("3", a, utc(2026, 11, 2, 5), "cancelled"),
                order("4", b, utc(2026, 11, 3, 2), "completed"),
                order("5", b, utc(2026, 11, 3, 3), "returned"),
                order("6", c, utc(2026, 11, 7, 16, 59), "to_ship", oversold=True),  # 23:59 on 7 Nov
                order("7", c, utc(2026, 11, 7, 17, 1), "to_ship"),  # 00:01 on 8 Nov: out of range
                order("8", a, utc(2026, 10, 30, 5), "completed"),  # the previous period
            ]
        )
        await s.flush()

        def line(name: str, variant: Variant, quantity: int, price: int) -> OrderLine:
            o = orders[name]
            return OrderLine(
                org_id=org,
                order_id=o.id,
                variant_id=variant.id,
                sku=variant.sku,
                quantity=quantity,
                unit_price=price,
                currency=o.currency,
            )

        s.add_all(
            [
                line("1", v1, 2, 50_000),
                line("2", v1, 1, 50_000),
                line("2", v2, 1, 20_000),
                line("3", v1, 1, 50_000),
                line("4", v1, 3, 1_500),
                line("5", v2, 1, 1_000),
                line("6", v1, 1, 40_000),
                line("7", v1, 5, 40_000),
                line("8", v1, 1, 10_000),
            ]
        )

        def move(variant: Variant, at: datetime, on_hand: int, **more: object) -> InventoryMovement:
            return InventoryMovement(
                org_id=org,
                variant_id=variant.id,
                cause=str(more.pop("cause", "manual")),
                on_hand_after=on_hand,
                reserved_after=0,
                created_at=at,
                **more,
            )

        s.add_all(
            [
                # +CELANA-1 runs out twice: 3 Nov 00:00 - 5 Nov 00:00, 6 Nov 12:00 - the end (8 Nov 00:00 UTC)
                move(v2, utc(2026, 11, 2, 10), 1),
                move(v2, utc(2026, 11, 3), 0),
                move(v2, utc(2026, 11, 5), 5),
                move(v2, utc(2026, 11, 6, 12), 0),
                # sales in shops B and C, which shop A's pushes carry 4 s and 10 s later
                move(v1, utc(2026, 11, 3, 2), 30, cause="order", order_id=orders["4"].id),
                move(v1, utc(2026, 11, 7, 16, 59), 27, cause="order", order_id=orders["6"].id),
            ]
        )

        def job(
            shop: ChannelAccount, kind: str, status: str, finished: datetime, sale: datetime | None = None
        ) -> SyncJob:
            """`sale`: the oldest sale in another shop the push carried (taken at `finished`)."""
            return SyncJob(
                org_id=org,
                kind=kind,
                channel_account_id=shop.id,
                status=status,
                created_at=finished - timedelta(seconds=1),
                finished_at=finished,
                sale_at=sale,
                sales_carried=1 if sale else None,
                pushed_at=finished if sale else None,
            )

        failed = job(b, "push_stock", "failed", utc(2026, 11, 4))
        s.add_all(
            [
                job(a, "push_stock", "succeeded", utc(2026, 11, 1)),  # no sale before it: not counted
                job(a, "push_stock", "succeeded", utc(2026, 11, 3, 2, 0, 4), utc(2026, 11, 3, 2)),
                job(a, "push_stock", "succeeded", utc(2026, 11, 7, 16, 59, 10), utc(2026, 11, 7, 16, 59)),
                job(a, "pull_orders", "succeeded", utc(2026, 11, 6, 12)),
                job(a, "pull_orders", "failed", utc(2026, 11, 7, 12)),
                failed,
            ]
        )
        await s.flush()
        s.add_all(
            SyncJobItem(org_id=org, job_id=failed.id, ref=str(i), result="failed", error=error)
            for i, error in enumerate(["stock exceeds limit", "stock exceeds limit", "item banned"])
        )
    return Seeded(a.id, b.id, c.id, p1.id, p2.id, p3.id, v1.id, v2.id)


RANGE = "from=2026-11-01&to=2026-11-07"
