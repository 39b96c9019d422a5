"""The Tokopedia sandbox's state without HTTP: seeding, stock held by orders, statuses, tokens, regions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from aiostore.cli import sandbox as cli
from aiostore.sandbox.common import ManualClock, SandboxError, StandaloneFlags
from aiostore.sandbox.tokopedia import TokopediaSandbox, TokopediaSandboxConfig
from aiostore.sandbox.tokopedia.harness import TokopediaHarness
from aiostore.sandbox.tokopedia.standalone import DEFAULT_PORT, NAME, from_flags


def make(**kw: Any) -> TokopediaSandbox:
    return TokopediaSandbox(TokopediaSandboxConfig(clock=ManualClock(1_700_000_000), **kw))


def test_a_big_shop_seeds_and_lists_by_slices() -> None:
    # How fast it seeds is bench/sandbox_state.py's figure: tests never assert wall-clock times.
    sandbox = make(products=10_000, variants_per_product=3)
    assert sandbox.catalog.count(sandbox.config.shop_id) == 40_000
    page = sandbox.catalog.page(sandbox.config.shop_id, 800, 50)
    assert len(page) == 50 and sandbox.catalog.page(sandbox.config.shop_id, 801, 50) == []
    after = sandbox.catalog.page(sandbox.config.shop_id, 1, 50, after=page[-1].product_id - 1)
    assert [p.product_id for p in after[:1]] == [page[-1].product_id]


def test_seeding_is_deterministic() -> None:
    first, second = make(products=5, orders=20), make(products=5, orders=20)
    assert [p.sku for p in first.catalog.products.values()] == [
        p.sku for p in second.catalog.products.values()
    ]
    assert [o.status for o in first.orders.orders.values()] == [
        o.status for o in second.orders.orders.values()
    ]
    parent = next(p for p in first.catalog.products.values() if p.is_parent)
    kid = first.catalog.products[parent.children[0]]
    assert kid.name.startswith(parent.name + " - ") and kid.sku.startswith(parent.sku + "-")


def test_orders_take_stock_at_once_and_cancellation_gives_it_back() -> None:
    sandbox = make(products=2)
    unit = next(sandbox.catalog.sellable(sandbox.config.shop_id))
    unit.stock = 5
    order = sandbox.place_order([(unit.product_id, 2)])
    assert (order.status, unit.stock, order.payment_time is not None) == (220, 3, True)
    with pytest.raises(SandboxError):
        sandbox.place_order([(unit.product_id, 4)])
    with pytest.raises(SandboxError, match="cannot go"):
        sandbox.set_order_status(order.order_id, 700)
    sandbox.set_order_status(order.order_id, 10)
    assert unit.stock == 5 and order.stock_state == "released"
    with pytest.raises(SandboxError, match="cancelled"):
        sandbox.set_order_status(order.order_id, 500, force=True)


def test_unpaid_orders_are_not_listed() -> None:
    sandbox = make(products=2)
    unit = next(sandbox.catalog.sellable(sandbox.config.shop_id))
    unit.stock = 9
    order = sandbox.place_order([(unit.product_id, 1)], paid=False)
    now = sandbox.now()
    assert sandbox.orders.listed(sandbox.config.shop_id, now - 10, now) == [] and unit.stock == 9
    sandbox.advance_order(order.order_id)
    assert sandbox.orders.listed(sandbox.config.shop_id, now - 10, now) == [order] and unit.stock == 8
    sandbox.set_order_status(order.order_id, 10)
    assert unit.stock == 9


def test_the_normal_path() -> None:
    sandbox = make(products=1)
    order = sandbox.place_order()
    for expected in (400, 450, 500, 600, 700):
        assert sandbox.advance_order(order.order_id).status == expected
    with pytest.raises(SandboxError):
        sandbox.advance_order(order.order_id)


def test_tokens_renew_only_after_expiry() -> None:
    clock = ManualClock(1_000)
    sandbox = TokopediaSandbox(TokopediaSandboxConfig(clock=clock, access_token="T", access_token_ttl=100))
    client = sandbox.config.client_id
    assert sandbox.tokens.current_or_new(client, sandbox.now()).value == "T"
    clock.advance(99)
    assert sandbox.tokens.current_or_new(client, sandbox.now()).value == "T"
    clock.advance(1)
    renewed = sandbox.tokens.current_or_new(client, sandbox.now())
    assert renewed.value != "T" and sandbox.tokens.valid("T", sandbox.now()) is None
    assert sandbox.expire_access_tokens() == 1 and sandbox.tokens.valid(renewed.value, sandbox.now()) is None


@pytest.mark.parametrize("region", ["SG", "MY", "TH"])
def test_only_indonesia(region: str) -> None:
    with pytest.raises(ValueError, match="ID"):
        make(region=region)
    flags = StandaloneFlags("127.0.0.1", 1, "c", "s", "1", "t", region, 0, 0)
    with pytest.raises(ValueError, match="Indonesia"):
        from_flags(flags)


async def test_the_harness_units_are_the_connectors_keys() -> None:
    sandbox = make(products=2, variants_per_product=2)
    harness = TokopediaHarness(sandbox)
    units = harness.units()
    assert len(units) == 4 and all(u.variant_id == "0" and u.reserved == 0 for u in units)
    harness.set_unit(units[0].item_id, "0", sku="NEW-SKU", stock=3)
    assert harness.unit(units[0].item_id, "0").sku == "NEW-SKU"
    assert sandbox.catalog.by_sku(sandbox.config.shop_id, "NEW-SKU") is not None
    parent = sandbox.catalog.products[int(units[0].item_id)].parent_id
    with pytest.raises(KeyError):
        harness.unit(str(parent), "0")  # a parent is not sellable
    order_id = harness.place_order([(units[0].item_id, "0", 1)], paid=False)
    harness.set_order_status(order_id, "to_ship")
    assert sandbox.order(int(order_id)).status == 220
    harness.set_order_status(order_id, "returned")
    assert sandbox.order(int(order_id)).status == 550 and harness.unit(units[0].item_id, "0").stock == 2
    unpaid = harness.place_order([(units[0].item_id, "0", 1)], paid=False)
    harness.set_order_status(unpaid, "cancelled")
    assert harness.unit(units[0].item_id, "0").stock == 2  # an unpaid order never held any
    with pytest.raises(SandboxError):
        harness.set_order_status(order_id, "lost")
    harness.set_push_url("http://x.test/push", httpx.MockTransport(lambda r: httpx.Response(200)))
    assert set(sandbox.app().webhook_urls.values()) == {"http://x.test/push"}


def test_cli_builds_the_configured_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    served: dict[str, Any] = {}
    monkeypatch.setattr("aiostore.cli.sandbox.uvicorn.run", lambda app, **kw: served.update(app=app, **kw))
    args = [
        "tokopedia",
        "--port",
        "8899",
        "--app-key",
        "my_client",
        "--app-secret",
        "my_secret",
        "--shop-id",
        "777",
        "--access-token",
        "TOKEN",
        "--region",
        "id",
        "--products",
        "3",
        "--orders",
        "5",
        "--push-url",
        "http://127.0.0.1:9/push",
        "--fault-rate",
        "0.1",
        "--latency-ms",
        "2",
        "--seed",
        "4",
    ]
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    assert "Tokopedia sandbox" in result.output and "access_token=TOKEN" in result.output
    assert served["port"] == 8899 and DEFAULT_PORT == 8804 and "Tokopedia" in NAME
    sandbox: TokopediaSandbox = served["app"].state.sandbox
    app = sandbox.app("my_client")
    assert (app.fs_id, app.client_secret, app.linked_shops) == (13004, "my_secret", {777})
    assert sandbox.catalog.count(777) == 3 * 4 and len(sandbox.orders.orders) == 5
    assert sandbox.tokens.valid("TOKEN", sandbox.now()) is not None
    assert app.webhook_urls["order_status_url"] == "http://127.0.0.1:9/push"
    assert (sandbox.rate_limiter.rate, sandbox.rate_limiter.burst) == (5.0, 5)
    assert (sandbox.faults.config.error_rate, sandbox.faults.config.seed) == (0.1, 4)


def test_cli_refuses_other_regions() -> None:
    result = CliRunner().invoke(cli.app, ["tokopedia", "--region", "SG"])
    assert result.exit_code == 1 and "Indonesia" in result.output
