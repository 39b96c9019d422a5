"""Connecting a Shopee shop end to end: our API, the sandbox's OAuth page, the callback, the shop."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select, text

from aiostore.db.models import ChannelAccount
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from aiostore.sandbox.shopee.app import create_app as create_sandbox
from aiostore.sandbox.shopee.config import ShopeeSandboxConfig
from aiostore.sandbox.shopee.state import ShopeeSandbox
from aiostore.security.crypto import TokenCipher
from aiostore.settings import Settings
from aiostore.web.app import create_app
from tests.factories import PASSWORD, Caller, member_token, new_client, signup

SANDBOX = "http://shopee.sandbox"
PARTNER_ID, PARTNER_KEY, SHOP_ID = 100001, "sandbox-partner-key-0123456789", 200001


@dataclass
class World:
    app: FastAPI
    sandbox: ShopeeSandbox
    browser: httpx.AsyncClient  # the seller's browser on the sandbox's pages
    owner: Caller
    settings: Settings


@pytest.fixture
async def world(test_settings: Settings, db: Database) -> AsyncIterator[World]:
    sandbox_app = create_sandbox(
        ShopeeSandboxConfig(
            partner_id=PARTNER_ID,
            partner_key=PARTNER_KEY,
            shop_id=SHOP_ID,
            region="ID",
            shop_name="Toko Sandbox",
        )
    )
    transport = httpx.ASGITransport(app=sandbox_app)
    settings = test_settings.with_platform(
        "shopee",
        partner_id=str(PARTNER_ID),
        partner_key=SecretStr(PARTNER_KEY),
        api_base_url=SANDBOX,
    )
    async with (
        httpx.AsyncClient(transport=transport) as connector_http,
        httpx.AsyncClient(transport=transport, base_url=SANDBOX) as browser,
    ):
        app = create_app(settings, db, http=connector_http)
        owner = await signup(app, email="seller@example.com", org="Toko Seller")
        yield World(app, sandbox_app.state.sandbox, browser, owner, settings)
        await owner.client.aclose()


async def _approve(world: World, caller: Caller, market: str = "ID") -> str:
    """Connect → the sandbox's approval page → approve: the callback URL the browser is sent to."""
    started = await caller.post("/api/channels/connect", json={"platform": "shopee", "market": market})
    assert started.status_code == 200, started.text
    url = started.json()["authorization_url"]
    assert url.startswith(f"{SANDBOX}/api/v2/shop/auth_partner?")
    page = await world.browser.get(url)
    assert page.status_code == 200
    session = re.search(r'name="session" value="([^"]+)"', page.text)
    assert session
    approved = await world.browser.post(
        "/_sandbox/oauth/approve", data={"session": session.group(1), "shop_id": str(SHOP_ID)}
    )
    assert approved.status_code == 302
    back = urlsplit(approved.headers["location"])
    assert back.path == "/api/channels/callback/shopee"
    return f"{back.path}?{back.query}"


async def _authorize(world: World, caller: Caller, market: str = "ID") -> httpx.Response:
    """Connect, approve, and come back to our callback in the same browser session."""
    return await caller.get(await _approve(world, caller, market))


async def test_connect_test_refresh_disconnect(world: World, db: Database) -> None:
    owner = world.owner
    done = await _authorize(world, owner)
    assert done.status_code == 200, done.text
    channel = done.json()
    assert channel["platform"] == "shopee" and channel["market"] == "ID"
    assert channel["shop_id"] == str(SHOP_ID) and channel["shop_name"] == "Toko Sandbox"
    assert channel["status"] == "connected" and channel["access_expires_at"]

    async with db.transaction(owner.org_id, owner.user_id) as session:
        row = await session.scalar(select(ChannelAccount))
        assert row is not None and row.access_token_enc is not None and row.refresh_token_enc is not None
        access = TokenCipher(world.settings.encryption_keys).decrypt(row.access_token_enc)
    assert access.encode() not in row.access_token_enc  # encrypted at rest
    assert access not in done.text

    first = (await owner.get("/api/jobs", params={"channel_account_id": channel["id"]})).json()["items"]
    assert sorted((j["kind"], j["status"]) for j in first) == [
        ("pull_orders", "queued"),
        ("pull_products", "queued"),
    ]

    listed = (await owner.get("/api/channels")).json()
    assert [c["id"] for c in listed] == [channel["id"]]
    assert access not in str(listed)

    tested = await owner.post(f"/api/channels/{channel['id']}/test")
    assert tested.status_code == 200
    assert tested.json()["ok"] is True and tested.json()["latency_ms"] >= 0
    assert tested.json()["shop_name"] == "Toko Sandbox"

    refreshed = await owner.post(f"/api/channels/{channel['id']}/refresh")
    assert refreshed.status_code == 200, refreshed.text
    async with db.transaction(owner.org_id, owner.user_id) as session:
        row = await session.scalar(select(ChannelAccount))
        assert row is not None and row.access_token_enc is not None
        assert TokenCipher(world.settings.encryption_keys).decrypt(row.access_token_enc) != access

    gone = await owner.delete(f"/api/channels/{channel['id']}")
    assert gone.json()["status"] == "disconnected" and gone.json()["disconnected_at"]
    assert (await owner.post(f"/api/channels/{channel['id']}/test")).status_code == 409
    assert (await owner.get(f"/api/channels/{channel['id']}")).json()["status"] == "disconnected"

    audit = (await owner.get("/api/audit", params={"entity_type": "channel_account"})).json()["items"]
    assert [e["action"] for e in audit] == [
        "channel.disconnected",
        "channel.tokens_refreshed",
        "channel.tested",
        "channel.connected",
    ]
    assert access not in str(audit)

    again = await _authorize(world, owner)  # reconnecting the same shop revives the same channel
    assert again.json()["id"] == channel["id"] and again.json()["status"] == "connected"


