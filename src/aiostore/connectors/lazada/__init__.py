"""Lazada Open Platform connector (lazada-tokopedia.md Part A; docs/marketplaces/lazada.md)."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from aiostore.connectors.dtos import AppCredentials, ConnectorLimits, ShopAccount
from aiostore.connectors.lazada.connector import LAZADA_LIMITS, LazadaConnector
from aiostore.connectors.tokens import OnTokens
from aiostore.http.client import HttpPolicy

LIMITS = LAZADA_LIMITS


def make_connector(
    http: httpx.AsyncClient,
    app: AppCredentials,
    account: ShopAccount,
    policy: HttpPolicy,
    limits: ConnectorLimits | None,
    clock: Callable[[], float] = time.time,
    on_tokens: OnTokens | None = None,
) -> LazadaConnector:
    """The registry's entry point (connectors/registry.py)."""
    return LazadaConnector(
        http,
        app,
        shop_id=account.shop_id,
        tokens=account.tokens,
        market=account.market,
        policy=policy,
        limits=limits or LAZADA_LIMITS,
        clock=clock,
        on_tokens=on_tokens,
    )


__all__ = ["LAZADA_LIMITS", "LIMITS", "LazadaConnector", "make_connector"]
