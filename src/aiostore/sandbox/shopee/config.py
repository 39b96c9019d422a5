"""Configuration of the Shopee sandbox. Defaults follow shopee-tiktokshop.md: timestamps valid 5 minutes
(§A2), access token 4 h, refresh token 30 days single-use, old access token 5 more minutes, auth code
10 minutes, authorization 365 days (§A3), order-list window 15 days (§A4). Shopee publishes no rate limit
(§A7): the default here is an assumption, generous enough for tests, and configurable.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiostore.sandbox.common.config import SandboxConfig


@dataclass(slots=True, kw_only=True)
class ShopeeSandboxConfig(SandboxConfig):
    # The first partner (app) and shop; more can be added with ShopeeSandbox.add_partner / add_shop.
    partner_id: int = 100001
    partner_key: str = "shopee-sandbox-partner-key"
    shop_id: int = 200001
    region: str = "ID"  # ID, SG or MY: currency IDR, SGD or MYR
    shop_name: str | None = None
    refresh_token: str | None = None  # its refresh token (generated when None)
    # Time rules.
    timestamp_tolerance: int = 300
    access_token_ttl: int = 4 * 3600
    refresh_token_ttl: int = 30 * 86400
    old_access_token_grace: int = 300
    auth_code_ttl: int = 600
    authorization_ttl: int = 365 * 86400
    order_list_max_window: int = 15 * 86400
    # Offset cap of product/get_item_list: Shopee has one but its value is unverified (§A4); None = no cap.
    item_list_offset_cap: int | None = None
