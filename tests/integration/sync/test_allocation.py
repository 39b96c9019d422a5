"""Allocation rules end to end: a rule set through the API reaches the sandbox shops through a real push.

Each step sets a rule (or a promotion reservation) on a live market of two shops sharing one SKU, lets
the queue settle, and reads what each sandbox now offers; the explain says the same number.
"""

from __future__ import annotations

import pytest

from tests.factories import Caller
from tests.integration.sync.conftest import MarketFactory, pair_of
from tests.integration.sync.marketplace import Market
from tests.integration.sync.test_propagation import _link_one_unit, _pull, sellable


async def _offered(market: Market, units: dict[str, tuple[str, str]]) -> dict[str, int]:
    await market.settle()
    return {p: sellable(market, p, key) for p, key in units.items()}


async def _explained(owner: Caller, variant_id: object, channel_ids: dict[str, object]) -> dict[str, int]:
    body = (await owner.get(f"/api/variants/{variant_id}/stock/explain")).json()
    by_shop = {item["channel_account_id"]: item for item in body["listings"]}
    out = {}
    for platform, channel in channel_ids.items():
        item = by_shop[str(channel)]
        assert item["platform_stock"] == item["pushed"], item  # the platform shows what we pushed
        out[platform] = item["pushed"]
    return out


@pytest.mark.parametrize("platform", ["shopee", "tokopedia"])
async def test_each_rule_reaches_the_shops_through_a_push(make_market: MarketFactory, platform: str) -> None:
    market, owner = await make_market(pair_of(platform))
    for p in market.shops:
        await market.connect(p)
    variant_id, units = await _link_one_unit(market, "ALLOC-1", 10)
    await _pull(market, owner)
    first, second = pair_of(platform)
    a, b = market.channel_ids[first], market.channel_ids[second]

    async def put(url: str, body: dict[str, object]) -> None:
        resp = await owner.put(url, json=body)
        assert resp.status_code == 200, resp.text

    # A share for the second shop: 35% of 10 is 3.5, rounded down to 3.
    await put(f"/api/channels/{b}/allocation-rule", {"share_percent": 35})
    assert await _offered(market, units) == {first: 10, second: 3}
    assert await _explained(owner, variant_id, market.channel_ids) == {first: 10, second: 3}

    # A cap on this SKU for the first shop; the second keeps its shop's share.
    await put(f"/api/variants/{variant_id}/allocation-rules/{a}", {"cap": 4})
    assert await _offered(market, units) == {first: 4, second: 3}

    # Keep the last 10 for the first shop: with 10 left, it gets all (its cap lifted), the second 0.
    await put(f"/api/channels/{b}/allocation-rule", {"keep_last": 10, "keep_for_channel_id": str(a)})
    await put(
        f"/api/variants/{variant_id}/allocation-rules/{a}",
        {"cap": 4, "keep_last": 10, "keep_for_channel_id": str(a)},
    )
    assert await _offered(market, units) == {first: 10, second: 0}
    assert await _explained(owner, variant_id, market.channel_ids) == {first: 10, second: 0}

    # Rules gone, a campaign on the second shop holds 6: the first shop is offered 4, the second all 10.
    assert (await owner.delete(f"/api/channels/{b}/allocation-rule")).status_code == 204
    assert (await owner.delete(f"/api/variants/{variant_id}/allocation-rules/{a}")).status_code == 204
    await put(f"/api/variants/{variant_id}/promotions/{b}", {"units": 6, "campaign": "Payday"})
    assert await _offered(market, units) == {first: 4, second: 10}
    assert await _explained(owner, variant_id, market.channel_ids) == {first: 4, second: 10}
    jobs = (await owner.get("/api/jobs", params={"kind": "push_stock"})).json()["items"]
    assert jobs and all(j["status"] == "succeeded" for j in jobs), [(j["status"], j["error"]) for j in jobs]
