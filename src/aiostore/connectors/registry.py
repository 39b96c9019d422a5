"""The one place that picks a platform's connector, and dry-run (``RecordingConnector``) or live."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from aiostore.connectors.base import PlanningConnector
from aiostore.connectors.dtos import AppCredentials, ConnectorLimits, TokenSet
from aiostore.connectors.recording import OnRecord, RecordingConnector
from aiostore.connectors.shopee.connector import SHOPEE_LIMITS, ShopeeConnector
from aiostore.connectors.tokens import OnTokens
from aiostore.domain.market import MarketCode
from aiostore.domain.platforms import Platform
from aiostore.http.client import HttpPolicy, shared_policy

DRY = "dry"
LIVE = "live"


@dataclass(frozen=True, slots=True)
class ShopAccount:
    """The shop a connector acts for: its platform id, market and current tokens (None before OAuth)."""

    shop_id: str | None = None
    market: MarketCode | None = None
    tokens: TokenSet | None = None


class UnsupportedPlatform(LookupError):
    pass


def _shopee(
    http: httpx.AsyncClient,
    app: AppCredentials,
    account: ShopAccount,
    policy: HttpPolicy,
    limits: ConnectorLimits | None,
    clock: Callable[[], float],
    on_tokens: OnTokens | None,
) -> PlanningConnector:
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


_FACTORIES = {Platform.SHOPEE: _shopee}
DEFAULT_LIMITS: dict[Platform, ConnectorLimits] = {Platform.SHOPEE: SHOPEE_LIMITS}


def get_connector(
    platform: Platform | str,
    app: AppCredentials,
    account: ShopAccount,
    http: httpx.AsyncClient,
    *,
    write_mode: str = DRY,
    policy: HttpPolicy | None = None,
    limits: ConnectorLimits | None = None,
    clock: Callable[[], float] = time.time,
    on_tokens: OnTokens | None = None,
    on_record: OnRecord | None = None,
) -> PlanningConnector:
    """The connector for ``platform`` acting for ``account``; a ``RecordingConnector`` unless ``live``.

    ``write_mode`` takes ``settings.write_mode`` (``"dry"`` or ``"live"``); anything but ``"live"`` is dry.
    Without ``policy`` the process-wide ``shared_policy()`` is used, so rate limits (per shop) and breakers
    (per platform) hold across every job in the process.
    """
    factory = _FACTORIES.get(Platform(platform))
    if factory is None:
        raise UnsupportedPlatform(f"no connector for {platform} yet")
    connector = factory(http, app, account, policy or shared_policy(), limits, clock, on_tokens)
    if str(write_mode) == LIVE:
        return connector
    return RecordingConnector(connector, on_record=on_record)
