"""The demo's marketplaces: a sandbox per platform in this process, one shop each, reached without a port.

Connectors reach a sandbox at ``http://<platform>.demo.sandbox`` through ``DemoRouter`` (an httpx transport
that hands the request to the sandbox's ASGI app); any other host goes to the network as usual. Pushes go
from the sandboxes into our own ``/api/webhooks/<platform>``, signed as the platform signs them. People see
the sandboxes under ``/_demo/sandbox/<platform>/`` of the service (``DemoMount``).

Sandboxes are built through their public entry points (``standalone.from_flags`` and ``harness``), so the
demo uses exactly what ``aiostore sandbox <platform>`` runs.
"""

from __future__ import annotations

import importlib
import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import httpx
from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from aiostore.connectors import registry
from aiostore.domain.market import MarketCode
from aiostore.domain.platforms import Platform
from aiostore.sandbox.common.harness import SandboxHarness
from aiostore.sandbox.common.standalone import StandaloneFlags
from aiostore.services.demo import images
from aiostore.services.sandbox_settings import SandboxApp

HOST_SUFFIX = ".demo.sandbox"
MOUNT = "/_demo/sandbox"


@dataclass(frozen=True, slots=True)
class ShopPlan:
    platform: Platform
    market: str
    app_key: str
    app_secret: str
    shop_id: str
    unmatched_prefix: str  # SKUs only this shop sells (not in the master catalog)


SPREAD = (MarketCode.ID, MarketCode.SG, MarketCode.MY)


def plans() -> tuple[ShopPlan, ...]:
    """One shop per registered platform, spread over ID, SG and MY (a market each platform serves).
    The master catalog comes from the first plan's shop."""
    planned = []
    for i, plugin in enumerate(registry.plugins()):
        wanted = SPREAD[i % len(SPREAD)]
        market = wanted if plugin.serves(wanted) else next(m for m in SPREAD if plugin.serves(m))
        # Numeric keys and shop ids: some platforms' sandboxes accept nothing else.
        key, shop = str(100001 + i), str(880001 + i)
        secret = f"demo-{plugin.name}-app-secret"
        planned.append(ShopPlan(plugin.platform, market.value, key, secret, shop, plugin.name[:2].upper()))
    return tuple(planned)


PLANS = plans()
UNMATCHED_EVERY = 9  # about one listing in nine on the other shops has a SKU of its own


@dataclass
class DemoShop:
    plan: ShopPlan
    app: Starlette
    harness: SandboxHarness
    transport: httpx.ASGITransport


def base_url(platform: Platform) -> str:
    """Where this process reaches the platform's demo sandbox (``DemoRouter``; no browser can)."""
    return f"http://{platform.value}{HOST_SUFFIX}"


def mounted_url(service_url: str, platform: Platform) -> str:
    """Where a browser reaches the same sandbox: ``DemoMount`` on the service's own origin."""
    return f"{service_url.rstrip('/')}{MOUNT}/{platform.value}"


def _build(
    plan: ShopPlan, products: int, orders: int, seed: int, redirect_url: str | None = None
) -> DemoShop:
    standalone = importlib.import_module(f"aiostore.sandbox.{plan.platform.value}.standalone")
    harness_module = importlib.import_module(f"aiostore.sandbox.{plan.platform.value}.harness")
    flags = StandaloneFlags(
        host="127.0.0.1",
        port=0,
        app_key=plan.app_key,
        app_secret=plan.app_secret,
        shop_id=plan.shop_id,
        access_token=f"demo-{plan.platform.value}-access-token",
        region=plan.market,
        products=products,
        orders=orders,
        seed=seed,
        redirect_url=redirect_url,
    )
    app = cast(Starlette, standalone.from_flags(flags).app)
    harness: SandboxHarness = harness_module.harness(app)
    return DemoShop(plan, app, harness, httpx.ASGITransport(app=app))


