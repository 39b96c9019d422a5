"""A TikTok Shop connector talking to the TikTok Shop sandbox over HTTP (httpx.ASGITransport), on one manual
clock. Retry sleeps are recorded, not slept. The sandbox is imported only here, to build the app.
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
from aiostore.connectors.tiktokshop import TIKTOKSHOP_LIMITS, TikTokShopConnector
from aiostore.domain.market import MarketCode
from aiostore.http.client import HttpPolicy
from aiostore.sandbox.common import ManualClock
from aiostore.sandbox.tiktokshop import TikTokShopSandbox, TikTokShopSandboxConfig, create_app
from tests.integration.connectors.support import Sleeps, make_policy

APP_KEY = "6a1contract"
APP_SECRET = "contract-app-secret"
SHOP_ID = "7494726673780148744"
TOKEN = "ROW_contract-access-token"
REFRESH = "ROW_contract-refresh-token"
START = 1_700_000_000
BASE_URL = "http://tiktokshop.sandbox"
REDIRECT = "https://aiostore.example/api/channels/callback/tiktokshop"
APP = AppCredentials(app_key=APP_KEY, app_secret=APP_SECRET, base_url=BASE_URL, auth_base_url=BASE_URL)
# Fast for tests; the sandbox's limit is switched off unless a test sets one.
TEST_LIMITS = replace(TIKTOKSHOP_LIMITS, rate_per_second=10_000.0, burst=1_000)


@pytest.fixture(autouse=True)
def _clean_tables() -> None:
    """Connector contract tests use no database (overrides the integration-wide table cleaner)."""


@dataclass
class Env:
    sandbox: TikTokShopSandbox
    clock: ManualClock
    http: httpx.AsyncClient
    sleeps: Sleeps
    policy: HttpPolicy
    saved_tokens: list[TokenSet] = field(default_factory=list)

    @property
    def cipher(self) -> str:
        return self.sandbox.shop().cipher

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def tokens(self, *, expires_in: int = 7 * 86400, with_cipher: bool = True) -> TokenSet:
        return TokenSet(
            access_token=TOKEN,
            refresh_token=REFRESH,
            access_expires_at=self.now() + timedelta(seconds=expires_in),
            refresh_expires_at=self.now() + timedelta(days=365),
            shop_id=SHOP_ID,
            shop_ids=(SHOP_ID,),
            external_ids={"shop_cipher": self.cipher} if with_cipher else {},
        )

    def connector(
        self,
        *,
        tokens: TokenSet | None | bool = True,
        limits: ConnectorLimits = TEST_LIMITS,
        clock: Callable[[], float] | None = None,
        market: MarketCode | None = MarketCode.ID,
        policy: HttpPolicy | None = None,
        app: AppCredentials = APP,
        shop_id: str | None = SHOP_ID,
    ) -> TikTokShopConnector:
        async def save(fresh: TokenSet) -> None:
            self.saved_tokens.append(fresh)

        chosen = self.tokens() if tokens is True else (None if tokens is False else tokens)
        return TikTokShopConnector(
            self.http,
            app,
            shop_id=shop_id,
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


@asynccontextmanager
async def open_env(**overrides: Any) -> AsyncIterator[Env]:
    """A fresh sandbox (config ``overrides``) and an HTTP client to it; closed on exit."""
    clock = ManualClock(START)
    config = TikTokShopSandboxConfig(
        app_key=APP_KEY,
        app_secret=APP_SECRET,
        shop_id=SHOP_ID,
        region="ID",
        access_token=TOKEN,
        refresh_token=REFRESH,
        redirect_url=REDIRECT,
        clock=clock,
        rate_limit_rps=None,
        push_retry_delay=0.0,
    )
    for key, value in overrides.items():
        setattr(config, key, value)
    app = create_app(config)
    sandbox: TikTokShopSandbox = app.state.sandbox
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
