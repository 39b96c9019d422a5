"""Every sandbox can be driven the same way through its SandboxHarness (sandbox/common/harness.py)."""

from __future__ import annotations

import importlib

import httpx
import pytest

from aiostore.domain.platforms import Platform
from aiostore.sandbox.common.harness import SandboxHarness


def _harnesses() -> list[str]:
    found = []
    for platform in Platform:
        try:
            importlib.import_module(f"aiostore.sandbox.{platform.value}.harness")
        except ModuleNotFoundError:
            continue
        found.append(platform.value)
    return found


def _build(platform: str) -> tuple[object, SandboxHarness]:
    package = importlib.import_module(f"aiostore.sandbox.{platform}")
    app = package.create_app()
    return app, importlib.import_module(f"aiostore.sandbox.{platform}.harness").harness(app)


@pytest.mark.parametrize("platform", _harnesses())
async def test_orders_hold_stock_and_push(platform: str) -> None:
    received: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(200)

    app, h = _build(platform)
    assert h.platform == platform
    h.seed(3, variants_per_product=2)
    units = h.units()
    assert len(units) == 6 and len({(u.item_id, u.variant_id) for u in units}) == 6
    first = units[0]
    h.set_unit(first.item_id, first.variant_id, sku="HARNESS-1", stock=10)
    assert h.unit(first.item_id, first.variant_id).sku == "HARNESS-1"
    h.set_push_url("http://receiver.test/push", httpx.MockTransport(receiver))
    order_id = h.place_order([(first.item_id, first.variant_id, 2)])
    after = h.unit(first.item_id, first.variant_id)
    assert after.stock - after.reserved == 8  # whichever way the platform holds it, 2 are no longer free
    await h.drain_pushes()
    assert len(received) == 1 and str(received[0].url) == "http://receiver.test/push"
    assert order_id.encode() in received[0].content
    h.set_order_status(order_id, "cancelled")
    await h.drain_pushes()
    assert len(received) == 2
    back = h.unit(first.item_id, first.variant_id)
    assert back.stock - back.reserved == 10
    h.expire_access_tokens()
    assert h.call_count() == 0
