"""Tokens as a lifecycle: a rotated refresh token is never lost when two processes refresh one shop at
once; a failing refresh and a lost authorisation are recorded and shown; Lazada's authorisation expiry
push (message type 8) reaches the shop's health and the token_expiry alert.

Each `open_channel` builds a connector with its own token keeper, as a second worker process would: the
only thing the two share is the database (the shop's row lock) and the sandbox, which spends a refresh
token on its first use (Shopee single-use, Lazada strict rotation).
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from aiostore.connectors.dtos import TokenSet
from aiostore.db.models import AlertState, ChannelAccount
from aiostore.sandbox.common import FaultConfig
from aiostore.services import channels
from aiostore.services.alerts import evaluate
from aiostore.services.sync.context import SyncContext, open_channel
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.marketplace import Market

REFRESH_PATH = {"shopee": "auth/access_token/get", "lazada": "auth/token/refresh"}


def _pair(tokens: TokenSet | None) -> tuple[str, str] | None:
    return (tokens.access_token, tokens.refresh_token) if tokens else None


def _sync(market: Market) -> SyncContext:
    return SyncContext(market.db, market.app.state.connectors)


async def _stored(market: Market, platform: str) -> ChannelAccount:
    async with market.db.transaction(market.org_id) as session:
        account = await session.scalar(
            select(ChannelAccount).where(ChannelAccount.id == market.channel_ids[platform])
        )
        assert account is not None
        return account


@pytest.mark.parametrize("platform", ["shopee", "lazada"])
async def test_two_processes_refreshing_at_once_keep_the_rotated_token(
    make_market: MarketFactory, platform: str
) -> None:
    market, _ = await make_market([platform])
    channel_id = await market.connect(platform)
    h = market.shops[platform]
    sc = _sync(market)
    first = await open_channel(sc, market.org_id, channel_id)
    second = await open_channel(sc, market.org_id, channel_id)
    h.expire_access_tokens()  # both "processes" hold the same, now refused, access token
    before = h.call_count(REFRESH_PATH[platform])
    infos = await asyncio.gather(first.connector.shop_info(), second.connector.shop_info())
    assert [i.shop_id for i in infos] == [h.shop_id, h.shop_id]
    # One refresh reached the platform: the second process adopted the tokens the first stored.
    assert h.call_count(REFRESH_PATH[platform]) - before == 1
    assert _pair(first.connector.tokens) == _pair(second.connector.tokens)
    # Forced refreshes at once (the schedule's job and a click on Renew): each uses the stored token.
    tokens = channels.load_tokens(sc.connectors.cipher(), await _stored(market, platform))
    assert tokens is not None
    await asyncio.gather(first.connector.refresh(tokens), second.connector.refresh(tokens))
    assert h.call_count(REFRESH_PATH[platform]) - before == 3
    # What is stored is the last rotation: a third "process" starting now works with it.
    third = await open_channel(sc, market.org_id, channel_id)
    assert (await third.connector.shop_info()).shop_id == h.shop_id
    account = await _stored(market, platform)
    assert (account.status, account.refresh_failures, account.refresh_error) == ("connected", 0, None)
    assert account.refreshed_at is not None
    stored = channels.load_tokens(sc.connectors.cipher(), account)
    assert stored is not None and _pair(third.connector.tokens) == _pair(stored)
    assert (await third.connector.refresh(stored)).refresh_token != stored.refresh_token


async def test_a_failing_refresh_is_recorded_then_cleared(make_market: MarketFactory) -> None:
    market, owner = await make_market(["shopee"])
    channel_id = await market.connect("shopee")
    h = market.shops["shopee"]
    h.set_faults(FaultConfig(endpoint_error_rates={REFRESH_PATH["shopee"]: 1.0}))
    failed = await owner.post(f"/api/channels/{channel_id}/refresh")
    assert failed.status_code == 503, failed.text
    assert failed.json()["code"] == "service_unavailable"
    health = (await owner.get(f"/api/channels/{channel_id}")).json()["authorization"]
    assert health["state"] == "refresh_failing" and health["refresh_failing"] is True
    assert health["refresh_failures"] == 1 and "PlatformUnavailable" in health["last_refresh_error"]
    assert health["reauthorization_needed"] is False
    assert health["reauthorize_url"] == f"/api/channels/{channel_id}/reauthorize"
    async with market.db.transaction(market.org_id) as session:
        outcome = await evaluate.evaluate_org(session, market.org_id, market.settings)
    assert outcome.raised["token_expiry"] == 1
    async with market.db.transaction(market.org_id) as session:
        state = await session.scalar(select(AlertState).where(AlertState.kind == "token_expiry"))
    assert state is not None and state.subject["state"] == "refresh_failing"
    h.set_faults(FaultConfig())
    assert (await owner.post(f"/api/channels/{channel_id}/refresh")).status_code == 200
    health = (await owner.get(f"/api/channels/{channel_id}")).json()["authorization"]
    assert (health["state"], health["refresh_failures"], health["last_refresh_error"]) == ("ok", 0, None)
    assert health["expires_in_days"] >= 7


async def test_a_refused_refresh_in_a_job_needs_reauthorization(make_market: MarketFactory) -> None:
    market, owner = await make_market(["lazada"])
    channel_id = await market.connect("lazada")
    h = market.shops["lazada"]
    h.expire_access_tokens()
    h.sandbox.expire_refresh_tokens()  # type: ignore[attr-defined]
    await owner.post("/api/sync/pull", json={"channel_account_ids": [str(channel_id)], "kinds": ["orders"]})
    await market.settle()
    shop = (await owner.get(f"/api/channels/{channel_id}")).json()
    assert shop["status"] == "needs_reauth"
    health = shop["authorization"]
    assert health["state"] == "reauthorize" and health["reauthorization_needed"] is True
    assert health["refresh_failures"] == 1 and "IllegalRefreshToken" in health["last_refresh_error"]
    # The one click: the connect start for this shop's platform and market.
    started = await owner.post(health["reauthorize_url"])
    assert started.status_code == 200, started.text
    assert "/oauth/authorize" in started.json()["authorization_url"]


async def test_lazada_expiry_push_reaches_the_shop_and_the_alert(make_market: MarketFactory) -> None:
    market, owner = await make_market(["lazada"])
    channel_id = await market.connect("lazada")
    sandbox = market.shops["lazada"].sandbox  # type: ignore[attr-defined]
    ends = int(time.time()) + 36 * 3600  # the authorisation ends in 36 hours: inside Lazada's 48
    for grant in sandbox.tokens.refresh.values():
        grant.expires_at = ends
    assert sandbox.alert_expiring_authorizations() == 1
    assert sandbox.alert_expiring_authorizations() == 0  # once a day
    await market.settle()
    health = (await owner.get(f"/api/channels/{channel_id}")).json()["authorization"]
    assert health["state"] == "expiring" and health["expires_in_days"] == 1
    assert datetime.fromisoformat(health["expires_at"]) == datetime.fromtimestamp(ends, UTC)
    async with market.db.transaction(market.org_id) as session:
        state = await session.scalar(select(AlertState).where(AlertState.kind == "token_expiry"))
    assert state is not None and state.cleared_at is None and state.subject["state"] == "expiring"
    # A refresh whose new refresh token outlives the announced end lifts it.
    account = await _stored(market, "lazada")
    shop = await open_channel(_sync(market), market.org_id, channel_id)
    tokens = channels.load_tokens(market.app.state.connectors.cipher(), account)
    assert tokens is not None
    fresh = await shop.connector.refresh(tokens)
    assert fresh.refresh_expires_at is not None
    assert fresh.refresh_expires_at > datetime.now(UTC) + timedelta(days=7)
    health = (await owner.get(f"/api/channels/{channel_id}")).json()["authorization"]
    assert health["state"] == "ok" and health["expires_at"] is not None
