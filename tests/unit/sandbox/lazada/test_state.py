"""The Lazada sandbox's state without HTTP: seeding, the catalogue's pages, the inventory logic of order
items, transitions, tokens and payload parsing."""

from __future__ import annotations

import pytest

from aiostore.sandbox.common import ManualClock, SandboxError
from aiostore.sandbox.lazada import LazadaSandbox, LazadaSandboxConfig
from aiostore.sandbox.lazada.catalog import TimeFilter
from aiostore.sandbox.lazada.errors import LazadaError
from aiostore.sandbox.lazada.params import Params, payload, product_of, skus_of


def make(**kw: object) -> LazadaSandbox:
    return LazadaSandbox(LazadaSandboxConfig(clock=ManualClock(1_700_000_000), **kw))  # type: ignore[arg-type]


def test_seeding_is_deterministic_and_fits_the_currency() -> None:
    first, second = make(products=40, orders=60, country="SG"), make(products=40, orders=60, country="SG")
    skus = [
        (s.seller_sku, s.price, s.quantity) for p in first.catalog.products.values() for s in p.skus.values()
    ]
    assert skus == [
        (s.seller_sku, s.price, s.quantity) for p in second.catalog.products.values() for s in p.skus.values()
    ]
    assert len(skus) == 120 and all(price % 10 == 0 for _, price, _ in skus)  # SGD in 10-cent steps
    assert len(first.orders.orders) == 60
    for order in first.orders.orders.values():  # every open item holds what its status says
        for item in order.items:
            assert item.stock_state == {"unpaid": "withheld", "canceled": "released"}.get(
                item.status, "occupied" if item.status in ("pending", "packed") else "deducted"
            )
    for product in first.catalog.products.values():
        for sku in product.skus.values():
            assert sku.quantity >= sku.reserved


def test_a_large_shop_seeds_and_pages_without_scanning() -> None:
    sandbox = make(products=10_000, variants_per_product=3)
    seller = sandbox.seller().seller_id
    assert sandbox.catalog.count(seller) == 10_000 and len(sandbox.catalog.sku_owner) == 30_000
    page, total = sandbox.catalog.page(seller, "all", 9_950, 50, TimeFilter())
    assert total == 10_000 and len(page) == 50 and page[-1].item_id == max(sandbox.catalog.products)
    created = [p.created_ms for p in sandbox.catalog.of_seller(seller)]
    assert created == sorted(created)  # oldest created first


def test_catalogue_filters() -> None:
    sandbox = make(products=5, variants_per_product=1)
    seller = sandbox.seller().seller_id
    products = list(sandbox.catalog.of_seller(seller))
    sandbox.catalog.set_status(products[0], "Deleted")
    sandbox.catalog.set_status(products[1], "InActive")
    next(iter(products[2].skus.values())).quantity = 0
    count = {
        name: sandbox.catalog.page(seller, name, 0, 50, TimeFilter())[1]
        for name in ("all", "live", "inactive", "deleted", "sold-out")
    }
    assert count["all"] == 4 and count["deleted"] == 1 and count["inactive"] == 1 and count["live"] == 3
    assert count["sold-out"] >= 1
    since = TimeFilter(created_after=products[3].created_ms)
    assert [p.item_id for p in sandbox.catalog.page(seller, "all", 0, 50, since)[0]] == [
        products[3].item_id,
        products[4].item_id,
    ]


def test_inventory_logic_of_an_order() -> None:
    sandbox = make(products=1, variants_per_product=1)
    product = next(iter(sandbox.catalog.products.values()))
    sku = next(iter(product.skus.values()))
    sku.quantity = 5
    order = sandbox.place_order([(product.item_id, sku.sku_id, 2)])
    assert (sku.withhold, sku.occupy, sku.sellable) == (2, 0, 3)
    sandbox.set_order_status(order.order_id, "pending")
    assert (sku.withhold, sku.occupy, sku.quantity) == (0, 2, 5)
    sandbox.advance_order(order.order_id)  # packed: still occupied
    assert {i.status for i in order.items} == {"packed"} and sku.occupy == 2 and order.items[0].package_id
    sandbox.advance_order(order.order_id)  # ready to ship: out of the total
    assert (sku.occupy, sku.quantity, sku.sellable) == (0, 3, 3)
    with pytest.raises(SandboxError):
        sandbox.set_order_status(order.order_id, "unpaid")  # not a transition Lazada makes
    sandbox.set_order_status(order.order_id, "canceled")
    assert (sku.quantity, sku.reserved) == (5, 0)
    with pytest.raises(SandboxError, match="sellable"):
        sandbox.place_order([(product.item_id, sku.sku_id, 6)])
    with pytest.raises(SandboxError):
        sandbox.place_order([(product.item_id, sku.sku_id + 1, 1)])


def test_tokens_codes_and_rotation() -> None:
    sandbox = make()
    code = sandbox.issue_auth_code()
    pair = sandbox.tokens.exchange_code(code, sandbox.app().app_key, sandbox.now())
    assert (
        pair is not None and sandbox.tokens.exchange_code(code, sandbox.app().app_key, sandbox.now()) is None
    )
    assert sandbox.tokens.owner_of(pair.access_token, "other-app", sandbox.now()) is None
    fresh = sandbox.tokens.refresh_pair(pair.refresh_token, sandbox.app().app_key, sandbox.now())
    assert (
        fresh is not None
        and sandbox.tokens.refresh_pair(pair.refresh_token, sandbox.app().app_key, sandbox.now()) is None
    )
    assert (
        sandbox.expire_access_tokens() == 2
        and sandbox.tokens.owner_of(fresh.access_token, sandbox.app().app_key, sandbox.now()) is None
    )
    with pytest.raises(SandboxError):
        sandbox.add_seller("x", "TH")


def test_payloads_parse_xml_and_json_alike() -> None:
    skus = "<Sku><SkuId>1</SkuId></Sku><Sku><SkuId>2</SkuId></Sku>"
    xml = f"<Request><Product><Skus>{skus}</Skus></Product></Request>"
    js = '{"Request": {"Product": {"Skus": {"Sku": [{"SkuId": "1"}, {"SkuId": "2"}]}}}}'
    assert (
        skus_of(product_of(payload(xml)))
        == skus_of(product_of(payload(js)))
        == [{"SkuId": "1"}, {"SkuId": "2"}]
    )
    for bad in ("<Request><Product>", "{not json", '<!DOCTYPE x [<!ENTITY e "e">]><Request/>', "<Other/>"):
        with pytest.raises(LazadaError):
            product_of(payload(bad))


def test_params() -> None:
    params = Params({"ids": '[1, "2"]', "when": "2023-11-01T00:00:00+07:00", "n": "x"})
    bad = LazadaError("56", "bad")
    assert params.id_list("ids", limit=5, too_many=bad, bad=bad) == [1, 2]
    with pytest.raises(LazadaError, match="too many"):
        params.id_list("ids", limit=1, too_many=LazadaError("38", "too many"), bad=bad)
    assert params.date("when", bad) == 1698771600 and params.date("missing", bad) is None
    with pytest.raises(LazadaError, match="MissingParameter|mandatory"):
        params.required("missing")
    with pytest.raises(LazadaError):
        params.integer("n", 0)
