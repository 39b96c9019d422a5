"""A Shopee connector talking to the Shopee sandbox over HTTP (httpx.ASGITransport), on one manual clock.

The sandbox answers with a ``Date`` header from its own clock, as real Shopee does; the connector uses
it to correct its clock offset. Retry sleeps are recorded, not slept. The sandbox is imported only here,
to build the app.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from aiostore.connectors.dtos import AppCredentials, ConnectorLimits, TokenSet
from aiostore.connectors.shopee import SHOPEE_LIMITS, ShopeeConnector
from aiostore.domain.market import MarketCode
from aiostore.http.client import HttpPolicy
from aiostore.sandbox.common import ManualClock
from aiostore.sandbox.shopee import ShopeeSandbox, ShopeeSandboxConfig, create_app
from tests.integration.connectors.support import Sleeps, make_policy

PARTNER_ID = 100001
PARTNER_KEY = "contract-partner-key"
SHOP_ID = 200001
TOKEN = "0123456789abcdef0123456789abcdef"
REFRESH = "fedcba9876543210fedcba9876543210"
START = 1_700_000_000
BASE_URL = "http://shopee.sandbox"
# Fast for tests; the sandbox's limit is switched off unless a test sets one.
TEST_LIMITS = replace(SHOPEE_LIMITS, rate_per_second=10_000.0, burst=1_000)


@pytest.fixture(autouse=True)
def _clean_tables() -> None:
    """Connector contract tests use no database (overrides the integration-wide table cleaner)."""


@dataclass
class Env:
    sandbox: ShopeeSandbox
    clock: ManualClock
    http: httpx.AsyncClient
    sleeps: Sleeps
    policy: HttpPolicy
    saved_tokens: list[TokenSet] = field(default_factory=list)

    def tokens(self, *, expires_in: int = 4 * 3600, access: str = TOKEN, refresh: str = REFRESH) -> TokenSet:
        now = datetime.fromtimestamp(self.clock(), UTC)
        return TokenSet(
            access_token=access,
            refresh_token=refresh,
            access_expires_at=now + timedelta(seconds=expires_in),
            refresh_expires_at=now + timedelta(days=30),
            shop_id=str(SHOP_ID),
            shop_ids=(str(SHOP_ID),),
        )

    def connector(
        self,
        *,
        tokens: TokenSet | None | bool = True,
        limits: ConnectorLimits = TEST_LIMITS,
        clock: Callable[[], float] | None = None,
        market: MarketCode | None = MarketCode.ID,
        policy: HttpPolicy | None = None,
    ) -> ShopeeConnector:
        async def save(fresh: TokenSet) -> None:
            self.saved_tokens.append(fresh)

        chosen = self.tokens() if tokens is True else (None if tokens is False else tokens)
        return ShopeeConnector(
            self.http,
            AppCredentials(app_key=str(PARTNER_ID), app_secret=PARTNER_KEY, base_url=BASE_URL),
            shop_id=str(SHOP_ID),
            tokens=chosen,
            market=market,
            policy=policy or self.policy,
            limits=limits,
            clock=clock or self.clock,
            on_tokens=save,
        )

    def calls(self, tail: str) -> int:
        return self.sandbox.call_count(tail)


MakeEnv = Callable[..., Awaitable[Env]]


def sandbox_config(**overrides: Any) -> ShopeeSandboxConfig:
    """The sandbox of these tests: our partner and shop with a known token (``overrides`` on top)."""
    config = ShopeeSandboxConfig(
        partner_id=PARTNER_ID,
        partner_key=PARTNER_KEY,
        shop_id=SHOP_ID,
        region="ID",
        access_token=TOKEN,
        refresh_token=REFRESH,
        push_retry_delay=0.0,
    )
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


@asynccontextmanager
async def open_env(**overrides: Any) -> AsyncIterator[Env]:
    """A fresh sandbox (config ``overrides``) and an HTTP client to it; closed on exit."""
    clock = ManualClock(START)
    app = create_app(sandbox_config(**{"clock": clock, "rate_limit_rps": None, **overrides}))
    sandbox: ShopeeSandbox = app.state.sandbox
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    sleeps = Sleeps()
    try:
        yield Env(sandbox, clock, http, sleeps, make_policy(sleeps))
    finally:
        await http.aclose()
        await sandbox.aclose()


@pytest.fixture
async def make_env() -> AsyncIterator[MakeEnv]:
    """``await make_env(products=..., orders=..., **sandbox_config)``: a fresh sandbox and client."""
    async with AsyncExitStack() as stack:

        async def make(**overrides: Any) -> Env:
            return await stack.enter_async_context(open_env(**overrides))

        yield make


@pytest.fixture
async def env(make_env: MakeEnv) -> Env:
    return await make_env(products=12, orders=30)
