"""Random orders, lines and ledger movements, then random edits of them (statuses, quantities, prices,
lines added, removed or relinked one at a time and several in one statement, orders moved or deleted, a
variant renamed or deleted): every report read from the roll-ups equals the recomputation from the raw
rows, over ranges that cut months in two."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from aiostore.db.models import ChannelAccount, InventoryMovement, Order, OrderLine, Product, Variant
from aiostore.db.session import Database
from tests.factories import Caller
from tests.integration.reports.exact import assert_exact

START = datetime(2026, 3, 20, tzinfo=UTC)
MINUTES = 60 * 24 * 75  # to early June
CURRENCY = {"ID": "IDR", "MY": "MYR", "SG": "SGD"}
STATUSES = ["unpaid", "to_ship", "shipped", "completed", "cancelled", "returned"]
VARIANTS = 5  # products 0 and 1 have two variants each, product 2 one
ITEM = st.one_of(st.integers(0, VARIANTS - 1), st.sampled_from(["X", "Y"]))  # a variant or an unknown SKU
LINE = st.tuples(ITEM, st.integers(1, 4), st.integers(0, 50_000))
ORDER = st.tuples(
    st.integers(0, MINUTES),
    st.sampled_from(sorted(CURRENCY)),
    st.sampled_from(STATUSES),
    st.lists(LINE, max_size=4),
)
EDIT = st.tuples(
    st.sampled_from(
        [
            "status",
            "statuses",
            "quantity",
            "price",
            "delete_line",
            "add_line",
            "relink",
            "relink_all",
            "bump_all",
            "move",
            "delete_order",
            "rename",
            "delete_variant",
        ]
    ),
    st.integers(0, 10_000),
    st.integers(0, 10_000),
    ITEM,
)
MOVE = st.tuples(st.integers(0, VARIANTS - 1), st.integers(0, MINUTES), st.integers(0, 2))
RANGES = [(date(2026, 3, 25), date(2026, 5, 20)), (date(2026, 4, 1), date(2026, 5, 31))]


class Org:
    """One example's shops, catalog and orders inside the owner's organisation."""

    def __init__(self, caller: Caller) -> None:
        self.org = caller.org_id
        self.tag = uuid.uuid4().hex[:8]
        self.shops: dict[str, ChannelAccount] = {}
        self.products: list[Product] = []
        self.variants: list[Variant] = []
        self.orders: list[uuid.UUID] = []

    def line(self, order: Order, item: int | str, quantity: int, price: int) -> OrderLine:
        variant = self.variants[item] if isinstance(item, int) else None
        return OrderLine(
            org_id=self.org,
            order_id=order.id,
            variant_id=variant.id if variant else None,
            sku=variant.sku if variant else f"{item}",
            quantity=quantity,
            unit_price=price,
            currency=order.currency,
        )

    async def create(
        self, s: object, orders: list[tuple[int, str, str, list[tuple[int | str, int, int]]]]
    ) -> None:
        from sqlalchemy.ext.asyncio import AsyncSession

        assert isinstance(s, AsyncSession)
        self.shops = {
            m: ChannelAccount(org_id=self.org, platform="shopee", market=m, shop_id=f"{self.tag}{m}")
            for m in CURRENCY
        }
        self.products = [Product(org_id=self.org, title=f"P{i}") for i in range(3)]
        s.add_all([*self.shops.values(), *self.products])
        await s.flush()
        self.variants = [
            Variant(org_id=self.org, product_id=self.products[min(i // 2, 2)].id, sku=f"{self.tag}-{i}")
            for i in range(VARIANTS)
        ]
        s.add_all(self.variants)
        await s.flush()
        for i, (minutes, market, status, lines) in enumerate(orders):
            placed = START + timedelta(minutes=minutes)
            o = Order(
                org_id=self.org,
                channel_account_id=self.shops[market].id,
                platform_order_id=f"{self.tag}-{i}",
                market=market,
                status=status,
                platform_status=status,
                currency=CURRENCY[market],
                placed_at=placed,
                platform_updated_at=placed,
            )
            s.add(o)
            await s.flush()
            self.orders.append(o.id)
            s.add_all(self.line(o, *line) for line in lines)
        await s.flush()

    async def edit(self, s: object, op: str, a: int, b: int, item: int | str) -> None:
        from sqlalchemy.ext.asyncio import AsyncSession

        assert isinstance(s, AsyncSession)
        if not self.orders:
            return
        order_id = self.orders[a % len(self.orders)]
        order = await s.get(Order, order_id)
        if order is None:  # deleted by an earlier edit
            return
        lines = list(
            (
                await s.scalars(
                    select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.id)
                )
            ).all()
        )
        line = lines[b % len(lines)] if lines else None
        variant = self.variants[item] if isinstance(item, int) else None
        live = variant is not None and await s.get(Variant, variant.id) is not None
        if op == "status":
            await s.execute(update(Order).where(Order.id == order_id).values(status=STATUSES[b % 6]))
        elif op == "statuses":  # several orders in one statement
            await s.execute(
                update(Order).where(Order.id.in_(self.orders[::2])).values(status=STATUSES[b % 6])
            )
        elif op == "quantity" and line is not None:
            await s.execute(update(OrderLine).where(OrderLine.id == line.id).values(quantity=1 + b % 5))
        elif op == "price" and line is not None:
            await s.execute(update(OrderLine).where(OrderLine.id == line.id).values(unit_price=b * 7))
        elif op == "delete_line" and line is not None:
            await s.execute(delete(OrderLine).where(OrderLine.id == line.id))
        elif op == "add_line" and (variant is None or live):
            s.add(self.line(order, item, 1 + b % 3, b))
        elif op == "relink" and line is not None and (variant is None or live):
            values = {
                "variant_id": variant.id if variant else None,
                "sku": variant.sku if variant else str(item),
            }
            await s.execute(update(OrderLine).where(OrderLine.id == line.id).values(**values))
        elif op == "relink_all" and (variant is None or live):  # every line of the order, one statement
            await s.execute(
                update(OrderLine)
                .where(OrderLine.order_id == order_id)
                .values(variant_id=variant.id if variant else None)
            )
        elif op == "bump_all":
            await s.execute(
                update(OrderLine)
                .where(OrderLine.order_id == order_id)
                .values(quantity=OrderLine.quantity + 1)
            )
        elif op == "move":
            placed = START + timedelta(minutes=b * 11)
            await s.execute(update(Order).where(Order.id == order_id).values(placed_at=placed))
        elif op == "delete_order":
            await s.execute(delete(Order).where(Order.id == order_id))
        elif op == "rename" and live and variant is not None:
            await s.execute(update(Variant).where(Variant.id == variant.id).values(sku=f"{variant.sku}-r{b}"))
        elif op == "delete_variant" and live and variant is not None:
            await s.execute(delete(Variant).where(Variant.id == variant.id))
        await s.flush()
        s.expire_all()


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    orders=st.lists(ORDER, min_size=4, max_size=14),
    edits=st.lists(EDIT, min_size=2, max_size=10),
    moves=st.lists(MOVE, min_size=6, max_size=14),
)
async def test_every_report_equals_the_raw_rows_after_random_edits(
    db: Database,
    owner: Caller,
    orders: list[tuple[int, str, str, list[tuple[int | str, int, int]]]],
    edits: list[tuple[str, int, int, int | str]],
    moves: list[tuple[int, int, int]],
) -> None:
    org = Org(owner)
    async with db.transaction(owner.org_id, owner.user_id) as s:
        await org.create(s, orders)
        # movements in the drawn order, whatever their times: each lands in its place in the history
        s.add_all(
            InventoryMovement(
                org_id=owner.org_id,
                variant_id=org.variants[v].id,
                cause="manual",
                on_hand_after=available,
                reserved_after=0,
                created_at=START + timedelta(minutes=minutes),
            )
            for v, minutes, available in moves
        )
    async with db.transaction(owner.org_id, owner.user_id) as s:
        for op, a, b, item in edits:
            await org.edit(s, op, a, b, item)
    products = [p.id for p in org.products]
    shops = [c.id for c in org.shops.values()]
    await assert_exact(db, owner, RANGES, products, shops)
