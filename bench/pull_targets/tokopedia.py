"""Tokopedia (FS API): the sandbox seeded for the benchmark, and the fewest pull calls its limits allow.

A Tokopedia variant is a product row of the listing itself, so a shop of P products with M variants each
lists P × (1 + M) rows (P rows without variants). The listing reports no total: the pull ends on the first
page that is not full, so it takes ⌊rows / per_page⌋ + 1 pages (MARKETPLACES.md's ⌈P/per_page⌉, plus the
closing page when the rows fill the last page exactly).
"""

from __future__ import annotations

import httpx

from aiostore.connectors.dtos import AppCredentials, ConnectorLimits, ProductDTO, TokenSet
from aiostore.http.client import HttpPolicy
from pull_targets import PlatformBench, Target, unthrottled


async def open_tokopedia(products: int, models: int) -> Target:
    from datetime import UTC, datetime, timedelta

    from aiostore.connectors.tokopedia import TOKOPEDIA_LIMITS, TokopediaConnector
    from aiostore.domain.market import MarketCode
    from aiostore.sandbox.tokopedia import TokopediaSandbox, TokopediaSandboxConfig, create_app

    client_id, secret, fs_id, shop_id, token = "bench-client", "bench-secret", 13004, 479573, "bench-token"
    config = TokopediaSandboxConfig(
        fs_id=fs_id,
        client_id=client_id,
        client_secret=secret,
        shop_id=shop_id,
        access_token=token,
        products=products,
        variants_per_product=models,
        rate_limit_rps=None,
    )
    app = create_app(config)
    sandbox: TokopediaSandbox = app.state.sandbox
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    now = datetime.now(UTC)
    base = "http://tokopedia.sandbox"
    connector = TokopediaConnector(
        http,
        AppCredentials(client_id, secret, base, base, {"fs_id": str(fs_id)}),
        shop_id=str(shop_id),
        tokens=TokenSet(token, "", now + timedelta(days=14), None, shop_id=str(shop_id)),
        market=MarketCode.ID,
        policy=HttpPolicy(),
        limits=unthrottled(TOKOPEDIA_LIMITS),
    )

    async def close() -> None:
        await http.aclose()
        await sandbox.aclose()

    return Target(connector, sandbox.call_count, close)


def tokopedia_min_pull(limits: ConnectorLimits, products: list[ProductDTO]) -> int:
    """Listing pages only: ⌊rows/per_page⌋ + 1, rows counting every parent and variant product."""
    rows = sum(1 + len(p.variants) if p.has_variants else 1 for p in products)
    return rows // limits.product_page + 1


BENCH = PlatformBench("tokopedia", open_tokopedia, tokopedia_min_pull)
