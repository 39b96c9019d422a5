"""Configuration of the Tokopedia FS API sandbox (lazada-tokopedia.md Part B; docs/marketplaces/tokopedia.md).

Defaults: the app token lives 14 days (news 2021-10-22; ``expires_in`` rules), product pages of at most 50
(``per_page``), ``last_sort`` needed past 10,000 listed products, stock and price updates of at most 100
rows, order pages of at most 100 and order windows of at most 3 days (commonly cited, unverified; None
lifts it). The published rate limit example is 5 req/s with bursts of 5 per endpoint: ``standalone`` uses
it; this default is looser (100/s, burst 20, as the Shopee sandbox's) so tests run at full speed. Tokopedia
serves Indonesian sellers only: ``region`` must be ID.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiostore.sandbox.common.config import SandboxConfig


@dataclass(slots=True, kw_only=True)
class TokopediaSandboxConfig(SandboxConfig):
    # The first app (fs_id with its client credentials) and shop.
    fs_id: int = 13004
    client_id: str = "tokopedia-sandbox-client"
    client_secret: str = "tokopedia-sandbox-secret"  # noqa: S105 - a sandbox default
    webhook_secret: str | None = None  # None: the client secret (what AIOStore registers as webhook_secret)
    shop_id: int = 479573
    region: str = "ID"
    shop_name: str | None = None
    link_shop: bool = True  # the seller already approved the app for the first shop
    # Tokens and approval.
    access_token_ttl: int = 14 * 86400
    # Page and batch limits.
    product_page_max: int = 50
    last_sort_after: int = 10_000
    product_ids_max: int = 50
    update_rows_max: int = 100  # stock/update and price/update
    create_products_max: int = 20
    status_products_max: int = 25  # active / inactive
    order_page_max: int = 100
    order_list_max_window: int | None = 3 * 86400
