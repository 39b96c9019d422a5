"""TikTok Shop Partner API (202309+) connector (shopee-tiktokshop.md Part B; docs/marketplaces/tiktokshop.md).

Reusable pieces for Tokopedia shops served through TikTok Shop: ``signing`` (pure functions),
``client.TikTokShopClient`` (hosts, platform name, token and cipher sources injected), ``paths``,
``mapping``/``order_mapping`` and ``webhooks.parse_push(platform=…)``; ``TikTokShopSettings`` (the app).
"""

from __future__ import annotations

from pydantic import SecretStr

from aiostore.connectors.plugin import (
    PlatformPlugin,
    PlatformSettings,
    body_timestamp,
    listing_pages,
    platform_settings_config,
)
from aiostore.connectors.tiktokshop.connector import TIKTOKSHOP_LIMITS, TikTokShopConnector
from aiostore.domain.market import MarketCode
from aiostore.domain.platforms import Platform


class TikTokShopSettings(PlatformSettings):
    """``AIOSTORE_TIKTOKSHOP_*``: the app (also the one Tokopedia shops moved onto TikTok Shop use)."""

    model_config = platform_settings_config("tiktokshop")
    enabled_by = ("app_key", "app_secret")
    sandbox_unset = ("service_id",)  # with it, sellers authorize on TikTok's own host, not the sandbox's

    app_key: str | None = None
    app_secret: SecretStr | None = None
    service_id: str | None = None
    api_base_url: str = "https://open-api.tiktokglobalshop.com"
    auth_base_url: str = "https://auth.tiktok-shops.com"

    def extra(self) -> dict[str, str]:
        return {"service_id": self.service_id} if self.service_id else {}


PLUGIN = PlatformPlugin(
    platform=Platform("tiktokshop"),
    title="TikTok Shop",
    markets=frozenset({MarketCode.ID, MarketCode.SG, MarketCode.MY}),
    limits=TIKTOKSHOP_LIMITS,
    settings=TikTokShopSettings,
    connector=lambda app: TikTokShopConnector,
    min_pull_calls=listing_pages,  # search pages: the SKUs come inline
    push_time=body_timestamp,  # ``timestamp`` in the signed body
)

__all__ = ["PLUGIN", "TIKTOKSHOP_LIMITS", "TikTokShopConnector", "TikTokShopSettings"]
