"""Tokopedia connectors (lazada-tokopedia.md Part B; docs/marketplaces/tokopedia.md).

Two integration paths, one platform: a shop on Tokopedia's own seller API (the Fulfillment Service API,
``fs.tokopedia.net``) gets ``TokopediaConnector``; a shop migrated to TikTok Shop's Partner API
(``AppCredentials.extra["api"] == "tiktokshop"``) gets the connector of ``via_tiktok``, which reuses the
TikTok Shop client and still reports the channel as Tokopedia. Indonesia only.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from aiostore.connectors.base import PlanningConnector
from aiostore.connectors.dtos import AppCredentials, ConnectorLimits, ShopAccount
from aiostore.connectors.tokens import OnTokens
from aiostore.connectors.tokopedia.connector import TOKOPEDIA_LIMITS, TokopediaConnector
from aiostore.http.client import HttpPolicy

LIMITS = TOKOPEDIA_LIMITS
TIKTOK_API = "tiktokshop"


def make_connector(
    http: httpx.AsyncClient,
    app: AppCredentials,
    account: ShopAccount,
    policy: HttpPolicy,
    limits: ConnectorLimits | None,
    clock: Callable[[], float] = time.time,
    on_tokens: OnTokens | None = None,
) -> PlanningConnector:
    """The registry's entry point (connectors/registry.py): the FS API, or TikTok Shop's API when the app
    is configured for it (``app.extra["api"] == "tiktokshop"``)."""
    if app.extra.get("api") == TIKTOK_API:
        from aiostore.connectors.tokopedia.via_tiktok import make_tiktok_connector

        return make_tiktok_connector(http, app, account, policy, limits, clock, on_tokens)
    return TokopediaConnector(
        http,
        app,
        shop_id=account.shop_id,
        tokens=account.tokens,
        market=account.market,
        policy=policy,
        limits=limits or TOKOPEDIA_LIMITS,
        clock=clock,
        on_tokens=on_tokens,
    )


__all__ = ["LIMITS", "TOKOPEDIA_LIMITS", "TokopediaConnector", "make_connector"]
