"""Four sandboxes behind one HTTP client, our service wired to them, and the real queue worker.

`Market` is what a sync test needs: each platform's sandbox (driven through its SandboxHarness), the
AIOStore app whose connectors reach the sandboxes over HTTP (httpx ASGI transports routed by host),
pushes from the sandboxes into our webhook endpoint, and `settle()` running procrastinate's worker
until the queue is empty.
"""

from __future__ import annotations

import asyncio
import importlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select, text

from aiostore.connectors import registry
from aiostore.connectors.dtos import TokenSet
from aiostore.db.models import ChannelAccount, Inventory, Product, Variant
from aiostore.db.session import Database
from aiostore.domain.platforms import Platform
from aiostore.jobqueue import QUEUES, configure
from aiostore.sandbox.common.harness import SandboxHarness
from aiostore.services import channels
from aiostore.settings import Settings, WriteMode
from aiostore.web.app import create_app
from aiostore.worker import runtime
from tests.integration.sync import image_host

PLATFORMS = [p.value for p in Platform]
SERVICE = "http://aiostore.test"


class HostRouter(httpx.AsyncBaseTransport):
    """One transport, many in-process servers: the request's host picks the ASGI app."""

    def __init__(self, apps: dict[str, Any]) -> None:
        self.transports = {host: httpx.ASGITransport(app=app) for host, app in apps.items()}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        transport = self.transports.get(request.url.host)
        if transport is None:
            return httpx.Response(502, text=f"no server for {request.url.host}")
        return await transport.handle_async_request(request)


def _settings_for(base: Settings, shops: dict[str, SandboxHarness]) -> Settings:
    update: dict[str, Any] = {
        "write_mode": WriteMode.LIVE,
        "public_url": SERVICE,
        "sync_retry_base_seconds": 0.05,
        "sync_max_attempts": 8,
        "image_fetch_allow_private": True,  # img.example is served in process (image_host.py)
    }
    platforms = dict(base.platforms)
    for platform, h in shops.items():
        model = registry.plugin(platform).settings
        platforms[platform] = model.for_app(h.app_key, h.app_secret, f"http://{platform}.sandbox", h)
    update["platforms"] = platforms
    return base.model_copy(update=update)


_WAITING = text(
    """SELECT count(*), min(extract(epoch FROM greatest(coalesce(j.scheduled_at, now()), (
           SELECT max(coalesce(o.scheduled_at, now())) FROM procrastinate_jobs o
            WHERE o.lock = j.lock AND o.status = 'todo'
              AND (o.priority > j.priority OR (o.priority = j.priority AND o.id < j.id)))) - now()))
      FROM procrastinate_jobs j WHERE j.status = 'todo' AND j.task_name NOT IN
           ('sync.schedule', 'sync.retry_stalled', 'housekeeping.purge_expired')"""
)


