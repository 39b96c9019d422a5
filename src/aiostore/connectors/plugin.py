"""What a platform is to the rest of AIOStore: one ``PlatformPlugin`` per ``connectors/<platform>/``.

Each platform package exports ``PLUGIN``: its name, the markets it serves, its limits, its own settings
model (read from ``AIOSTORE_<PLATFORM>_*``), the connector class that serves an app's credentials, and
where its pushes carry a signed send time. ``connectors.registry`` discovers the packages; nothing else
names a platform.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Self

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from aiostore.connectors.batching import min_calls
from aiostore.connectors.dtos import AppCredentials, ConnectorLimits, ProductDTO
from aiostore.connectors.planned import PlannedConnector
from aiostore.domain.market import MarketCode
from aiostore.domain.platforms import Platform


def platform_settings_config(platform: str) -> SettingsConfigDict:
    """The environment prefix every platform's settings use: ``AIOSTORE_<PLATFORM>_``."""
    return SettingsConfigDict(
        env_prefix=f"AIOSTORE_{platform.upper()}_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )


class PlatformSettings(BaseSettings):
    """A platform's own settings. ``enabled_by`` names the two that enable it: its app's key and secret."""

    enabled_by: ClassVar[tuple[str, str]]
    # A sandbox app (``for_sandbox``) sets these to fixed values (e.g. which of the platform's APIs it
    # serves) and leaves these unset (e.g. an id with which the connector sends sellers to the real host).
    sandbox_pins: ClassVar[Mapping[str, str]] = {}
    sandbox_unset: ClassVar[tuple[str, ...]] = ()

    redirect_url: str | None = None

    @classmethod
    def for_app(cls, app_key: str, app_secret: str, base_url: str, source: object = None) -> Self:
        """Settings for one app whose API and auth hosts are ``base_url`` (a sandbox, a benchmark); the
        platform's other settings take ``source``'s attributes of the same names (e.g. ``fs_id``)."""
        values: dict[str, object] = {cls.enabled_by[0]: app_key, cls.enabled_by[1]: app_secret}
        values |= {f: base_url for f in ("api_base_url", "auth_base_url") if f in cls.model_fields}
        for field in cls.model_fields:
            if field not in values and getattr(source, field, None):
                values[field] = str(getattr(source, field))
        return cls.model_validate(values)

    @classmethod
    def for_sandbox(cls, app_key: str, app_secret: str, base_url: str, source: object = None) -> Self:
        """``for_app`` for a marketplace sandbox at ``base_url``, with ``sandbox_pins`` set explicitly (so
        ``env()`` names them) and ``sandbox_unset`` left unset."""
        app = cls.for_app(app_key, app_secret, base_url.rstrip("/"), source)
        values = {f: getattr(app, f) for f in app.model_fields_set if f not in cls.sandbox_unset}
        return cls.model_validate({**values, **cls.sandbox_pins})

    def env(self) -> dict[str, str]:
        """The settings set explicitly, as the environment variables that set them."""
        values: dict[str, str] = {}
        for field in sorted(self.model_fields_set):
            value = getattr(self, field)
            if value is not None:
                text = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
                values[self.env_name(field)] = text
        return values

    def env_name(self, field: str) -> str:
        return f"{self.model_config.get('env_prefix', '')}{field}".upper()

    def app_identity(self) -> tuple[str | None, SecretStr | None]:
        key = getattr(self, self.enabled_by[0])
        secret = getattr(self, self.enabled_by[1])
        return (str(key) if key else None), secret

    def required(self) -> str:
        """The settings to set to enable this platform (for the problem shown when they are missing)."""
        return " and ".join(self.env_name(field) for field in self.enabled_by)

    def extra(self) -> dict[str, str]:
        """``AppCredentials.extra`` for this platform (its app's other identifiers)."""
        return {}

    def credentials(self, every: Mapping[str, PlatformSettings]) -> AppCredentials | None:
        """This installation's app on the platform, or None while it is not configured. ``every`` holds
        the other platforms' settings, for a platform served through another's API."""
        key, secret = self.app_identity()
        if not key or secret is None:
            return None
        base = getattr(self, "api_base_url", None) or ""
        return AppCredentials(
            key, secret.get_secret_value(), base, getattr(self, "auth_base_url", None), self.extra()
        )


ConnectorChoice = Callable[[AppCredentials], type[PlannedConnector]]
# The send time (Unix seconds) a push carries under its signature, read from its body as the intake already
# parsed it under the input policy (input_policy.loads): None where it carries none.
PushTime = Callable[[AppCredentials, object], float | None]
# The fewest calls a full product pull can take, given the limits and what was pulled (MARKETPLACES.md
# "The minimum number of calls"): the benchmark holds each connector to it.
MinPullCalls = Callable[[ConnectorLimits, Sequence[ProductDTO]], int]


@dataclass(frozen=True, slots=True)
class PlatformPlugin:
    platform: Platform
    title: str  # how sellers know the platform ("TikTok Shop")
    markets: frozenset[MarketCode]
    limits: ConnectorLimits
    settings: type[PlatformSettings]
    connector: ConnectorChoice  # the connector class that serves these app credentials
    min_pull_calls: MinPullCalls
    # How to read a push's signed send time, None where the platform signs none; a push whose time is
    # outside the tolerance is refused (a replay).
    push_time: PushTime | None = None
    # Whether the pushes of this app sign their send time (a platform reached through another's API may).
    signs_push_time: Callable[[AppCredentials], bool] = lambda app: True

    def push_time_of(self, app: AppCredentials) -> PushTime | None:
        """How to read the signed send time of this app's pushes; None where they sign none."""
        return self.push_time if self.push_time is not None and self.signs_push_time(app) else None

    @property
    def name(self) -> str:
        return self.platform.value

    def serves(self, market: MarketCode) -> bool:
        return market in self.markets


def listing_pages(limits: ConnectorLimits, products: Sequence[ProductDTO]) -> int:
    """⌈P/page⌉ listing pages with the variants inline (an empty shop still takes one page)."""
    return max(1, min_calls(len(products), limits.product_page))


def body_timestamp(app: AppCredentials, push: object) -> float | None:
    """The push's top-level ``timestamp`` (seconds, or milliseconds past 10^11) as Unix seconds; None when
    the body carries none the platform could have signed."""
    if not isinstance(push, dict):
        return None
    try:
        number = float(push["timestamp"])
    except (ValueError, TypeError, KeyError):
        return None
    if not math.isfinite(number) or number <= 0:
        return None
    return number / 1000 if number > 10**11 else number
