"""Fixtures for the Tokopedia sandbox tests: a sandbox on a manual clock and a tiny client that authenticates
as a Tokopedia client would (Basic for the token, Bearer for the FS API), independent of the connector."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from aiostore.sandbox.common import ManualClock
from aiostore.sandbox.tokopedia import TokopediaSandbox, TokopediaSandboxConfig, create_app

FS_ID = 13004
CLIENT_ID = "sandbox-test-client"
CLIENT_SECRET = "sandbox-test-secret"
SHOP_ID = 479573
TOKEN = "OoHgyxcgQ5a1uCbmbbXjjA"
START = 1_700_000_000


@pytest.fixture(autouse=True)
def _clean_tables() -> None:
    """The sandbox needs no database (overrides the integration-wide table cleaner)."""


class Tokopedia:
    """Calls the FS API with a Bearer token; ``fs`` paths get the app's fs_id filled in."""

    def __init__(self, http: httpx.AsyncClient, token: str = TOKEN) -> None:
        self.http, self.token = http, token

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.http.get(path.format(fs=FS_ID), params=params, headers=self.headers())

    async def post(self, path: str, body: Any = None, **params: Any) -> httpx.Response:
        return await self.http.post(path.format(fs=FS_ID), params=params, json=body, headers=self.headers())

    async def token_call(self, client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> httpx.Response:
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        return await self.http.post(
            "/token", params={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}
        )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def config(clock: ManualClock) -> TokopediaSandboxConfig:
    return TokopediaSandboxConfig(
        fs_id=FS_ID,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        shop_id=SHOP_ID,
        access_token=TOKEN,
        products=8,
        orders=20,
        clock=clock,
        rate_limit_rps=None,
        push_retry_delay=0.0,
    )


@pytest.fixture
async def app(config: TokopediaSandboxConfig) -> AsyncIterator[Starlette]:
    application = create_app(config)
    yield application
    await application.state.sandbox.aclose()


@pytest.fixture
def sandbox(app: Starlette) -> TokopediaSandbox:
    state: TokopediaSandbox = app.state.sandbox
    return state


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fs.test") as client:
        yield client


@pytest.fixture
def tkp(http: httpx.AsyncClient) -> Tokopedia:
    return Tokopedia(http)
