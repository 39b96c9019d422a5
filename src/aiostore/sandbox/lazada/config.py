"""Configuration of the Lazada sandbox. Defaults follow lazada-tokopedia.md and Lazada's API reference:
timestamps within 7200 s (§A2); an app in test status: access token 7 days, refresh token 14 days; auth
codes 30 minutes (§A3); /products/get limit ≤ 50 and offset ≤ 10000; /orders/get limit ≤ 100 and offset
≤ 5000; /orders/items/get ≤ 50 order ids; price_quantity ≤ 50 SKUs; fulfilment batches ≤ 20 (§A4);
50 calls/s per seller (the inventory guide's figure, used for every API here, §A7).
"""

from __future__ import annotations

from dataclasses import dataclass

from aiostore.sandbox.common.config import SandboxConfig


@dataclass(slots=True, kw_only=True)
class LazadaSandboxConfig(SandboxConfig):
    # The first app and seller; more can be added with LazadaSandbox.add_app / add_seller.
    app_key: str = "100001"
    app_secret: str = "lazada-sandbox-app-secret"  # noqa: S105 - a sandbox default, not a credential
    callback_url: str | None = None  # the app's registered callback; None accepts any http(s) URL
    seller_id: str = "200001"
    country: str = "ID"  # ID, SG or MY: gateway api.lazada.co.id / .sg / .com.my, IDR / SGD / MYR
    seller_name: str | None = None
    refresh_token: str | None = None
    # Time rules.
    timestamp_tolerance: int = 7200
    access_token_ttl: int = 7 * 86400
    refresh_token_ttl: int = 14 * 86400
    auth_code_ttl: int = 1800
    # Push message type 8 this long before an authorisation ends, at most once per alert_every (§A8).
    auth_expiry_alert_before: int = 48 * 3600
    auth_expiry_alert_every: int = 86400
    # Page and batch limits.
    product_page_max: int = 50
    product_offset_max: int = 10_000
    order_page_max: int = 100
    order_offset_max: int = 5_000
    order_ids_max: int = 50
    sku_batch_max: int = 50
    package_batch_max: int = 20
    # Rate limit per app + seller; None disables it.
    rate_limit_rps: float | None = 50.0
    rate_limit_burst: int = 50
