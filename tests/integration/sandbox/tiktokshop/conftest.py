"""Fixtures for the TikTok Shop sandbox tests: a sandbox on a manual clock, and a tiny client that signs
requests itself (shopee-tiktokshop.md §B2), independent of the connector."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from aiostore.sandbox.common import ManualClock
from aiostore.sandbox.tiktokshop import TikTokShopSandbox, TikTokShopSandboxConfig, create_app

APP_KEY = "testappkey"
APP_SECRET = "test_app_secret_abc123"
SHOP_ID = "7494726673780148744"
TOKEN = "ROW_sandbox-test-token"
REFRESH = "ROW_sandbox-test-refresh"
START = 1_700_000_000


@pytest.fixture(autouse=True)
def _clean_tables() -> None:
    """The sandbox needs no database (overrides the integration-wide table cleaner)."""


def tts_sign(secret: str, path: str, params: dict[str, str], body: bytes = b"") -> str:
    base = (
        path
        + "".join(k + v for k, v in sorted(params.items()) if k not in ("sign", "access_token"))
        + body.decode()
    )
    return hmac.new(secret.encode(), (secret + base + secret).encode(), hashlib.sha256).hexdigest()


class TTS:
    """Signs like a TikTok Shop client: common parameters in the query, the token in a header."""

    def __init__(
        self, http: httpx.AsyncClient, clock: ManualClock, cipher: str, *, token: str = TOKEN
    ) -> None:
        self.http, self.clock, self.cipher, self.token = http, clock, cipher, token
        self.secret = APP_SECRET

    def query(
        self, path: str, params: dict[str, Any], body: bytes, *, shop: bool, timestamp: int | None
    ) -> dict[str, str]:
        query = {k: str(v) for k, v in params.items()}
        query |= {"app_key": APP_KEY, "timestamp": str(int(self.clock()) if timestamp is None else timestamp)}
        if shop:
            query["shop_cipher"] = self.cipher
        query["sign"] = tts_sign(self.secret, path, query, body)
        return query

    async def request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        shop: bool = True,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> httpx.Response:
        raw = json.dumps(body, separators=(",", ":")).encode() if body is not None else b""
        sent = {"x-tts-access-token": self.token, "content-type": "application/json", **(headers or {})}
        query = self.query(path, params, raw, shop=shop, timestamp=timestamp)
        return await self.http.request(method, path, params=query, content=raw or None, headers=sent)

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, body: dict[str, Any] | None = None, **kw: Any) -> httpx.Response:
        return await self.request("POST", path, body if body is not None else {}, **kw)


def data(response: httpx.Response) -> dict[str, Any]:
    """The ``data`` of a successful answer (asserts the envelope)."""
    body = response.json()
    assert response.status_code == 200 and body["code"] == 0, body
    assert body["message"] == "Success" and len(body["request_id"]) > 10
    result: dict[str, Any] = body["data"]
    return result


def error(response: httpx.Response, status: int, code: int) -> str:
    """The message of an error answer (asserts status, code and the envelope)."""
    body = response.json()
    assert (response.status_code, body.get("code")) == (status, code), body
    assert "data" not in body and body["request_id"]
    message: str = body["message"]
    return message


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def config(clock: ManualClock) -> TikTokShopSandboxConfig:
    return TikTokShopSandboxConfig(
        app_key=APP_KEY,
        app_secret=APP_SECRET,
        shop_id=SHOP_ID,
        region="ID",
        access_token=TOKEN,
        refresh_token=REFRESH,
        redirect_url="https://app.example/callback",
        clock=clock,
        rate_limit_rps=None,
        push_retry_delay=0.0,
    )


@pytest.fixture
async def app(config: TikTokShopSandboxConfig) -> AsyncIterator[Starlette]:
    application = create_app(config)
    yield application
    await application.state.sandbox.aclose()


@pytest.fixture
def sandbox(app: Starlette) -> TikTokShopSandbox:
    state: TikTokShopSandbox = app.state.sandbox
    return state


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://tts.test"
    ) as client:
        yield client


@pytest.fixture
def tts(http: httpx.AsyncClient, clock: ManualClock, sandbox: TikTokShopSandbox) -> TTS:
    return TTS(http, clock, sandbox.shop().cipher)