@dataclass
class Market:
    app: FastAPI
    db: Database
    settings: Settings
    shops: dict[str, SandboxHarness]
    org_id: uuid.UUID
    channel_ids: dict[str, uuid.UUID] = field(default_factory=dict)

    async def settle(self, *, max_rounds: int = 300, leave_after: float | None = None) -> None:
        """Deliver every queued push, run the worker until no job is left, wait for scheduled retries;
        repeat until the queue is empty (the periodic tasks excepted), or until every job left is
        scheduled more than `leave_after` seconds ahead."""
        queue = configure(self.db.urls)
        for _ in range(max_rounds):
            for h in self.shops.values():
                await h.drain_pushes()
            async with queue.open_async():
                await queue.run_worker_async(
                    queues=QUEUES, wait=False, install_signal_handlers=False, concurrency=4
                )
            waiting = await self._waiting()
            if waiting is None or (leave_after is not None and waiting > leave_after):
                return
            await asyncio.sleep(min(max(waiting, 0.01), 1.0))
        raise AssertionError("the queue did not settle")

    async def _waiting(self) -> float | None:
        """Seconds until the next queued job may run (0 or less: now); None when nothing is queued. A job
        waits for the jobs queued before it under its lock (procrastinate runs them first), even those
        scheduled later: a push round's retry holds back the shop's next push."""
        async with self.db.engine.connect() as conn:
            row = (await conn.execute(_WAITING)).one()
        return None if not row[0] else float(row[1])

    async def connect(self, platform: str) -> uuid.UUID:
        """A connected channel for the platform's sandbox shop, with its current tokens (no OAuth)."""
        h = self.shops[platform]
        connectors: channels.Connectors = self.app.state.connectors
        external = {"shop_cipher": h.shop_cipher} if hasattr(h, "shop_cipher") else {}
        if platform == "lazada":
            external["country"] = h.market
        tokens = TokenSet(
            h.access_token,
            h.refresh_token or "-",
            datetime.now(UTC) + timedelta(hours=3),
            datetime.now(UTC) + timedelta(days=20),
            shop_id=h.shop_id,
            external_ids=external,
        )
        async with self.db.transaction(self.org_id) as session:
            account = ChannelAccount(
                org_id=self.org_id,
                platform=platform,
                market=h.market,
                shop_id=h.shop_id,
                shop_name=f"{platform} shop",
                status=channels.CONNECTED,
                extra={},
                display_platform=platform,
            )
            channels.store_tokens(connectors.cipher(), account, tokens)
            session.add(account)
            await session.flush()
            await channels._route(session, account, active=True)
        self.channel_ids[platform] = account.id
        h.set_push_url(f"{SERVICE}/api/webhooks/{platform}", httpx.ASGITransport(app=self.app))
        return account.id

    async def master(self, sku: str, on_hand: int, buffer: int = 0) -> uuid.UUID:
        """A master product with one variant of this SKU and stock."""
        async with self.db.transaction(self.org_id) as session:
            product = Product(
                org_id=self.org_id, title=f"Produk {sku}", description="", images=[], attributes={}
            )
            session.add(product)
            await session.flush()
            variant = Variant(
                org_id=self.org_id, product_id=product.id, sku=sku, option_values={}, images=[], attributes={}
            )
            session.add(variant)
            await session.flush()
            session.add(
                Inventory(
                    org_id=self.org_id,
                    variant_id=variant.id,
                    on_hand=on_hand,
                    reserved=0,
                    safety_buffer=buffer,
                )
            )
        return variant.id

    async def queue_jobs(self, task: str, status: str) -> int:
        """How many of the queue's jobs of this task are in this status (todo, doing...)."""
        async with self.db.engine.connect() as conn:
            found = await conn.scalar(
                text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = :t AND status = :s"),
                {"t": task, "s": status},
            )
        return int(found or 0)

    async def inventory(self, variant_id: uuid.UUID) -> Inventory:
        async with self.db.transaction(self.org_id) as session:
            inv = await session.scalar(select(Inventory).where(Inventory.variant_id == variant_id))
            assert inv is not None
            return inv


def build_market(
    base: Settings,
    db: Database,
    org_id: uuid.UUID,
    platforms: list[str],
    *,
    products: int = 2,
    variants: int = 2,
    settings_changes: dict[str, Any] | None = None,
) -> Market:
    apps: dict[str, Any] = {}
    shops: dict[str, SandboxHarness] = {}
    for platform in platforms:
        package = importlib.import_module(f"aiostore.sandbox.{platform}")
        sandbox_app = package.create_app()
        harness = importlib.import_module(f"aiostore.sandbox.{platform}.harness").harness(sandbox_app)
        harness.seed(products, variants_per_product=variants, seed=7)
        apps[f"{platform}.sandbox"] = sandbox_app
        shops[platform] = harness
    apps[image_host.HOST] = image_host.app
    settings = _settings_for(base, shops).model_copy(update=settings_changes or {})
    http = httpx.AsyncClient(transport=HostRouter(apps))
    app = create_app(settings, db, http=http)
    runtime.install(runtime.make(settings, db, app.state.connectors))
    return Market(app, db, settings, shops, org_id)
