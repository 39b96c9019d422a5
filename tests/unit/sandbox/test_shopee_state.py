"""The Shopee sandbox's state without HTTP: deterministic seeding and its invariants, stock effects of order
statuses (§A5), and pages that return each id once (§A4)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiostore.sandbox.common import ManualClock, SandboxError
from aiostore.sandbox.shopee import ShopeeSandbox, ShopeeSandboxConfig
from aiostore.sandbox.shopee.models import PRICE_RATIO_CAP, RESERVING

START = 1_700_000_000


def make(region: str = "ID", **config: object) -> ShopeeSandbox:
    return ShopeeSandbox(ShopeeSandboxConfig(region=region, clock=ManualClock(START), **config))  # type: ignore[arg-type]


def fingerprint(sandbox: ShopeeSandbox) -> list[tuple[object, ...]]:
    items = [(i.item_id, i.item_name, i.item_sku, i.price, i.stock) for i in sandbox.catalog.items.values()]
    models = [
        (m.model_sku, m.price, m.stock, m.reserved)
        for i in sandbox.catalog.items.values()
        for m in i.models.values()
    ]
    orders = [(o.order_sn, o.status, o.buyer.name, o.update_time) for o in sandbox.orders.orders.values()]
    return [*items, *models, *orders]


def test_seed_is_deterministic() -> None:
    assert fingerprint(make(products=40, orders=60, seed=3)) == fingerprint(
        make(products=40, orders=60, seed=3)
    )
    assert fingerprint(make(products=40, orders=60, seed=3)) != fingerprint(
        make(products=40, orders=60, seed=4)
    )


@pytest.mark.parametrize("region", ["ID", "SG", "MY"])
def test_seed_invariants(region: str) -> None:
    sandbox = make(region, products=120, orders=300, seed=1)
    items = list(sandbox.catalog.items.values())
    skus = [m.model_sku for i in items for m in i.models.values()]
    assert len(skus) == len(set(skus)) == 360 and all(s.count("-") == 3 for s in skus)  # SKU-000123-RED-M
    step = 500 if region == "ID" else 10
    for item in items:
        prices = [m.price for m in item.models.values()]
        assert all(p > 0 and p % step == 0 for p in prices)
        assert max(prices) <= PRICE_RATIO_CAP[region] * min(prices)
        assert all(0 <= m.reserved <= m.stock for m in item.models.values())
    statuses = {o.status for o in sandbox.orders.orders.values()}
    assert {"UNPAID", "READY_TO_SHIP", "SHIPPED", "COMPLETED", "CANCELLED"} <= statuses
    reserved = sum(m.reserved for i in items for m in i.models.values())
    open_units = sum(
        line.quantity for o in sandbox.orders.orders.values() if o.status in RESERVING for line in o.lines
    )
    assert reserved == open_units
    for order in sandbox.orders.orders.values():
        assert (
            order.create_time <= order.update_time <= START
            and order.currency == sandbox.shop().market.currency
        )
        assert all(sandbox.catalog.holder(sandbox.item(x.item_id), x.model_id) for x in order.lines)


def test_seed_ten_thousand_products() -> None:
    sandbox = make(products=10_000, orders=1_000)
    page, total = sandbox.catalog.page(sandbox.shop().shop_id, ["NORMAL"], 9_950, 100)
    assert total == 10_000 and len(page) == 50 and len(sandbox.orders.orders) == 1_000


def test_plain_items_and_model_counts() -> None:
    sandbox = make()
    plain = sandbox.item(sandbox.seed(products=1, variants_per_product=0).item_ids[0])
    six = sandbox.item(sandbox.seed(products=1, variants_per_product=6).item_ids[0])
    twelve = sandbox.item(sandbox.seed(products=1, variants_per_product=12).item_ids[0])
    assert not plain.has_model and plain.price > 0
    assert [len(t.options) for t in six.tier_variation] == [2, 3] and len(six.models) == 6
    assert len(twelve.models) == 12 and plain.item_sku != six.item_sku


def test_order_status_moves_stock() -> None:
    sandbox = make()
    item = sandbox.item(sandbox.seed(products=1, variants_per_product=1).item_ids[0])
    model = next(iter(item.models.values()))
    model.stock = 10
    order = sandbox.place_order([(item.item_id, model.model_id, 4)])
    assert (model.stock, model.reserved, order.stock_state) == (10, 4, "reserved")
    sandbox.set_order_status(order.order_sn, "READY_TO_SHIP")
    assert order.pay_time == START
    sandbox.set_order_status(order.order_sn, "SHIPPED")
    assert (model.stock, model.reserved) == (6, 0)
    with pytest.raises(SandboxError, match="cannot go from SHIPPED to UNPAID"):
        sandbox.set_order_status(order.order_sn, "UNPAID")
    other = sandbox.place_order([(item.item_id, model.model_id, 6)])
    with pytest.raises(SandboxError, match="not enough stock"):
        sandbox.place_order([(item.item_id, model.model_id, 1)])
    sandbox.set_order_status(other.order_sn, "IN_CANCEL")
    with pytest.raises(SandboxError, match="returns .* to UNPAID"):
        sandbox.set_order_status(other.order_sn, "READY_TO_SHIP")
    sandbox.set_order_status(other.order_sn, "CANCELLED")
    assert (model.stock, model.reserved, other.cancel_by) == (6, 0, "buyer")
    with pytest.raises(SandboxError, match="not on the normal path"):
        sandbox.advance_order(other.order_sn)


@pytest.fixture(scope="module")
def seeded() -> ShopeeSandbox:
    return make(products=150, orders=400, seed=9)


@settings(max_examples=25, deadline=None)
@given(page_size=st.integers(1, 100), unlisted=st.sets(st.integers(0, 149), max_size=40))
def test_item_pages_return_each_id_once(seeded: ShopeeSandbox, page_size: int, unlisted: set[int]) -> None:
    catalog = seeded.catalog
    items = list(catalog.items.values())
    for index, item in enumerate(items):
        catalog.set_status(item, "UNLIST" if index in unlisted else "NORMAL", START)
    seen: list[int] = []
    offset = 0
    while True:
        page, total = catalog.page(seeded.shop().shop_id, ["UNLIST", "NORMAL"], offset, page_size)
        seen += [i.item_id for i in page]
        offset += len(page)
        if offset >= total:
            break
    assert seen == sorted(i.item_id for i in items)


@settings(max_examples=25, deadline=None)
@given(page_size=st.integers(1, 100), field=st.sampled_from(["create_time", "update_time"]))
def test_order_pages_return_each_id_once(seeded: ShopeeSandbox, page_size: int, field: str) -> None:
    book, shop_id = seeded.orders, seeded.shop().shop_id
    low, high = START - 15 * 86400, START
    expected = {o.order_sn for o in book.orders.values() if low <= getattr(o, field) <= high}
    seen: list[str] = []
    after = None
    while True:
        page, more = book.page(shop_id, field, low, high, page_size, after)
        seen += [o.order_sn for o in page]
        if not more:
            break
        after = (getattr(page[-1], field), page[-1].order_sn)
    assert len(seen) == len(set(seen)) and set(seen) == expected
