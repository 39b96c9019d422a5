"""Shopee: the sandbox seeded for the benchmark, and the fewest pull calls its limits allow."""

from __future__ import annotations

import httpx

from aiostore.connectors.batching import min_calls
from aiostore.connectors.dtos import AppCredentials, ConnectorLimits, ProductDTO, TokenSet
from aiostore.http.client import HttpPolicy
from pull_targets import PlatformBench, Target, unthrottled


async def open_shopee(products: int, models: int) -> Target:
    from datetime import UTC, datetime, timedelta

    from aiostore.connectors.shopee import SHOPEE_LIMITS, ShopeeConnector
    from aiostore.domain.market import MarketCode
    from aiostore.sandbox.shopee import ShopeeSandbox, ShopeeSandboxConfig, create_app

    partner_id, key, shop_id = 100001, "bench-partner-key", 200001
    token, refresh = "bench-access-token", "bench-refresh-token"
    config = ShopeeSandboxConfig(
        partner_id=partner_id,
        partner_key=key,
        shop_id=shop_id,
        region="ID",
        access_token=token,
        refresh_token=refresh,
        products=products,
        variants_per_product=models,
        rate_limit_rps=None,
    )
    app = create_app(config)
    sandbox: ShopeeSandbox = app.state.sandbox
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    now = datetime.now(UTC)
    connector = ShopeeConnector(
        http,
        AppCredentials(app_key=str(partner_id), app_secret=key, base_url="http://shopee.sandbox"),
        shop_id=str(shop_id),
        tokens=TokenSet(token, refresh, now + timedelta(hours=4), now + timedelta(days=30)),
        market=MarketCode.ID,
        policy=HttpPolicy(),
        limits=unthrottled(SHOPEE_LIMITS),
    )

    async def close() -> None:
        await http.aclose()
        await sandbox.aclose()

    return Target(connector, sandbox.call_count, close)


def shopee_min_pull(limits: ConnectorLimits, products: list[ProductDTO]) -> int:
    """⌈P/100⌉ list pages + ⌈P/50⌉ base-info calls + one model-list call per item with models."""
    count = len(products)
    pages = max(1, min_calls(count, limits.product_page))  # an empty shop still takes one page
    with_models = sum(1 for p in products if p.has_variants)
    return pages + min_calls(count, limits.product_detail_batch) + with_models


BENCH = PlatformBench("shopee", open_shopee, shopee_min_pull)
