"""bench/soak.py's world and its checks: the bench's own record of every change (`Book`), the processes it
kills and restarts (`World`), the drain and the comparison of every shop and the master (`check`).

The set-up reuses bench/propagation_support.py (sandboxes on loopback ports, the embedded database, the
service and worker processes, the seller's OAuth connect and pulls) and propagation_db.wait_idle.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import signal
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg

from aiostore.domain.orders import OrderStatus
from aiostore.sandbox.common import FaultConfig
from aiostore.services.inventory import deltas, line_state_for
from propagation_db import MASTER_SQL, Connection, wait_idle
from propagation_support import (
    PLATFORMS,
    Seller,
    Service,
    Shop,
    log,
    settings_env,
    start_ground,
)

SKUS = [f"SOAK-{n:03d}" for n in range(1, 41)]
STOCK = 10_000  # TikTok Shop refuses stock above 99,999
TIMEOUT_SECONDS = 2.0  # an injected time-out: the sandbox answers its gateway time-out (504) this late
SERVICE_ENV = {
    "AIOSTORE_SYNC_ORDERS_INTERVAL_MINUTES": "1",  # the safety-net pull, so the drain need not wait long
    "AIOSTORE_SYNC_SWEEP_AFTER_MINUTES": "1",
}
# Every sandbox retries a push as Lazada does (12 times; here 1, 2, ... 11 s apart: about a minute).
PUSH_RETRIES = {"push_max_attempts": 12, "push_retry_delay": 1.0}


@dataclass(frozen=True)
class Options:
    changes: int
    rate: float
    latency_ms: int
    fault_rate: float
    kills: int
    worker_processes: int
    seed: int


@dataclass
class SoakOrder:
    platform: str
    order_id: str
    sku: str
    quantity: int
    placed_at: float  # wall clock
    status: str = "to_ship"  # the unified status the bench left it in
    intake_ms: float | None = None


@dataclass
class Book:
    """What the bench did, independently of what the service recorded."""

    skus: list[str] = field(default_factory=lambda: list(SKUS))
    stock: Counter[str] = field(default_factory=Counter)  # manual deltas per SKU
    price: dict[str, int] = field(default_factory=dict)  # the master price (IDR) the bench committed
    base: dict[str, int] = field(default_factory=dict)  # each SKU's price on Shopee when the run began
    orders: list[SoakOrder] = field(default_factory=list)
    commits: Counter[str] = field(default_factory=Counter)
    committed: list[str] = field(default_factory=list)  # change set ids answered "committed"
    changes: int = 0

    def placed(self, platform: str, order_id: str, sku: str, quantity: int, at: float) -> None:
        self.orders.append(SoakOrder(platform, order_id, sku, quantity, at))

    def pick(self, rng: random.Random, statuses: tuple[str, ...]) -> SoakOrder | None:
        for _ in range(30):
            if not self.orders:
                return None
            order = self.orders[rng.randrange(len(self.orders))]
            if order.status in statuses:
                return order
        return None

    def expected(self, sku: str) -> tuple[int, int]:
        """(on hand, reserved) the master must show: opening stock, manual deltas, each order's effect."""
        on_hand, reserved = STOCK + self.stock[sku], 0
        for order in self.orders:
            if order.sku == sku:
                state = line_state_for(OrderStatus(order.status), "reserved")
                d_on_hand, d_reserved = deltas("none", state, order.quantity)
                on_hand, reserved = on_hand + d_on_hand, reserved + d_reserved
        return on_hand, reserved


