"""What the order-intake tests share: a catalog on one sandbox shop, pushes captured on their way to our
webhook (to replay them later), and the ledger's view of every order line."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import httpx
from sqlalchemy import select

from aiostore.db.models import ChannelAccount, Inventory, InventoryMovement, Order, OrderLine, Variant
from aiostore.domain.orders import DEDUCTED, RESERVING, OrderStatus
from tests.factories import Caller
from tests.integration.sync.marketplace import SERVICE, Market

STOCK = 100
# A line's stock states in the only order they may follow one another (none may come back).
STATE_ORDER = {"none": 0, "reserved": 1, "deducted": 2, "released": 3}


class Tee(httpx.AsyncBaseTransport):
    """Delivers each push to our app and keeps a copy (body, headers) to replay it later."""

    def __init__(self, market: Market) -> None:
        self.inner = httpx.ASGITransport(app=market.app)
        self.seen: list[tuple[str, bytes, dict[str, str]]] = []
        self.forward = True  # False: keep the pushes only (answered 200), as if they were still on the way

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        self.seen.append((request.url.path, body, headers))
        if not self.forward:
            return httpx.Response(200)
        return await self.inner.handle_async_request(request)


@dataclass
class Shop:
    market: Market
    owner: Caller
    platform: str
    channel_id: uuid.UUID
    skus: dict[str, tuple[str, str]]  # sku -> (item_id, variant_id)
    variants: dict[str, uuid.UUID]  # sku -> master variant
    tee: Tee
    orders: dict[str, tuple[str, int, str]] = field(default_factory=dict)  # id -> (sku, qty, status)

    def place(self, sku: str, quantity: int) -> str:
        order_id = self.market.shops[self.platform].place_order([(*self.skus[sku], quantity)])
        self.orders[order_id] = (sku, quantity, OrderStatus.TO_SHIP.value)
        return order_id

    def move(self, order_id: str, status: str) -> None:
        self.market.shops[self.platform].set_order_status(order_id, status)
        sku, quantity, _ = self.orders[order_id]
        self.orders[order_id] = (sku, quantity, status)

    async def replay(self, index: int) -> int:
        path, body, headers = self.tee.seen[index]
        return (await self.owner.client.post(path, content=body, headers=headers)).status_code

    async def pull_orders(self) -> None:
        body = {"channel_account_ids": [str(self.channel_id)], "kinds": ["orders"]}
        resp = await self.owner.post("/api/sync/pull", json=body)
        assert resp.status_code == 202, resp.text


async def open_shop(market: Market, owner: Caller, platform: str, skus: int = 3) -> Shop:
    channel_id = await market.connect(platform)
    h = market.shops[platform]
    tee = Tee(market)
    h.set_push_url(f"{SERVICE}/api/webhooks/{platform}", tee)
    by_sku: dict[str, tuple[str, str]] = {}
    variants: dict[str, uuid.UUID] = {}
    for n, unit in enumerate(h.units()[:skus]):
        sku = f"INTAKE-{n}"
        h.set_unit(unit.item_id, unit.variant_id, sku=sku, stock=STOCK)
        by_sku[sku] = (unit.item_id, unit.variant_id)
        variants[sku] = await market.master(sku, STOCK)
    body = {"channel_account_ids": [str(channel_id)], "kinds": ["products"]}
    assert (await owner.post("/api/sync/pull", json=body)).status_code == 202
    await market.settle()
    return Shop(market, owner, platform, channel_id, by_sku, variants, tee)


async def assert_exact(shop: Shop) -> None:
    """Every order once, in the platform's status; every variant's stock what the statuses imply; each
    line's ledger a forward path of states, its deltas summing to the line's present hold."""
    market = shop.market
    async with market.db.transaction(market.org_id) as session:
        ours = dict(
            (
                await session.execute(
                    select(Order.platform_order_id, Order.status)
                    .join(ChannelAccount, ChannelAccount.id == Order.channel_account_id)
                    .where(ChannelAccount.id == shop.channel_id)
                )
            ).all()
        )
        levels = {
            sku: (inv.on_hand, inv.reserved)
            for sku, inv in (
                await session.execute(
                    select(Variant.sku, Inventory).join(Inventory, Inventory.variant_id == Variant.id)
                )
            ).all()
        }
        lines = (await session.execute(select(OrderLine.id, OrderLine.quantity, OrderLine.stock_state))).all()
        moves = (
            await session.execute(
                select(
                    InventoryMovement.order_line_id,
                    InventoryMovement.note,
                    InventoryMovement.on_hand_delta,
                    InventoryMovement.reserved_delta,
                )
                .where(InventoryMovement.cause == "order")
                .order_by(InventoryMovement.created_at, InventoryMovement.id)
            )
        ).all()
    assert {o: s for o, (_, _, s) in shop.orders.items()} == ours
    expected = {sku: (STOCK, 0) for sku in shop.skus}
    for sku, quantity, status in shop.orders.values():
        on_hand, reserved = expected[sku]
        if OrderStatus(status) in DEDUCTED:
            on_hand -= quantity
        elif OrderStatus(status) in RESERVING:
            reserved += quantity
        expected[sku] = (on_hand, reserved)
    assert {sku: levels[sku] for sku in shop.skus} == expected
    by_line: dict[uuid.UUID, list[tuple[str, int, int]]] = {}
    for line_id, note, d_on_hand, d_reserved in moves:
        by_line.setdefault(line_id, []).append((note, d_on_hand, d_reserved))
    for line_id, quantity, state in lines:
        path = by_line.get(line_id, [])
        steps = [note.split("->") for note, _, _ in path]
        assert all(STATE_ORDER[b] > STATE_ORDER[a] for a, b in steps), (line_id, steps)
        held = {"reserved": (0, quantity), "deducted": (-quantity, 0)}.get(state, (0, 0))
        assert (sum(m[1] for m in path), sum(m[2] for m in path)) == held, (line_id, path)
