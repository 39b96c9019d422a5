"""Integration fixtures: each test starts from empty tables; API clients over ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from aiostore.db.engine import DatabaseURLs
from aiostore.db.session import Database
from aiostore.settings import Settings
from aiostore.web.app import create_app
from tests.factories import Caller, signup, truncate_all

DB_FIXTURES = frozenset({"urls", "db", "app", "client", "owner", "other_org", "test_settings"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use the database are marked `db`; CI runs them again on an external server."""
    for item in items:
        if DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


@pytest.fixture(autouse=True)
async def _clean_tables(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """After a test that used the database, every table is emptied (real commits, fresh start)."""
    yield
    if not DB_FIXTURES & set(request.fixturenames):
        return
    urls: DatabaseURLs = request.getfixturevalue("urls")
    await truncate_all(urls)


@pytest.fixture
def app(test_settings: Settings, db: Database) -> FastAPI:
    return create_app(test_settings, db)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


@pytest.fixture
async def owner(app: FastAPI) -> AsyncIterator[Caller]:
    caller = await signup(app, email="owner@example.com", org="Toko Owner")
    yield caller
    await caller.client.aclose()


@pytest.fixture
async def other_org(app: FastAPI) -> AsyncIterator[Caller]:
    caller = await signup(app, email="rival@example.com", org="Toko Rival")
    yield caller
    await caller.client.aclose()
