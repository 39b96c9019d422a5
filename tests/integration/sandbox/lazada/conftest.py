"""Fixtures for the Lazada sandbox tests: a sandbox on a manual clock, and a tiny client that signs requests
itself (lazada-tokopedia.md §A2), independent of the connector."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from aiostore.sandbox.common import ManualClock
from aiostore.sandbox.lazada import LazadaSandbox, LazadaSandboxConfig, create_app

APP_KEY = "123456"
APP_SECRET = "sandbox-test-secret"
SELLER_ID = "1000114855"
TOKEN = "50000601c30atpedfgu3LVvik87Ixlsvle3mSoB7701ceb156fPunYZ43GBg"
START = 1_700_000_000
GATEWAY = "https://api.lazada.co.id/rest"
AUTH = "https://auth.lazada.com/rest"


@pytest.fixture(autouse=True)
def _clean_tables() -> None:
    """The sandbox needs no database (overrides the integration-wide table cleaner)."""


def lazada_sign(secret: str, path: str, params: dict[str, str]) -> str:
    base = path + "".join(f"{k}{params[k]}" for k in sorted(params))
    return hmac.new(secret.encode(), base.encode(), hashlib.sha256).hexdigest().upper()


class Lazada:
    """Signs like a Lazada SDK: system parameters in the query, POST business parameters as form fields."""

    def __init__(self, http: httpx.AsyncClient, clock: ManualClock, *, token: str | None = TOKEN) -> None:
        self.http, self.clock, self.token = http, clock, token
        self.app_key, self.secret = APP_KEY, APP_SECRET

    def system(self, auth: bool = False) -> dict[str, str]:
        params = {
            "app_key": self.app_key,
            "timestamp": str(int(self.clock() * 1000)),
            "sign_method": "sha256",
        }
        if not auth and self.token:
            params["access_token"] = self.token
        return params

    async def call(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        base: str = GATEWAY,
        auth: bool = False,
        sign: str | None = None,
        system: dict[str, str] | None = None,
    ) -> httpx.Response:
        business = {k: str(v) for k, v in (params or {}).items()}
        query = system if system is not None else self.system(auth)
        query["sign"] = sign or lazada_sign(self.secret, path, {**query, **business})
        if method == "GET":
            return await self.http.get(base + path, params={**query, **business})
        return await self.http.post(base + path, params=query, data=business)

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.call("GET", path, params)

    async def post(self, path: str, **params: Any) -> httpx.Response:
        return await self.call("POST", path, params)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def config(clock: ManualClock) -> LazadaSandboxConfig:
    return LazadaSandboxConfig(
        app_key=APP_KEY,
        app_secret=APP_SECRET,
        seller_id=SELLER_ID,
        country="ID",
        access_token=TOKEN,
        products=6,
        orders=20,
        clock=clock,
        rate_limit_rps=None,
        push_retry_delay=0.0,
    )


@pytest.fixture
async def app(config: LazadaSandboxConfig) -> AsyncIterator[Starlette]:
    application = create_app(config)
    yield application
    await application.state.sandbox.aclose()


@pytest.fixture
def sandbox(app: Starlette) -> LazadaSandbox:
    state: LazadaSandbox = app.state.sandbox
    return state


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        yield client


@pytest.fixture
def lazada(http: httpx.AsyncClient, clock: ManualClock) -> Lazada:
    return Lazada(http, clock)
