"""Fixtures for the Shopee sandbox tests: a sandbox on a manual clock, and a tiny client that signs requests
itself (shopee-tiktokshop.md §A2), independent of the connector being written elsewhere."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from aiostore.sandbox.common import ManualClock
from aiostore.sandbox.shopee import ShopeeSandbox, ShopeeSandboxConfig, create_app

PARTNER_ID = 2001887
PARTNER_KEY = "test_partner_key_0123456789abcdef"
SHOP_ID = 600000
TOKEN = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
START = 1_700_000_000


@pytest.fixture(autouse=True)
def _clean_tables() -> None:
    """The sandbox needs no database (overrides the integration-wide table cleaner)."""


def shopee_sign(key: str, *parts: object) -> str:
    return hmac.new(key.encode(), "".join(str(p) for p in parts).encode(), hashlib.sha256).hexdigest()


class Shopee:
    """Signs like a Shopee client: common parameters in the query, JSON bodies for POST."""

    def __init__(
        self, http: httpx.AsyncClient, clock: ManualClock, *, shop_id: int = SHOP_ID, token: str = TOKEN
    ) -> None:
        self.http, self.clock, self.shop_id, self.token = http, clock, shop_id, token
        self.partner_id, self.key = PARTNER_ID, PARTNER_KEY

    def common(self, path: str, *, shop: bool = True, timestamp: int | None = None) -> dict[str, Any]:
        ts = int(self.clock()) if timestamp is None else timestamp
        params: dict[str, Any] = {"partner_id": self.partner_id, "timestamp": ts}
        if shop:
            params |= {"access_token": self.token, "shop_id": self.shop_id}
            params["sign"] = shopee_sign(self.key, self.partner_id, path, ts, self.token, self.shop_id)
        else:
            params["sign"] = shopee_sign(self.key, self.partner_id, path, ts)
        return params

    async def get(self, path: str, *, shop: bool = True, **params: Any) -> httpx.Response:
        return await self.http.get(path, params={**self.common(path, shop=shop), **params})

    async def post(self, path: str, body: dict[str, Any], *, shop: bool = True) -> httpx.Response:
        return await self.http.post(path, params=self.common(path, shop=shop), json=body)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def config(clock: ManualClock) -> ShopeeSandboxConfig:
    return ShopeeSandboxConfig(
        partner_id=PARTNER_ID,
        partner_key=PARTNER_KEY,
        shop_id=SHOP_ID,
        region="ID",
        access_token=TOKEN,
        clock=clock,
        rate_limit_rps=None,
        push_retry_delay=0.0,
    )


@pytest.fixture
async def app(config: ShopeeSandboxConfig) -> AsyncIterator[Starlette]:
    application = create_app(config)
    yield application
    await application.state.sandbox.aclose()


@pytest.fixture
def sandbox(app: Starlette) -> ShopeeSandbox:
    state: ShopeeSandbox = app.state.sandbox
    return state


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://shopee.test"
    ) as client:
        yield client


@pytest.fixture
def shopee(http: httpx.AsyncClient, clock: ManualClock) -> Shopee:
    return Shopee(http, clock)


@pytest.fixture
def make_shopee(http: httpx.AsyncClient, clock: ManualClock) -> Callable[..., Shopee]:
    """A signed client for another shop or token: make_shopee(shop_id=..., token=...)."""

    def make(*, shop_id: int = SHOP_ID, token: str = TOKEN) -> Shopee:
        return Shopee(http, clock, shop_id=shop_id, token=token)

    return make
