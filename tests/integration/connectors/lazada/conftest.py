"""A Lazada connector talking to the Lazada sandbox over HTTP (httpx.ASGITransport), on one manual clock.

The connector calls Lazada's real hosts (``api.lazada.co.id``, ``auth.lazada.com``); the transport hands
every request to the sandbox, which picks the gateway from the Host header as Lazada does. Retry sleeps
are recorded, not slept. The sandbox is imported only here (and in tests), to build the app.
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
from aiostore.connectors.lazada import LAZADA_LIMITS, LazadaConnector
from aiostore.domain.market import MarketCode
from aiostore.http.client import HttpPolicy
from aiostore.sandbox.common import ManualClock
from aiostore.sandbox.lazada import LazadaSandbox, LazadaSandboxConfig, create_app
from tests.integration.connectors.support import Sleeps, make_policy

APP_KEY = "100001"
APP_SECRET = "contract-app-secret"
SELLER_ID = "200001"
TOKEN = "50000600contract-access-token"
REFRESH = "50001600contract-refresh-token"
START = 1_700_000_000
# Fast for tests; the sandbox's limit is switched off unless a test sets one.
TEST_LIMITS = replace(LAZADA_LIMITS, rate_per_second=10_000.0, burst=1_000)


@pytest.fixture(autouse=True)
def _clean_tables() -> None:
    """Connector contract tests use no database (overrides the integration-wide table cleaner)."""


@dataclass
class Env:
    sandbox: LazadaSandbox
    clock: ManualClock
    http: httpx.AsyncClient
    sleeps: Sleeps
    policy: HttpPolicy
    saved_tokens: list[TokenSet] = field(default_factory=list)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def tokens(self, *, expires_in: int = 7 * 86400, access: str = TOKEN, refresh: str = REFRESH) -> TokenSet:
        return TokenSet(
            access_token=access,
            refresh_token=refresh,
            access_expires_at=self.now() + timedelta(seconds=expires_in),
            refresh_expires_at=self.now() + timedelta(days=14),
            shop_id=SELLER_ID,
            shop_ids=(SELLER_ID,),
            external_ids={"country": "id"},
        )

    def app(self, base_url: str = "") -> AppCredentials:
        return AppCredentials(APP_KEY, APP_SECRET, base_url, "https://auth.lazada.com")

    def connector(
        self,
        *,
        tokens: TokenSet | None | bool = True,
        limits: ConnectorLimits = TEST_LIMITS,
        clock: Callable[[], float] | None = None,
        market: MarketCode | None = MarketCode.ID,
        policy: HttpPolicy | None = None,
        base_url: str = "",
    ) -> LazadaConnector:
        async def save(fresh: TokenSet) -> None:
            self.saved_tokens.append(fresh)

        chosen = self.tokens() if tokens is True else (None if tokens is False else tokens)
        return LazadaConnector(
            self.http,
            self.app(base_url),
            shop_id=SELLER_ID if chosen else None,
            tokens=chosen,
            market=market,
            policy=policy or self.policy,
            limits=limits,
            clock=clock or self.clock,
            on_tokens=save,
        )

    def calls(self, path: str) -> int:
        return self.sandbox.call_count(path)


MakeEnv = Callable[..., Awaitable[Env]]


@asynccontextmanager
async def open_env(**overrides: Any) -> AsyncIterator[Env]:
    """A fresh sandbox (config ``overrides``) and an HTTP client to it; closed on exit."""
    clock = ManualClock(START)
    config = LazadaSandboxConfig(
        app_key=APP_KEY,
        app_secret=APP_SECRET,
        seller_id=SELLER_ID,
        country="ID",
        access_token=TOKEN,
        refresh_token=REFRESH,
        clock=clock,
        rate_limit_rps=None,
        push_retry_delay=0.0,
    )
    for key, value in overrides.items():
        setattr(config, key, value)
    app = create_app(config)
    sandbox: LazadaSandbox = app.state.sandbox
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