class DemoWorld:
    """The sandboxes of the demo; ``reseed`` replaces them with fresh, consistent shops.

    ``redirect_urls`` are our OAuth callbacks per platform, registered as each sandbox app's redirect URL
    (TikTok Shop's approval sends the browser there; Lazada accepts no other)."""

    def __init__(
        self,
        *,
        products: int = 100,
        orders: int = 60,
        seed: int = 1,
        redirect_urls: Mapping[Platform, str] | None = None,
    ) -> None:
        self.products, self.orders, self.seed = products, orders, seed
        self.redirect_urls = dict(redirect_urls or {})
        self.shops: dict[Platform, DemoShop] = {p.platform: self._build(p, 0, 0, seed) for p in PLANS}
        self.apps = [self._app(s) for s in self.shops.values()]
        self.rng = random.Random(seed)  # noqa: S311  (demo orders, not security)

    def _build(self, plan: ShopPlan, products: int, orders: int, seed: int) -> DemoShop:
        return _build(plan, products, orders, seed, self.redirect_urls.get(plan.platform))

    @staticmethod
    def _app(shop: DemoShop) -> SandboxApp:
        h = shop.harness
        return SandboxApp(shop.plan.platform.value, h.app_key, h.app_secret, base_url(shop.plan.platform), h)

    @property
    def master(self) -> DemoShop:
        """The shop whose listings seed the master catalog (the first plan's)."""
        return self.shops[PLANS[0].platform]

    def reseed(self, push_base: str, service: Any) -> None:
        """Fresh sandboxes: seeded products and a few weeks of orders, the other shops' SKUs aligned on
        the master shop's (some left unmatched), their stock equal to its; pushes go to ``service``."""
        self.shops = {
            p.platform: self._build(p, self.products, self.orders, self.seed + i) for i, p in enumerate(PLANS)
        }
        master = self.master.harness.units()
        for i, shop in enumerate(self.shops.values()):
            if shop is not self.master:
                _align(shop, master, offset=i)
            shop.harness.set_push_url(
                f"{push_base.rstrip('/')}/api/webhooks/{shop.plan.platform.value}",
                httpx.ASGITransport(app=service),
            )

    def place_random_order(self) -> tuple[Platform, str] | None:
        """A buyer orders one or two units of something in stock on a random shop."""
        shop = self.rng.choice(list(self.shops.values()))
        units = [u for u in shop.harness.units() if u.stock - u.reserved > 0]
        if not units:
            return None
        unit = self.rng.choice(units)
        quantity = min(self.rng.choice((1, 1, 1, 2)), unit.stock - unit.reserved)
        order_id = shop.harness.place_order([(unit.item_id, unit.variant_id, quantity)])
        return shop.plan.platform, order_id

    async def drain_pushes(self) -> None:
        for shop in self.shops.values():
            await shop.harness.drain_pushes()


def _align(shop: DemoShop, master: list[Any], *, offset: int) -> None:
    """Unit i of this shop sells the master shop's unit i (same SKU, same stock), except every ninth or so."""
    for i, unit in enumerate(shop.harness.units()):
        if i < len(master) and (i + offset) % UNMATCHED_EVERY:
            shop.harness.set_unit(unit.item_id, unit.variant_id, sku=master[i].sku, stock=master[i].stock)
        else:
            shop.harness.set_unit(
                unit.item_id, unit.variant_id, sku=f"{shop.plan.unmatched_prefix}-ONLY-{i:04d}"
            )


class DemoRouter(httpx.AsyncBaseTransport):
    """Requests for ``<platform>.demo.sandbox`` go to that sandbox in this process, for the demo images'
    host to `images.py`; others to ``fallback``."""

    def __init__(self, world: DemoWorld, fallback: httpx.AsyncBaseTransport | None = None) -> None:
        self.world, self.fallback = world, fallback

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if host == images.HOST:  # the demo products' images
            return images.response(request)
        if not host.endswith(HOST_SUFFIX):
            if self.fallback is None:
                return httpx.Response(502, text=f"{host} is not a demo sandbox")
            return await self.fallback.handle_async_request(request)
        try:
            shop = self.world.shops[Platform(host.removesuffix(HOST_SUFFIX))]
        except ValueError:
            return httpx.Response(502, text=f"no demo sandbox at {host}")
        return await shop.transport.handle_async_request(request)

    async def aclose(self) -> None:
        if self.fallback is not None:
            await self.fallback.aclose()


class DemoMount:
    """``/_demo/sandbox/<platform>/...``: the demo's sandboxes (pages, ``/_sandbox`` control routes)."""

    def __init__(self, world: DemoWorld) -> None:
        self.world = world

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return
        path, root = scope["path"], scope.get("root_path", "")
        path = path[len(root) :] if root and path.startswith(root) else path
        name, _, _rest = path.lstrip("/").partition("/")
        try:
            shop = self.world.shops[Platform(name)]
        except ValueError:
            names = ", ".join(self.world.shops)
            body = json.dumps({"detail": f"no such sandbox; try one of {names}"}).encode()
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 404, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        child = dict(scope, root_path=scope.get("root_path", "") + f"/{name}")
        await shop.app(child, receive, send)
