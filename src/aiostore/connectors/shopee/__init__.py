"""Shopee Open Platform v2 connector (shopee-tiktokshop.md Part A): the platform's ``PLUGIN``."""

from __future__ import annotations

from pydantic import SecretStr

from aiostore.connectors.plugin import (
    PlatformPlugin,
    PlatformSettings,
    body_timestamp,
    platform_settings_config,
)
from aiostore.connectors.shopee.connector import SHOPEE_LIMITS, ShopeeConnector
from aiostore.domain.market import MarketCode
from aiostore.domain.platforms import Platform


class ShopeeSettings(PlatformSettings):
    """``AIOSTORE_SHOPEE_*``: the partner (app) this installation signs as."""

    model_config = platform_settings_config("shopee")
    enabled_by = ("partner_id", "partner_key")

    partner_id: str | None = None
    partner_key: SecretStr | None = None
    api_base_url: str = "https://partner.shopeemobile.com"


PLUGIN = PlatformPlugin(
    platform=Platform("shopee"),
    markets=frozenset({MarketCode.ID, MarketCode.SG, MarketCode.MY}),
    limits=SHOPEE_LIMITS,
    settings=ShopeeSettings,
    connector=lambda app: ShopeeConnector,
    push_time=body_timestamp,  # ``timestamp`` in the signed body
)

__all__ = ["PLUGIN", "SHOPEE_LIMITS", "ShopeeConnector", "ShopeeSettings"]
