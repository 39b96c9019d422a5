"""The one place that knows the platforms: it discovers each ``connectors/<platform>/`` package's
``PLUGIN`` (``connectors.plugin.PlatformPlugin``) and builds connectors, dry-run (``RecordingConnector``) or
live. Adding a platform touches nothing here.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Mapping
from functools import cache

import httpx

from aiostore.connectors.base import PlanningConnector
from aiostore.connectors.dtos import AppCredentials, ConnectorLimits, ShopAccount
from aiostore.connectors.plugin import PlatformPlugin, PlatformSettings
from aiostore.connectors.recording import OnRecord, RecordingConnector
from aiostore.connectors.tokens import Coordinator, OnTokens
from aiostore.domain.platforms import Platform
from aiostore.http.client import HttpPolicy, shared_policy

DRY = "dry"
LIVE = "live"

__all__ = [
    "ShopAccount",
    "UnsupportedPlatform",
    "default_limits",
    "get_connector",
    "load_settings",
    "make",
    "plugin",
    "plugins",
]


class UnsupportedPlatform(LookupError):
    pass


@cache
def plugin(platform: Platform | str) -> PlatformPlugin:
    """``aiostore.connectors.<platform>.PLUGIN``."""
    try:
        name = Platform(platform).value
    except ValueError as exc:
        raise UnsupportedPlatform(f"no platform {platform}") from exc
    found = getattr(importlib.import_module(f"aiostore.connectors.{name}"), "PLUGIN", None)
    if not isinstance(found, PlatformPlugin) or found.name != name:
        raise UnsupportedPlatform(f"aiostore.connectors.{name} exports no PLUGIN for {name}")
    return found


def plugins() -> list[PlatformPlugin]:
    """Every platform, in ``Platform`` order."""
    return [plugin(p) for p in Platform]


def default_limits(platform: Platform | str) -> ConnectorLimits:
    return plugin(platform).limits


def load_settings() -> dict[str, PlatformSettings]:
    """Each platform's settings, read from the environment (``AIOSTORE_<PLATFORM>_*``) and ``.env``."""
    return {p.name: p.settings() for p in plugins()}


def credentials(platform: Platform | str, every: Mapping[str, PlatformSettings]) -> AppCredentials | None:
    """This installation's app on ``platform`` (None while it is not configured)."""
    return every[plugin(platform).name].credentials(every)


def make(
    platform: Platform | str,
    http: httpx.AsyncClient,
    app: AppCredentials,
    account: ShopAccount,
    policy: HttpPolicy,
    limits: ConnectorLimits | None = None,
    clock: Callable[[], float] = time.time,
    on_tokens: OnTokens | None = None,
    coordinator: Coordinator | None = None,
) -> PlanningConnector:
    """The live connector of ``platform`` for ``account`` (the class its plugin picks for ``app``)."""
    found = plugin(platform)
    connector_class = found.connector(app)
    connector: PlanningConnector = connector_class(  # type: ignore[assignment]
        http,
        app,
        shop_id=account.shop_id,
        tokens=account.tokens,
        market=account.market,
        policy=policy,
        limits=limits,
        clock=clock,
        on_tokens=on_tokens,
        coordinator=coordinator,
    )
    return connector


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
    coordinator: Coordinator | None = None,
) -> PlanningConnector:
    """The connector for ``platform`` acting for ``account``; a ``RecordingConnector`` unless ``live``.

    ``write_mode`` takes ``settings.write_mode`` (``"dry"`` or ``"live"``); anything but ``"live"`` is dry.
    Without ``policy`` the process-wide ``shared_policy()`` is used, so rate limits (per shop) and breakers
    (per platform) hold across every job in the process.
    """
    connector = make(
        platform, http, app, account, policy or shared_policy(), limits, clock, on_tokens, coordinator
    )
    if str(write_mode) == LIVE:
        return connector
    return RecordingConnector(connector, on_record=on_record)
