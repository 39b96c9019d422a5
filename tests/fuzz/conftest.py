"""Fuzzing fixtures: the real app over ASGI on the test database, an owner's and a viewer's API token.

Schemathesis drives the app from its own event loop (a portal thread), so the app opens its own
database pool in its lifespan instead of sharing the test loop's `db`. Everything the run created is
truncated at the end of the module.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from fastapi import FastAPI
from schemathesis.python import asgi

from aiostore.db.engine import DatabaseURLs
from aiostore.settings import Settings
from aiostore.web.app import create_app
from tests.factories import PASSWORD, truncate_all


@pytest.fixture(scope="module")
async def fuzz_cleanup(urls: DatabaseURLs) -> AsyncIterator[None]:
    yield
    await truncate_all(urls)


@pytest.fixture(scope="module")
def fuzz_app(test_settings: Settings, urls: DatabaseURLs, fuzz_cleanup: None) -> Iterator[FastAPI]:
    app = create_app(test_settings)
    yield app
    asgi.shutdown_lifespans()


@pytest.fixture(scope="module")
def tokens(fuzz_app: FastAPI) -> dict[str, str]:
    """An API token per role, made through the API by a freshly registered owner."""
    with asgi.get_client(fuzz_app) as client:
        resp = client.post(
            "/api/auth/register",
            json={
                "email": "fuzz-owner@example.com",
                "password": PASSWORD,
                "display_name": "fuzz",
                "organization_name": "Toko Fuzz",
            },
        )
        assert resp.status_code == 201, resp.text
        csrf = {"X-CSRF-Token": resp.json()["csrf_token"]}
        made: dict[str, str] = {}
        for role in ("owner", "viewer"):
            resp = client.post("/api/tokens", json={"name": f"fuzz {role}", "role": role}, headers=csrf)
            assert resp.status_code == 201, resp.text
            made[role] = resp.json()["token"]
        return made
