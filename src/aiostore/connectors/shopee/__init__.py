"""Shopee Open Platform v2 connector (shopee-tiktokshop.md Part A): the platform's ``PLUGIN``."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import SecretStr

from aiostore.connectors.batching import min_calls
from aiostore.connectors.dtos import ConnectorLimits, ProductDTO
from aiostore.connectors.plugin import (
    PlatformPlugin,
    PlatformSettings,
    body_timestamp,
    listing_pages,
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


def min_pull_calls(limits: ConnectorLimits, products: Sequence[ProductDTO]) -> int:
    """⌈P/100⌉ list pages + ⌈P/50⌉ base-info calls + one model-list call per item with models."""
    with_models = sum(1 for p in products if p.has_variants)
    details = min_calls(len(products), limits.product_detail_batch)
    return listing_pages(limits, products) + details + with_models


PLUGIN = PlatformPlugin(
    platform=Platform("shopee"),
    title="Shopee",
    markets=frozenset({MarketCode.ID, MarketCode.SG, MarketCode.MY}),
    limits=SHOPEE_LIMITS,
    settings=ShopeeSettings,
    connector=lambda app: ShopeeConnector,
    min_pull_calls=min_pull_calls,
    push_time=body_timestamp,  # ``timestamp`` in the signed body
)

__all__ = ["PLUGIN", "SHOPEE_LIMITS", "ShopeeConnector", "ShopeeSettings"]
