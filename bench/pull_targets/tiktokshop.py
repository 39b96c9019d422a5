"""TikTok Shop: the sandbox seeded for the benchmark, and the fewest pull calls its limits allow."""

from __future__ import annotations

import httpx

from aiostore.connectors.batching import min_calls
from aiostore.connectors.dtos import AppCredentials, ConnectorLimits, ProductDTO, TokenSet
from aiostore.http.client import HttpPolicy
from pull_targets import PlatformBench, Target, unthrottled


async def open_tiktokshop(products: int, models: int) -> Target:
    from datetime import UTC, datetime, timedelta

    from aiostore.connectors.tiktokshop import TIKTOKSHOP_LIMITS, TikTokShopConnector
    from aiostore.domain.market import MarketCode
    from aiostore.sandbox.tiktokshop import TikTokShopSandbox, TikTokShopSandboxConfig, create_app

    token, refresh = "ROW_bench-access-token", "ROW_bench-refresh-token"
    config = TikTokShopSandboxConfig(
        app_key="benchappkey",
        app_secret="bench-app-secret",  # noqa: S106 - a made-up benchmark secret
        region="ID",
        access_token=token,
        refresh_token=refresh,
        products=products,
        variants_per_product=models,
        rate_limit_rps=None,
    )
    app = create_app(config)
    sandbox: TikTokShopSandbox = app.state.sandbox
    shop = sandbox.shop()
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    now = datetime.now(UTC)
    tokens = TokenSet(
        token,
        refresh,
        now + timedelta(days=7),
        now + timedelta(days=365),
        shop_id=shop.shop_id,
        external_ids={"shop_cipher": shop.cipher},  # as stored at connect time (Get Authorized Shops)
    )
    connector = TikTokShopConnector(
        http,
        AppCredentials(
            app_key=config.app_key,
            app_secret=config.app_secret,
            base_url="http://tiktokshop.sandbox",
            auth_base_url="http://tiktokshop.sandbox",
        ),
        shop_id=shop.shop_id,
        tokens=tokens,
        market=MarketCode.ID,
        policy=HttpPolicy(),
        limits=unthrottled(TIKTOKSHOP_LIMITS),
    )

    async def close() -> None:
        await http.aclose()
        await sandbox.aclose()

    return Target(connector, sandbox.call_count, close)


def tiktokshop_min_pull(limits: ConnectorLimits, products: list[ProductDTO]) -> int:
    """⌈P/100⌉ search pages: the SKUs (price, stock, seller SKU) come inline, no detail call is needed."""
    return max(1, min_calls(len(products), limits.product_page))  # an empty shop still takes one page


BENCH = PlatformBench("tiktokshop", open_tiktokshop, tiktokshop_min_pull)
