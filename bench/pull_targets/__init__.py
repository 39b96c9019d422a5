"""The target of bench/connector_pull.py for any platform the registry knows: its sandbox, seeded by its
configuration, and the platform's connector pointed at it (in process, over httpx.ASGITransport); the
shop's credentials and tokens come from the sandbox's harness."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import httpx

from aiostore.connectors import registry
from aiostore.connectors.base import MarketplaceConnector
from aiostore.connectors.batching import group_by, min_calls
from aiostore.connectors.dtos import ConnectorLimits, ShopAccount, StockUpdate, TokenSet
from aiostore.connectors.plugin import PlatformPlugin
from aiostore.domain.market import MarketCode
from aiostore.http.client import HttpPolicy


def unthrottled(limits: ConnectorLimits) -> ConnectorLimits:
    """The platform's page and batch limits, with our rate limiter out of the way."""
    return replace(limits, rate_per_second=1_000_000.0, burst=100_000)


@dataclass
class Target:
    """One platform's sandbox and the connector pointed at it."""

    connector: MarketplaceConnector
    received: Callable[[], int]  # requests the sandbox received
    close: Callable[[], Awaitable[None]]


def sandbox_config(name: str) -> tuple[ModuleType, Any]:
    """The platform's sandbox package and its configuration class (the package's ``…SandboxConfig``)."""
    package = importlib.import_module(f"aiostore.sandbox.{name}")
    return package, next(getattr(package, n) for n in package.__all__ if n.endswith("SandboxConfig"))


def _sandbox_app(name: str, products: int, models: int) -> Any:
    """The platform's sandbox app seeded with ``products`` × ``models``, its rate limit off."""
    package, config = sandbox_config(name)
    return package.create_app(config(products=products, variants_per_product=models, rate_limit_rps=None))


async def open_target(plugin: PlatformPlugin, products: int, models: int) -> Target:
    """The platform's sandbox seeded with ``products`` × ``models`` and its connector acting for the shop."""
    name = plugin.name
    app = _sandbox_app(name, products, models)
    harness = importlib.import_module(f"aiostore.sandbox.{name}.harness").harness(app)
    host = f"http://{name}.sandbox"
    settings = plugin.settings.for_app(harness.app_key, harness.app_secret, host, harness)
    app_credentials = settings.credentials({name: settings})
    assert app_credentials is not None  # noqa: S101 - for_app sets the key and the secret
    now = datetime.now(UTC)
    cipher = getattr(harness, "shop_cipher", None)  # stored at connect time where the platform has one
    tokens = TokenSet(
        harness.access_token,
        harness.refresh_token or "-",
        now + timedelta(hours=3),
        now + timedelta(days=20),
        shop_id=harness.shop_id,
        external_ids={"shop_cipher": cipher} if cipher else {},
    )
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    connector = registry.make(
        name,
        http,
        app_credentials,
        ShopAccount(shop_id=harness.shop_id, market=MarketCode(harness.market), tokens=tokens),
        HttpPolicy(),
        unthrottled(plugin.limits),
    )

    async def close() -> None:
        await http.aclose()
        await app.state.sandbox.aclose()

    harness.reset_calls()
    return Target(connector, harness.call_count, close)


def min_stock_calls(limits: ConnectorLimits, updates: list[StockUpdate]) -> int:
    """⌈M/batch⌉ when a call may mix products; else per product ⌈its models/batch⌉ (Shopee, TikTok)."""
    if limits.stock_items_per_call is None:
        return min_calls(len(updates), limits.stock_batch)
    per_item = group_by(updates, lambda u: u.item_id)
    return sum(min_calls(len(entries), limits.stock_batch) for entries in per_item.values())
