"""Lazada Open Platform connector (lazada-tokopedia.md Part A): the platform's ``PLUGIN``."""

from __future__ import annotations

from pydantic import SecretStr

from aiostore.connectors.lazada.connector import LAZADA_LIMITS, LazadaConnector
from aiostore.connectors.plugin import (
    PlatformPlugin,
    PlatformSettings,
    body_timestamp,
    listing_pages,
    platform_settings_config,
)
from aiostore.domain.market import MarketCode
from aiostore.domain.platforms import Platform


class LazadaSettings(PlatformSettings):
    """``AIOSTORE_LAZADA_*``: the app; without ``api_base_url`` each seller's regional gateway is used."""

    model_config = platform_settings_config("lazada")
    enabled_by = ("app_key", "app_secret")

    app_key: str | None = None
    app_secret: SecretStr | None = None
    api_base_url: str | None = None
    auth_base_url: str = "https://auth.lazada.com"


PLUGIN = PlatformPlugin(
    platform=Platform("lazada"),
    title="Lazada",
    markets=frozenset({MarketCode.ID, MarketCode.SG, MarketCode.MY}),
    limits=LAZADA_LIMITS,
    settings=LazadaSettings,
    connector=lambda app: LazadaConnector,
    min_pull_calls=listing_pages,  # /products/get pages, SKUs inline
    push_time=body_timestamp,  # ``timestamp`` (ms or s) in the signed body
)

__all__ = ["LAZADA_LIMITS", "PLUGIN", "LazadaConnector", "LazadaSettings"]
