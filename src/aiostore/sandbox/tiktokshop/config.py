"""Configuration of the TikTok Shop sandbox. Defaults follow shopee-tiktokshop.md Part B and
docs/marketplaces/tiktokshop.md: timestamps accepted from 5 minutes before to 30 seconds after the
server's time, access token 7 days and refresh token 365 days as absolute expiry times, auth code 30
minutes and single-use, pages of 1-100, order detail 1-50 ids. TikTok publishes no rate limit for these
markets: the default here is an assumption, above the connector's own, and configurable.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiostore.sandbox.common.config import SandboxConfig


@dataclass(slots=True, kw_only=True)
class TikTokShopSandboxConfig(SandboxConfig):
    # The app and its first shop; more shops can be added with TikTokShopSandbox.add_shop.
    app_key: str = "6a1sandboxapp"
    app_secret: str = "tiktokshop-sandbox-app-secret"  # noqa: S105 - a made-up default
    service_id: str = "7310000000000000001"
    redirect_url: str | None = None  # the app's registered redirect URL (Partner Center)
    shop_id: str = "7494726673780148744"
    region: str = "ID"  # ID, SG or MY: currency IDR, SGD or MYR
    shop_name: str | None = None
    shop_cipher: str | None = None  # generated when None
    refresh_token: str | None = None  # its refresh token (generated when None)
    # Time rules.
    timestamp_past_tolerance: int = 300
    timestamp_future_tolerance: int = 30
    access_token_ttl: int = 7 * 86400
    refresh_token_ttl: int = 365 * 86400
    old_access_token_grace: int = 300  # the previous access token after a refresh
    auth_code_ttl: int = 1800
    # Limits.
    max_page_size: int = 100
    max_order_ids: int = 50
    max_skus_per_product: int = 100
    # Rate limit per app_key + shop (+ seller for shop-less calls); None disables it.
    rate_limit_rps: float | None = 50.0
    rate_limit_burst: int = 50
