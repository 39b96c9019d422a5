"""Bodies from outside that are not API requests: marketplace pushes and the OAuth `state`.

A push whose signature is wrong is a 401 (whatever its headers hold); a genuine push the input policy
refuses, or that the connector cannot read, is answered 200 and kept in `ignored_webhooks` (platforms
retry anything else forever). A deeply nested or forged `state` is a 422 naming it.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select

from aiostore.connectors.shopee.signing import push_signature
from aiostore.db.models import IgnoredWebhook
from aiostore.db.session import Database
from aiostore.services import oauth_state
from aiostore.settings import Settings
from aiostore.web.app import create_app
from tests.integration.api.test_input_policy import problem

PARTNER_KEY = "shopee-test-partner-key-0123456789"
URL = "http://test/api/webhooks/shopee"


@pytest.fixture
def shopee_app(test_settings: Settings, db: Database) -> FastAPI:
    settings = test_settings.with_platform("shopee", partner_id="100001", partner_key=SecretStr(PARTNER_KEY))
    return create_app(settings, db)


@pytest.fixture
async def platform(shopee_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=shopee_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def _push(
    client: httpx.AsyncClient, body: bytes, signature: str | bytes | None = None
) -> httpx.Response:
    auth = push_signature(PARTNER_KEY, URL, body) if signature is None else signature
    return await client.post(
        "/api/webhooks/shopee",
        content=body,
        headers={"Authorization": auth, "content-type": "application/json"},
    )


async def _ignored(db: Database) -> list[IgnoredWebhook]:
    async with db.transaction() as session:
        return list((await session.scalars(select(IgnoredWebhook))).all())


async def test_non_ascii_authorization_header_is_401(platform: httpx.AsyncClient, db: Database) -> None:
    resp = await _push(platform, b'{"code": 3, "shop_id": 1, "data": {}}', "sïgnature".encode())
    assert resp.status_code == 401
    assert resp.json()["code"] == "not_authenticated"
    assert await _ignored(db) == []


@pytest.mark.parametrize(
    "body",
    [
        b'{"code": 1e999, "shop_id": 1, "data": {}}',
        b'{"code": 3, "shop_id": 1, "data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"code": 3, "shop_id": "1\\u0000", "data": {}}',
        b'["not", "an", "object"]',
        b"not json at all",
    ],
    ids=["huge-number", "deep", "nul", "array", "not-json"],
)
async def test_genuine_unreadable_push_is_acknowledged_and_kept(
    platform: httpx.AsyncClient, db: Database, body: bytes
) -> None:
    resp = await _push(platform, body)
    assert resp.status_code == 200, resp.text
    again = await _push(platform, body)  # the platform's retry: acknowledged, kept once
    assert again.status_code == 200
    ignored = await _ignored(db)
    assert [(i.platform, i.event_type) for i in ignored] == [("shopee", "unreadable")]
    assert ignored[0].reason


async def test_forged_unreadable_push_is_still_401(platform: httpx.AsyncClient, db: Database) -> None:
    resp = await _push(platform, b'{"code": 1e999}', "0" * 64)
    assert resp.status_code == 401
    assert await _ignored(db) == []


def _state(payload: bytes, secret: str | None) -> str:
    body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    mac = oauth_state._mac(secret, payload) if secret else "A" * 32
    return f"{body}.{mac}"


@pytest.mark.parametrize("signed", [True, False])
@pytest.mark.parametrize(
    "payload",
    [b"[" * 700 + b"]" * 700, b'{"o": 1e999}', b'{"e": "x"}', b"[]", b'"\\ud800"'],
    ids=["deep", "huge", "bad-expiry", "array", "surrogate"],
)
async def test_bad_oauth_state_is_422_naming_it(
    platform: httpx.AsyncClient, test_settings: Settings, signed: bool, payload: bytes
) -> None:
    secret = test_settings.secret_key.get_secret_value() if signed and test_settings.secret_key else None
    state = _state(payload, secret)
    assert len(state) <= 2000
    resp = await platform.get("/api/channels/callback/shopee", params={"code": "c0de", "state": state})
    assert problem(resp) == {"state": "invalid"}


def test_valid_state_still_verifies() -> None:
    secret = "a-secret-for-this-test-only-0123456789"
    org, user = uuid.uuid4(), uuid.uuid4()
    state, _ = oauth_state.sign(secret, org_id=org, user_id=user, platform="shopee", market="ID")
    started = oauth_state.verify(secret, state, platform="shopee")
    assert (started.org_id, started.user_id, started.market) == (org, user, "ID")