async def test_connect_refusals(world: World) -> None:
    owner = world.owner
    not_served = await owner.post("/api/channels/connect", json={"platform": "tokopedia", "market": "SG"})
    assert not_served.status_code == 422
    assert not_served.json()["errors"][0]["field"] == "market"
    not_configured = await owner.post("/api/channels/connect", json={"platform": "lazada", "market": "MY"})
    assert not_configured.status_code == 422
    assert not_configured.json()["errors"][0]["code"] == "platform_not_configured"
    unknown = await owner.post("/api/channels/connect", json={"platform": "amazon", "market": "ID"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "platform"
    mismatch = await _authorize(world, owner, market="SG")
    assert mismatch.status_code == 422 and mismatch.json()["errors"][0]["code"] == "market_mismatch"


async def test_callback_needs_a_valid_state_and_code(world: World) -> None:
    owner = world.owner
    forged = await owner.get(
        "/api/channels/callback/shopee", params={"code": "abc", "state": "x" * 40, "shop_id": str(SHOP_ID)}
    )
    assert forged.status_code == 422 and forged.json()["errors"][0]["field"] == "state"
    started = (await owner.post("/api/channels/connect", json={"platform": "shopee", "market": "ID"})).json()
    bad_code = await owner.get(
        "/api/channels/callback/shopee",
        params={"code": "not-a-code", "state": started["state"], "shop_id": str(SHOP_ID)},
    )
    assert bad_code.status_code == 422 and bad_code.json()["errors"][0]["field"] == "code"


async def test_channels_are_private_and_admin_managed(world: World, db: Database) -> None:
    channel = (await _authorize(world, world.owner)).json()
    rival = await signup(world.app, email="rival-seller@example.com", org="Rival")
    assert (await rival.get(f"/api/channels/{channel['id']}")).status_code == 404
    assert (await rival.post(f"/api/channels/{channel['id']}/refresh")).status_code == 404
    assert (await rival.get("/api/channels")).json() == []
    operator = await member_token(world.app, db, world.owner.org_id, Role.OPERATOR)
    assert (await operator.get("/api/channels")).status_code == 200
    assert (await operator.post(f"/api/channels/{channel['id']}/test")).status_code == 403
    assert (
        await operator.post("/api/channels/connect", json={"platform": "shopee", "market": "ID"})
    ).status_code == 403


async def test_expired_access_token_is_refreshed_on_test(world: World) -> None:
    channel = (await _authorize(world, world.owner)).json()
    world.sandbox.expire_access_tokens(SHOP_ID)
    tested = await world.owner.post(f"/api/channels/{channel['id']}/test")
    assert tested.json()["ok"] is True, tested.json()
    after = (await world.owner.get(f"/api/channels/{channel['id']}")).json()
    assert after["status"] == "connected"


async def test_revoked_refresh_token_marks_needs_reauth(world: World) -> None:
    channel = (await _authorize(world, world.owner)).json()
    world.sandbox.expire_refresh_tokens(SHOP_ID)
    resp = await world.owner.post(f"/api/channels/{channel['id']}/refresh")
    assert resp.status_code == 409
    assert (await world.owner.get(f"/api/channels/{channel['id']}")).json()["status"] == "needs_reauth"


async def test_state_is_single_use(world: World) -> None:
    callback = await _approve(world, world.owner)
    assert (await world.owner.get(callback)).status_code == 200
    replay = await world.owner.get(callback)
    assert replay.status_code == 422
    assert replay.json()["errors"][0] == {
        "field": "state",
        "code": "state_used",
        "message": "this authorization was already used; start the connection again",
    }


async def test_callback_in_another_session_connects_nothing(world: World, db: Database) -> None:
    # An attacker starts a connection for their org and tricks a seller into approving it: the seller's
    # browser comes back with another session (or none), so the shop is not connected to the attacker.
    callback = await _approve(world, world.owner)
    seller = await signup(world.app, email="tricked@example.com", org="Tricked seller")
    refused = await seller.get(callback)
    assert refused.status_code == 422 and refused.json()["errors"][0]["code"] == "session_mismatch"
    anonymous = await new_client(world.app).get(callback)
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "not_authenticated"
    other_login = new_client(world.app)  # the same person, logged in from another browser
    await other_login.post("/api/auth/login", json={"email": world.owner.email, "password": PASSWORD})
    same_user = await other_login.get(callback)
    assert same_user.status_code == 422 and same_user.json()["errors"][0]["code"] == "session_mismatch"
    assert (await world.owner.get("/api/channels")).json() == []
    assert (await world.owner.get(callback)).status_code == 200  # the session that asked still may


async def test_expired_state_is_refused(world: World, db: Database) -> None:
    callback = await _approve(world, world.owner)
    async with db.transaction() as session:
        await session.execute(text("UPDATE oauth_states SET expires_at = now() - interval '1 second'"))
    expired = await world.owner.get(callback)
    assert expired.status_code == 422 and expired.json()["errors"][0]["code"] == "expired"


async def test_api_tokens_cannot_start_a_connection(world: World, db: Database) -> None:
    admin = await member_token(world.app, db, world.owner.org_id, Role.ADMIN)
    resp = await admin.post("/api/channels/connect", json={"platform": "shopee", "market": "ID"})
    assert resp.status_code == 403 and "browser session" in resp.json()["detail"]