@dataclass
class World:
    tmp: Path
    port: int
    env: dict[str, str]
    shops: list[Shop]
    conninfo: str
    seller: Seller
    channel_ids: list[str]
    processes: dict[str, Service]
    market: str = "ID"
    kills: int = 0

    def shop(self, platform: str) -> Shop:
        return next(s for s in self.shops if s.platform == platform)

    def start(self, name: str) -> Service:
        command = ("serve", "--no-worker") if name == "web" else ("worker", "--concurrency", "8")
        service = Service.start(self.tmp, self.port, self.env, command=command, name=name)
        self.processes[name] = service
        return service

    async def kill_and_restart(self, name: str) -> None:
        old = self.processes[name]
        old.process.send_signal(signal.SIGKILL)
        old.process.wait(10)
        self.kills += 1
        log(f"killed {name} (kill {self.kills}); starting it again")
        self.start(name)  # not waited for: the changes' requests are sent again until it answers

    def faults_on(self, opts: Options) -> None:
        rate = opts.fault_rate
        for n, shop in enumerate(self.shops):
            shop.harness.set_faults(
                FaultConfig(
                    latency_ms=opts.latency_ms,
                    error_rate=rate / 2,
                    busy_share=0.5,
                    rate_limit_rate=rate / 4,
                    timeout_rate=rate / 4,
                    timeout_seconds=TIMEOUT_SECONDS,
                    push_duplicate_rate=rate,
                    push_reorder_rate=rate,
                    seed=opts.seed * 10 + n,
                )
            )

    def faults_off(self) -> None:
        for shop in self.shops:
            latency = shop.harness.sandbox.faults.config.latency_ms  # type: ignore[attr-defined]
            shop.harness.set_faults(FaultConfig(latency_ms=latency))

    async def request(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        """One API request, sent again with the same Idempotency-Key until the service answers it (it
        may be dead and restarting): a retried commit replays, never applies twice."""
        key = str(uuid.uuid4())
        deadline = time.monotonic() + 600
        while True:
            try:
                response = await self.seller.api.request(
                    method, path, json=body, headers={"Idempotency-Key": key}
                )
            except httpx.TransportError:
                response = None
            if response is not None and response.status_code < 500 and response.status_code != 409:
                return response.status_code, response.json() if response.content else None
            if response is not None and response.status_code == 409 and "stale" in response.text:
                return 409, response.json()
            if time.monotonic() > deadline:
                detail = response.text[:300] if response is not None else "no answer"
                raise RuntimeError(f"{method} {path}: {detail}")
            await asyncio.sleep(0.5)

    async def commit(self, book: Book, kind: str, items: list[dict[str, Any]]) -> None:
        """Preview then commit a stock or price change set; previewed again when stale (a sale moved the
        SKU in between), as a seller would."""
        path = f"/api/{kind}/update"
        for _ in range(50):
            status, preview = await self.request("POST", path, {"mode": "preview", "items": items})
            if status != 200:
                raise RuntimeError(f"{kind} preview: {status} {preview}")
            body = {"mode": "commit", "token": preview["token"], "acknowledge_warnings": True}
            status, done = await self.request("POST", path, body)
            if status == 409:
                continue
            if status != 200 or done["status"] != "committed":
                raise RuntimeError(f"{kind} commit: {status} {str(done)[:300]}")
            book.commits[kind] += 1
            book.committed.append(done["id"])
            return
        raise RuntimeError(f"{kind} commit stayed stale 50 times")

    async def drain(self, db: Connection) -> None:
        """Every push delivered and processed, the next scheduled order pull of every shop done, the queue
        idle; then a products pull reads each shop's prices back."""
        ended = datetime.now(UTC)
        if not await wait_idle(db, self.shops, within=900):
            raise RuntimeError("the queue did not go idle after the changes")
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            row = await (await db.execute(PULLED_SQL, (ended,))).fetchone()
            if row is not None and row[0] >= len(self.shops):
                break
            await asyncio.sleep(2)
        else:
            raise RuntimeError("no scheduled order pull ran on every shop after the changes")
        if not await wait_idle(db, self.shops, within=600):
            raise RuntimeError("the queue did not go idle after the order pulls")
        await self.seller.pull_products(self.channel_ids, within=600)
        if not await wait_idle(db, self.shops, within=600):
            raise RuntimeError("the queue did not go idle after the products pull")


PULLED_SQL = """
SELECT count(DISTINCT channel_account_id) FROM sync_jobs
 WHERE kind = 'pull_orders' AND status = 'succeeded' AND created_at > %s
"""
ORDERS_SQL = """
SELECT c.platform, o.platform_order_id, o.status, extract(epoch FROM o.created_at)
  FROM orders o JOIN channel_accounts c ON c.id = o.channel_account_id
"""
DUPLICATES_SQL = """
SELECT (SELECT count(*) - count(DISTINCT (channel_account_id, platform_order_id)) FROM orders),
       (SELECT count(*) - count(DISTINCT (order_id, platform_line_id, variant_id)) FROM order_lines),
       (SELECT count(*) FROM change_sets WHERE status = 'committed')
"""
LISTING_SQL = """
SELECT l.sync_state, l.last_error, l.pushed_stock, l.platform_stock, l.stock_dirty, l.price_dirty,
       l.platform_state->>'price', l.price_sync_state, l.price_error
  FROM listings l JOIN channel_accounts c ON c.id = l.channel_account_id
 WHERE c.platform = %s AND l.platform_sku = %s
"""
PRICES_SQL = """
SELECT c.platform, l.platform_sku, l.platform_state->>'price'
  FROM listings l JOIN channel_accounts c ON c.id = l.channel_account_id WHERE l.platform_sku = ANY(%s)
"""


async def check(db: Connection, world: World, book: Book) -> dict[str, Any]:
    detail: Counter[str] = Counter()
    rows = await (await db.execute(ORDERS_SQL)).fetchall()
    ours = {(platform, order_id): (status, float(created)) for platform, order_id, status, created in rows}
    for order in book.orders:
        found = ours.get((order.platform, order.order_id))
        if found is None:
            detail["lost_orders"] += 1
            log(f"LOST order {order.platform} {order.order_id} ({order.status})")
            continue
        order.intake_ms = max(0.0, (found[1] - order.placed_at) * 1000)
        if found[0] != order.status:
            detail["order_status_mismatches"] += 1
            log(f"STATUS {order.platform} {order.order_id}: ours {found[0]}, the shop's {order.status}")
    dup_orders, dup_lines, committed = (await (await db.execute(DUPLICATES_SQL)).fetchone()) or (0, 0, 0)
    detail["duplicated_orders"], detail["duplicated_lines"] = dup_orders, dup_lines
    detail["lost_commits"] = max(0, len(book.committed) - committed)
    detail["duplicated_commits"] = max(0, committed - len(book.committed))
    master = {
        sku: (on_hand, reserved, buffer)
        for sku, on_hand, reserved, buffer in await (await db.execute(MASTER_SQL, (book.skus,))).fetchall()
    }
    for sku in book.skus:
        on_hand, reserved, buffer = master.get(sku, (-1, -1, 0))
        if (on_hand, reserved) != book.expected(sku):
            detail["master_mismatches"] += 1
            log(f"MASTER {sku}: ({on_hand}, {reserved}), expected {book.expected(sku)}")
        available = max(0, on_hand - reserved - buffer)
        for shop in world.shops:
            if shop.sellable(sku) != available:
                detail["shop_stock_mismatches"] += 1
                seen = await (await db.execute(LISTING_SQL, (shop.platform, sku))).fetchone()
                there = Counter(o.status for o in book.orders if o.sku == sku and o.platform == shop.platform)
                log(
                    f"MISMATCH {shop.platform} {sku}: the shop shows {shop.sellable(sku)}, master"
                    f" {available}; listing {seen}; its orders there {dict(there)}"
                )
    for platform, sku, price in await (await db.execute(PRICES_SQL, (book.skus,))).fetchall():
        if price is None or Decimal(price) != book.price[sku]:
            seen = await (await db.execute(LISTING_SQL, (platform, sku))).fetchone()
            # A price the platform refused (Lazada: not above the sale price it has) is recorded on the
            # listing (price_sync_state error, price_error), whatever stock pushes succeeded after it,
            # and raises the listing_rejected alert: counted apart.
            refused = seen is not None and seen[7] == "error" and not seen[5]
            detail["prices_refused_by_platform" if refused else "shop_price_mismatches"] += 1
            log(f"PRICE {platform} {sku}: the shop has {price}, master {book.price[sku]}; listing {seen}")
    lost = detail["lost_orders"] + detail["lost_commits"]
    duplicated = detail["duplicated_orders"] + detail["duplicated_lines"] + detail["duplicated_commits"]
    mismatches = sum(v for k, v in detail.items() if k.endswith("mismatches"))
    return {"lost": lost, "duplicated": duplicated, "mismatches": mismatches, "detail": dict(detail)}


async def prepare(opts: Options, book: Book, stack: contextlib.AsyncExitStack) -> World:
    """Database, the four sandboxes, web and worker processes, seller, catalog, shops, listings."""
    ground = await start_ground(
        stack, prefix="aiostore-soak-", platforms=list(PLATFORMS), hook=lambda _p: lambda: None,
        latency_ms=opts.latency_ms, skus=book.skus, stock=STOCK, **PUSH_RETRIES,
    )  # fmt: skip
    tmp, port, shops, conninfo = ground.tmp, ground.port, ground.shops, ground.conninfo
    env = settings_env(shops) | SERVICE_ENV
    world = World(tmp, port, env, shops, conninfo, Seller(f"http://127.0.0.1:{port}"), [], {})
    stack.push_async_callback(world.seller.aclose)

    def stop_processes() -> None:
        for process in world.processes.values():
            process.stop()

    stack.callback(stop_processes)
    await world.start("web").wait_ready()
    for n in range(opts.worker_processes):
        world.start(f"worker-{n}")
    await world.seller.register()
    await world.seller.create_catalog(book.skus, STOCK)
    world.channel_ids = [await world.seller.connect(shop) for shop in shops]
    for shop in shops:
        shop.harness.set_push_url(f"http://127.0.0.1:{port}/api/webhooks/{shop.platform}")
    await world.seller.pull_products(world.channel_ids)
    # One master price for every SKU, sent to every shop: from here each shop must show the master's.
    # Shopee's own price is the base (Shopee refuses a model priced over 7 times a sibling model).
    db = await psycopg.AsyncConnection.connect(conninfo, autocommit=True)
    async with db:
        rows = await (await db.execute(PRICES_SQL, (book.skus,))).fetchall()
    book.base = {sku: int(Decimal(price)) for platform, sku, price in rows if platform == "shopee" and price}
    book.price = dict(book.base)
    prices = [{"sku": sku, "market": world.market, "price": str(p)} for sku, p in book.price.items()]
    await world.commit(book, "price", prices)
    log(f"connected and pulled {len(shops)} shops: {', '.join(s.platform for s in shops)}")
    return world
