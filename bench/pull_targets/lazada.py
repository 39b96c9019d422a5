"""Lazada: the sandbox seeded for the benchmark, and the fewest pull calls its limits allow."""

from __future__ import annotations

import httpx

from aiostore.connectors.batching import min_calls
from aiostore.connectors.dtos import AppCredentials, ConnectorLimits, ProductDTO, TokenSet
from aiostore.http.client import HttpPolicy
from pull_targets import PlatformBench, Target, unthrottled


async def open_lazada(products: int, models: int) -> Target:
    from datetime import UTC, datetime, timedelta

    from aiostore.connectors.lazada import LAZADA_LIMITS, LazadaConnector
    from aiostore.domain.market import MarketCode
    from aiostore.sandbox.lazada import LazadaSandbox, LazadaSandboxConfig, create_app

    app_key, secret, seller_id = "100001", "bench-app-secret", "200001"
    token, refresh = "bench-access-token", "bench-refresh-token"
    config = LazadaSandboxConfig(
        app_key=app_key,
        app_secret=secret,
        seller_id=seller_id,
        country="ID",
        access_token=token,
        refresh_token=refresh,
        products=products,
        variants_per_product=models,
        rate_limit_rps=None,
    )
    app = create_app(config)
    sandbox: LazadaSandbox = app.state.sandbox
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    now = datetime.now(UTC)
    connector = LazadaConnector(
        http,
        AppCredentials(app_key=app_key, app_secret=secret, base_url=""),  # the regional gateway, by host
        shop_id=seller_id,
        tokens=TokenSet(
            token,
            refresh,
            now + timedelta(days=7),
            now + timedelta(days=14),
            shop_id=seller_id,
            external_ids={"country": "id"},
        ),  # fmt: skip
        market=MarketCode.ID,
        policy=HttpPolicy(),
        limits=unthrottled(LAZADA_LIMITS),
    )

    async def close() -> None:
        await http.aclose()
        await sandbox.aclose()

    return Target(connector, sandbox.call_count, close)


def lazada_min_pull(limits: ConnectorLimits, products: list[ProductDTO]) -> int:
    """⌈P/50⌉ /products/get pages, SKUs inline (an empty shop still takes one page)."""
    return max(1, min_calls(len(products), limits.product_page))


BENCH = PlatformBench("lazada", open_lazada, lazada_min_pull)
