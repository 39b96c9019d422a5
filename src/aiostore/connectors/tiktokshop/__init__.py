"""TikTok Shop Partner API (202309+) connector (shopee-tiktokshop.md Part B; docs/marketplaces/tiktokshop.md).

Reusable pieces for Tokopedia shops served through TikTok Shop: ``signing`` (pure functions),
``client.TikTokShopClient`` (hosts, platform name, token and cipher sources injected), ``paths``,
``mapping``/``order_mapping`` and ``webhooks.parse_push(platform=…)``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from aiostore.connectors.dtos import AppCredentials, ConnectorLimits, ShopAccount
from aiostore.connectors.tiktokshop.connector import TIKTOKSHOP_LIMITS, TikTokShopConnector
from aiostore.connectors.tokens import OnTokens
from aiostore.http.client import HttpPolicy

LIMITS = TIKTOKSHOP_LIMITS


def make_connector(
    http: httpx.AsyncClient,
    app: AppCredentials,
    account: ShopAccount,
    policy: HttpPolicy,
    limits: ConnectorLimits | None,
    clock: Callable[[], float] = time.time,
    on_tokens: OnTokens | None = None,
) -> TikTokShopConnector:
    """The registry's entry point (connectors/registry.py)."""
    return TikTokShopConnector(
        http,
        app,
        shop_id=account.shop_id,
        tokens=account.tokens,
        market=account.market,
        policy=policy,
        limits=limits or TIKTOKSHOP_LIMITS,
        clock=clock,
        on_tokens=on_tokens,
    )


__all__ = ["LIMITS", "TIKTOKSHOP_LIMITS", "TikTokShopConnector", "make_connector"]
