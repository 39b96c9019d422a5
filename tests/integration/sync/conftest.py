"""Sync engine fixtures: a market of sandboxes wired to our service, one org owning it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from aiostore.db.session import Database
from aiostore.settings import Settings
from tests.factories import Caller, signup
from tests.integration.sync.marketplace import PLATFORMS, Market, build_market

MarketFactory = Callable[..., Awaitable[tuple[Market, Caller]]]


def pair_of(platform: str) -> list[str]:
    """The platform and the next one: a sale on one must reach the other."""
    return [platform, PLATFORMS[(PLATFORMS.index(platform) + 1) % len(PLATFORMS)]]


@pytest.fixture
async def make_market(test_settings: Settings, db: Database) -> AsyncIterator[MarketFactory]:
    callers: list[Caller] = []

    async def make(platforms: list[str], **kwargs: object) -> tuple[Market, Caller]:
        market = build_market(test_settings, db, uuid.uuid4(), platforms, **kwargs)  # type: ignore[arg-type]
        owner = await signup(market.app, email=f"seller-{uuid.uuid4().hex[:6]}@example.com", org="Toko Sync")
        market.org_id = owner.org_id
        callers.append(owner)
        return market, owner

    yield make
    for caller in callers:
        await caller.client.aclose()
