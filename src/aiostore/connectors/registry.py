"""The one place that picks a platform's connector, and dry-run (``RecordingConnector``) or live.

Each platform is a package ``aiostore.connectors.<platform>`` exporting ``make_connector`` (a
``ConnectorFactory``) and ``LIMITS``; adding a platform touches nothing here.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from types import ModuleType
from typing import Protocol

import httpx

from aiostore.connectors.base import PlanningConnector
from aiostore.connectors.dtos import AppCredentials, ConnectorLimits, ShopAccount
from aiostore.connectors.recording import OnRecord, RecordingConnector
from aiostore.connectors.tokens import OnTokens
from aiostore.domain.platforms import Platform
from aiostore.http.client import HttpPolicy, shared_policy

DRY = "dry"
LIVE = "live"

__all__ = ["ShopAccount", "UnsupportedPlatform", "default_limits", "factory", "get_connector"]


class UnsupportedPlatform(LookupError):
    pass


class ConnectorFactory(Protocol):
    """What each platform package exports as ``make_connector`` (beside ``LIMITS``)."""

    def __call__(
        self,
        http: httpx.AsyncClient,
        app: AppCredentials,
        account: ShopAccount,
        policy: HttpPolicy,
        limits: ConnectorLimits | None,
        clock: Callable[[], float],
        on_tokens: OnTokens | None,
    ) -> PlanningConnector: ...


def _package(platform: Platform) -> ModuleType:
    try:
        return importlib.import_module(f"aiostore.connectors.{platform.value}")
    except ModuleNotFoundError as exc:
        if exc.name != f"aiostore.connectors.{platform.value}":
            raise
        raise UnsupportedPlatform(f"no connector for {platform.value} yet") from exc


def factory(platform: Platform | str) -> ConnectorFactory:
    """``aiostore.connectors.<platform>.make_connector``: every platform plugs in the same way."""
    made: ConnectorFactory = _package(Platform(platform)).make_connector
    return made


def default_limits(platform: Platform | str) -> ConnectorLimits:
    limits: ConnectorLimits = _package(Platform(platform)).LIMITS
    return limits


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
    make = factory(platform)
    connector = make(http, app, account, policy or shared_policy(), limits, clock, on_tokens)
    if str(write_mode) == LIVE:
        return connector
    return RecordingConnector(connector, on_record=on_record)
