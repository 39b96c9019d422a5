"""Webhook replay guard, through the API: where a platform signs the time it sent a push, a validly signed
push replayed outside `AIOSTORE_WEBHOOK_TOLERANCE_SECONDS` of our clock is 401 with nothing stored.

The push is a real one, signed and sent by the platform's sandbox for a real order and captured on its way;
our clock (the connectors' injected clock) is moved instead of waiting."""

from __future__ import annotations

import dataclasses
import time

import httpx
import pytest
from sqlalchemy import func, select

from aiostore.connectors import registry
from aiostore.connectors.dtos import AppCredentials
from aiostore.db.models import WebhookEvent
from aiostore.services.sync.context import SyncContext
from tests.factories import Caller
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.marketplace import SERVICE, Market

# Every platform whose pushes sign their send time, as the sync suite configures it (Tokopedia's FS API
# signs none).
SIGNS_TIME = [p.name for p in registry.plugins() if p.push_time_of(AppCredentials("", "", "")) is not None]
TOLERANCE = 300


class Capture(httpx.AsyncBaseTransport):
    """Where the sandbox delivers its pushes: kept, answered 200."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        return httpx.Response(200)


async def _captured_push(market: Market, platform: str) -> httpx.Request:
    h = market.shops[platform]
    capture = Capture()
    h.set_push_url(f"{SERVICE}/api/webhooks/{platform}", capture)
    unit = h.units()[0]
    h.set_unit(unit.item_id, unit.variant_id, stock=5)
    h.place_order([(unit.item_id, unit.variant_id, 1)])
    await h.drain_pushes()
    assert capture.requests, "the sandbox sent no push"
    return capture.requests[-1]


def _set_clock(market: Market, offset: float, **settings: object) -> None:
    connectors = market.app.state.connectors
    changed = dataclasses.replace(
        connectors,
        settings=connectors.settings.model_copy(update=settings),
        clock=lambda: time.time() + offset,
    )
    market.app.state.connectors = changed
    market.app.state.sync = SyncContext(market.db, changed)


async def _replay(owner: Caller, platform: str, push: httpx.Request) -> httpx.Response:
    headers = {k: v for k, v in push.headers.items() if k.lower() not in ("host", "content-length")}
    return await owner.client.post(f"/api/webhooks/{platform}", content=push.content, headers=headers)


async def _stored(market: Market) -> int:
    async with market.db.transaction(market.org_id) as session:
        return int(await session.scalar(select(func.count()).select_from(WebhookEvent)) or 0)


def test_the_platforms_that_sign_a_send_time() -> None:
    assert sorted(["lazada", "shopee", "tiktokshop"]) == SIGNS_TIME


@pytest.mark.parametrize("platform", SIGNS_TIME)
@pytest.mark.parametrize("offset", [TOLERANCE + 60, -(TOLERANCE + 60)], ids=["late", "early"])
async def test_a_replay_outside_the_tolerance_is_401_and_nothing_is_stored(
    make_market: MarketFactory, platform: str, offset: int
) -> None:
    market, owner = await make_market([platform])
    await market.connect(platform)
    push = await _captured_push(market, platform)
    _set_clock(market, offset, webhook_tolerance_seconds=TOLERANCE)
    resp = await _replay(owner, platform, push)
    assert resp.status_code == 401, resp.text
    body = resp.json()
    assert body["code"] == "not_authenticated" and "replay" in body["detail"]
    assert await _stored(market) == 0
    _set_clock(market, 0)  # the same push, sent now: within the tolerance, stored once
    assert (await _replay(owner, platform, push)).status_code == 200
    assert await _stored(market) == 1


@pytest.mark.parametrize("platform", SIGNS_TIME)
async def test_the_tolerance_is_a_setting(make_market: MarketFactory, platform: str) -> None:
    market, owner = await make_market([platform])
    await market.connect(platform)
    push = await _captured_push(market, platform)
    _set_clock(market, TOLERANCE + 60, webhook_tolerance_seconds=TOLERANCE + 120)
    assert (await _replay(owner, platform, push)).status_code == 200
    assert await _stored(market) == 1


@pytest.mark.parametrize("platform", SIGNS_TIME)
async def test_a_late_retry_of_a_stored_push_is_acknowledged_as_a_duplicate(
    make_market: MarketFactory, platform: str
) -> None:
    """A platform resending a push we already stored, after the tolerance: 200 (it stops retrying), nothing
    stored again; the same push's key unknown (another shop's copy refused earlier) stays a 401 replay."""
    market, owner = await make_market([platform])
    await market.connect(platform)
    push = await _captured_push(market, platform)
    assert (await _replay(owner, platform, push)).status_code == 200
    assert await _stored(market) == 1
    _set_clock(market, TOLERANCE + 60, webhook_tolerance_seconds=TOLERANCE)
    resp = await _replay(owner, platform, push)
    assert resp.status_code == 200, resp.text
    assert await _stored(market) == 1
    _set_clock(market, 0)  # a new push (another order), captured and sent late: never stored, refused
    other = await _captured_push(market, platform)
    _set_clock(market, TOLERANCE + 60, webhook_tolerance_seconds=TOLERANCE)
    resp = await _replay(owner, platform, other)
    assert resp.status_code == 401 and "replay" in resp.json()["detail"]
    assert await _stored(market) == 1
