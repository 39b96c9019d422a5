"""Tokopedia connectors (lazada-tokopedia.md Part B; docs/marketplaces/tokopedia.md).

Two integration paths, one platform: a shop on Tokopedia's own seller API (the Fulfillment Service API,
``fs.tokopedia.net``) gets ``TokopediaConnector``; with ``AIOSTORE_TOKOPEDIA_API=tiktokshop`` shops migrated
to TikTok Shop's Partner API get ``via_tiktok.TokopediaViaTikTokConnector`` (TikTok Shop's app credentials,
``AppCredentials.extra["api"] == "tiktokshop"``), which reuses the TikTok Shop client and still reports the
channel as Tokopedia. Indonesia only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

from pydantic import SecretStr

from aiostore.connectors.dtos import AppCredentials, ConnectorLimits, ProductDTO
from aiostore.connectors.planned import PlannedConnector
from aiostore.connectors.plugin import (
    PlatformPlugin,
    PlatformSettings,
    body_timestamp,
    platform_settings_config,
)
from aiostore.connectors.tokopedia.connector import TOKOPEDIA_LIMITS, TokopediaConnector
from aiostore.domain.market import MarketCode
from aiostore.domain.platforms import Platform

TIKTOK_API = "tiktokshop"


class TokopediaApi(StrEnum):
    FS = "fs"  # Tokopedia's own Fulfillment Service API
    TIKTOKSHOP = TIKTOK_API  # shops moved onto TikTok Shop's Partner API (the TikTok app's credentials)


class TokopediaSettings(PlatformSettings):
    """``AIOSTORE_TOKOPEDIA_*``: which API serves the shops, and the FS app (``fs_id``, client id/secret)."""

    model_config = platform_settings_config("tokopedia")
    enabled_by = ("client_id", "client_secret")
    sandbox_pins = {"api": TokopediaApi.FS.value}  # the sandbox serves Tokopedia's own (FS) API

    api: TokopediaApi = TokopediaApi.FS
    fs_id: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    api_base_url: str = "https://fs.tokopedia.net"
    auth_base_url: str = "https://accounts.tokopedia.com"

    def extra(self) -> dict[str, str]:
        return {"fs_id": self.fs_id} if self.fs_id else {}

    def _tiktok(self, every: Mapping[str, PlatformSettings]) -> PlatformSettings:
        return every[TIKTOK_API]

    def credentials(self, every: Mapping[str, PlatformSettings]) -> AppCredentials | None:
        if self.api != TokopediaApi.TIKTOKSHOP:
            return super().credentials(every)
        # Tokopedia shops moved onto TikTok Shop: TikTok's app and API, shown as Tokopedia.
        app = self._tiktok(every).credentials(every)
        if app is None:
            return None
        return AppCredentials(
            app.app_key, app.app_secret, app.base_url, app.auth_base_url, {"api": TIKTOK_API, **app.extra}
        )

    def required(self) -> str:
        return super().required() if self.api != TokopediaApi.TIKTOKSHOP else TIKTOK_REQUIRED


TIKTOK_REQUIRED = "AIOSTORE_TIKTOKSHOP_APP_KEY and AIOSTORE_TIKTOKSHOP_APP_SECRET"


def _connector(app: AppCredentials) -> type[PlannedConnector]:
    """The FS API, or TikTok Shop's API when the app is configured for it (``app.extra["api"]``)."""
    if app.extra.get("api") == TIKTOK_API:
        from aiostore.connectors.tokopedia.via_tiktok import TokopediaViaTikTokConnector

        return TokopediaViaTikTokConnector
    return TokopediaConnector


def min_pull_calls(limits: ConnectorLimits, products: Sequence[ProductDTO]) -> int:
    """Listing pages only: ⌊rows/per_page⌋ + 1, rows counting every parent and variant product."""
    rows = sum(1 + len(p.variants) if p.has_variants else 1 for p in products)
    return rows // limits.product_page + 1


def _through_tiktok(app: AppCredentials) -> bool:
    """TikTok's pushes sign their ``timestamp``; Tokopedia's own sign no time (an HMAC of the body only)."""
    return app.extra.get("api") == TIKTOK_API


PLUGIN = PlatformPlugin(
    platform=Platform("tokopedia"),
    title="Tokopedia",
    markets=frozenset({MarketCode.ID}),
    limits=TOKOPEDIA_LIMITS,
    settings=TokopediaSettings,
    connector=_connector,
    min_pull_calls=min_pull_calls,
    push_time=body_timestamp,
    signs_push_time=_through_tiktok,
)

__all__ = ["PLUGIN", "TOKOPEDIA_LIMITS", "TokopediaApi", "TokopediaConnector", "TokopediaSettings"]
