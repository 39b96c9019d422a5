"""Configuration of the Tokopedia FS API sandbox (lazada-tokopedia.md Part B; docs/marketplaces/tokopedia.md).

Defaults: the app token lives 14 days (news 2021-10-22; ``expires_in`` rules), product pages of at most 50
(``per_page``), ``last_sort`` needed past 10,000 listed products, stock and price updates of at most 100
rows, order pages of at most 100 and order windows of at most 3 days (commonly cited, unverified; None
lifts it). The published rate limit example is 5 req/s with bursts of 5 per endpoint: ``standalone`` uses
it; this default is looser (100/s, burst 20, as the Shopee sandbox's) so tests run at full speed. Tokopedia
serves Indonesian sellers only: ``region`` must be ID.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from aiostore.sandbox.common import FaultConfig


@dataclass(slots=True)
class TokopediaSandboxConfig:
    # The first app (fs_id with its client credentials) and shop.
    fs_id: int = 13004
    client_id: str = "tokopedia-sandbox-client"
    client_secret: str = "tokopedia-sandbox-secret"  # noqa: S105 - a sandbox default
    webhook_secret: str | None = None  # None: the client secret (what AIOStore registers as webhook_secret)
    shop_id: int = 479573
    region: str = "ID"
    shop_name: str | None = None
    access_token: str | None = None  # a known app token granted at start
    link_shop: bool = True  # the seller already approved the app for the first shop
    # Seed data for the first shop.
    products: int = 0
    orders: int = 0
    variants_per_product: int = 3
    seed: int = 1
    # Webhook delivery (every order webhook URL of the first app).
    push_url: str | None = None
    push_transport: httpx.AsyncBaseTransport | None = None  # tests: httpx.ASGITransport / MockTransport
    push_timeout: float = 5.0
    push_max_attempts: int = 3
    push_retry_delay: float = 0.5
    # Tokens and approval.
    access_token_ttl: int = 14 * 86400
    auth_session_ttl: int = 600
    # Page and batch limits.
    product_page_max: int = 50
    last_sort_after: int = 10_000
    product_ids_max: int = 50
    update_rows_max: int = 100  # stock/update and price/update
    create_products_max: int = 20
    status_products_max: int = 25  # active / inactive
    order_page_max: int = 100
    order_list_max_window: int | None = 3 * 86400
    # Rate limit per app and endpoint; None disables it.
    rate_limit_rps: float | None = 100.0
    rate_limit_burst: int = 20
    faults: FaultConfig = field(default_factory=FaultConfig)
    # Business time (token expiry, order times) and the rate limiter's clock.
    clock: Callable[[], float] = time.time
    monotonic: Callable[[], float] = time.monotonic
