"""Every sandbox lists its control routes at GET /_sandbox, so a person can find them."""

from __future__ import annotations

import importlib

import httpx
import pytest

from aiostore.domain.platforms import Platform


@pytest.mark.parametrize("platform", [p.value for p in Platform])
async def test_sandbox_lists_its_control_routes(platform: str) -> None:
    app = importlib.import_module(f"aiostore.sandbox.{platform}").create_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as client:
        listed = await client.get("/_sandbox")
        assert listed.status_code == 200
        routes = {r["path"]: r["methods"] for r in listed.json()["routes"]}
        assert routes["/_sandbox/state"] == ["GET"]
        assert routes["/_sandbox/faults"] == ["GET", "POST"]
        assert "/_sandbox/pushes/drain" in routes and "/_sandbox" not in routes
        for path, methods in routes.items():  # each listed route answers (none is made up)
            if "{" not in path and "GET" in methods:
                assert (await client.get(path)).status_code != 404, path


@pytest.mark.parametrize("platform", [p.value for p in Platform])
async def test_a_promotion_lock_is_set_and_lifted_over_http(platform: str) -> None:
    """POST /_sandbox/locks: what a test or a demo uses to make a stock update accepted and not applied
    (tests/integration/sync/test_reconciliation.py sends the stock updates through the connectors)."""
    app = importlib.import_module(f"aiostore.sandbox.{platform}").create_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as client:
        locked = await client.post("/_sandbox/locks", json={"item_id": "1001", "variant_id": "7"})
        assert locked.status_code == 200 and locked.json() == {"locked": ["1001/7"]}
        assert app.state.sandbox.stock_locked(1001, 7)
        bad = await client.post("/_sandbox/locks", json={"item_id": "1001", "model": "7"})
        assert bad.status_code == 422 and (await client.get("/_sandbox/locks")).json() == {
            "locked": ["1001/7"]
        }
        lifted = await client.post(
            "/_sandbox/locks", json={"item_id": "1001", "variant_id": "7", "locked": False}
        )
        assert lifted.json() == {"locked": []} and not app.state.sandbox.stock_locked(1001, 7)
