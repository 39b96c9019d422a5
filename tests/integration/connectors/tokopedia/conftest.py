"""A Tokopedia connector talking to the Tokopedia sandbox over HTTP (httpx.ASGITransport), on one manual
clock. Retry and upload-poll sleeps are recorded, not slept. The sandbox is imported only here."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from aiostore.connectors.dtos import AppCredentials, ConnectorLimits, TokenSet
from aiostore.connectors.tokopedia import TOKOPEDIA_LIMITS, TokopediaConnector
from aiostore.domain.market import MarketCode
from aiostore.http.client import HttpPolicy
from aiostore.sandbox.common import ManualClock
from aiostore.sandbox.tokopedia import TokopediaSandbox, TokopediaSandboxConfig, create_app
from tests.integration.connectors.support import Sleeps, make_policy

FS_ID = 13004
CLIENT_ID = "contract-client"
CLIENT_SECRET = "contract-secret"
SHOP_ID = 479573
TOKEN = "LSPr7x7sRGaewzwZE6IcuA"
START = 1_700_000_000
BASE_URL = "http://tokopedia.sandbox"
APP = AppCredentials(CLIENT_ID, CLIENT_SECRET, BASE_URL, BASE_URL, {"fs_id": str(FS_ID)})
TEST_LIMITS = replace(TOKOPEDIA_LIMITS, rate_per_second=10_000.0, burst=1_000)


@pytest.fixture(autouse=True)
def _clean_tables() -> None:
    """Connector contract tests use no database (overrides the integration-wide table cleaner)."""


@dataclass
class Env:
    sandbox: TokopediaSandbox
    clock: ManualClock
    http: httpx.AsyncClient
    sleeps: Sleeps
    policy: HttpPolicy
    saved_tokens: list[TokenSet] = field(default_factory=list)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def tokens(self, *, expires_in: int = 14 * 86400, access: str = TOKEN) -> TokenSet:
        return TokenSet(
            access_token=access,
            refresh_token="",
            access_expires_at=self.now() + timedelta(seconds=expires_in),
            refresh_expires_at=None,
            shop_id=str(SHOP_ID),
            external_ids={"fs_id": str(FS_ID)},
        )

    def connector(
        self,
        *,
        tokens: TokenSet | None | bool = True,
        limits: ConnectorLimits = TEST_LIMITS,
        shop_id: str | None = str(SHOP_ID),
        policy: HttpPolicy | None = None,
        app: AppCredentials = APP,
        market: MarketCode | None = MarketCode.ID,
    ) -> TokopediaConnector:
        async def save(fresh: TokenSet) -> None:
            self.saved_tokens.append(fresh)

        chosen = self.tokens() if tokens is True else (None if tokens is False else tokens)
        return TokopediaConnector(
            self.http,
            app,
            shop_id=shop_id,
            tokens=chosen,
            market=market,
            policy=policy or self.policy,
            limits=limits,
            clock=self.clock,
            on_tokens=save,
        )

    def calls(self, tail: str) -> int:
        return self.sandbox.call_count(tail)


MakeEnv = Callable[..., Awaitable[Env]]


@asynccontextmanager
async def open_env(**overrides: Any) -> AsyncIterator[Env]:
    """A fresh sandbox (config ``overrides``) and an HTTP client to it; closed on exit."""
    clock = ManualClock(START)
    config = TokopediaSandboxConfig(
        fs_id=FS_ID,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        shop_id=SHOP_ID,
        access_token=TOKEN,
        clock=clock,
        rate_limit_rps=None,
        push_retry_delay=0.0,
    )
    for key, value in overrides.items():
        setattr(config, key, value)
    app = create_app(config)
    sandbox: TokopediaSandbox = app.state.sandbox
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
