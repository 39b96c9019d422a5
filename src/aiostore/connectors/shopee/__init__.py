"""Shopee Open Platform v2 connector (shopee-tiktokshop.md Part A)."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from aiostore.connectors.dtos import AppCredentials, ConnectorLimits, ShopAccount
from aiostore.connectors.shopee.connector import SHOPEE_LIMITS, ShopeeConnector
from aiostore.connectors.tokens import OnTokens
from aiostore.http.client import HttpPolicy

LIMITS = SHOPEE_LIMITS


def make_connector(
    http: httpx.AsyncClient,
    app: AppCredentials,
    account: ShopAccount,
    policy: HttpPolicy,
    limits: ConnectorLimits | None,
    clock: Callable[[], float] = time.time,
    on_tokens: OnTokens | None = None,
) -> ShopeeConnector:
    """The registry's entry point (connectors/registry.py)."""
    return ShopeeConnector(
        http,
        app,
        shop_id=account.shop_id,
        tokens=account.tokens,
        market=account.market,
        policy=policy,
        limits=limits or SHOPEE_LIMITS,
        clock=clock,
        on_tokens=on_tokens,
    )


__all__ = ["LIMITS", "SHOPEE_LIMITS", "ShopeeConnector", "make_connector"]
