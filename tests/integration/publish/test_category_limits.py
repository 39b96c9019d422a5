"""A category's limits as the platform serves them (Shopee get_item_limit, TikTok Shop's category rules),
read by the reference refresh into the cache, decide the preview's findings for listings of that category:
a title the rules file's sample would refuse passes where the category allows it, package dimensions the
category needs are an error (rule id, field, message in English and Indonesian), an organisation's override
still tightens the served limit, and TikTok's required size chart or certification is an error naming it
that blocks the commit (422)."""

from __future__ import annotations

from typing import Any

from aiostore.db.models import PlatformCategory
from aiostore.sandbox.common.taxonomy import Category
from aiostore.sandbox.tiktokshop import routes_reference as tiktok_rules
from tests.integration.publish import support
from tests.integration.publish.conftest import make_market  # noqa: F401
from tests.integration.sync.conftest import MarketFactory


def _branded_leaf() -> tuple[str, str]:
    """A Shopee leaf that needs a brand (so get_item_limit says dimensions are mandatory) and no
    mandatory attribute; and a brand of it."""
    tax = support.taxonomy("shopee")
    leaf: Category = next(
        c
        for c in tax.tree.categories
        if c.leaf and c.brand_required and not any(r.mandatory for r in c.rules)
    )
    return str(tax.id_of(leaf)), str(tax.brand_id(tax.tree.brands_of(leaf)[0]))


async def test_the_served_limits_of_a_category_decide_the_findings_and_an_override_tightens_them(
    make_market: MarketFactory,  # noqa: F811
) -> None:
    market, owner = await make_market(["shopee"], products=1, variants=1)
    shops = await support.connect_all(market, owner)
    category, brand = _branded_leaf()
    await support.read_categories(market, {"shopee": [category]})
    async with market.db.transaction(market.org_id) as session:
        row = await session.get(PlatformCategory, ("shopee", "ID", category))
        assert row is not None and row.limits is not None
        assert row.limits["title"] == {"min": 5, "max": 255} and row.limits["dimensions_required"] is True
    title = (
        "Kaos Polos Katun Combed Premium Lengan Pendek Untuk Pria Dan Wanita "
        "Nyaman Dipakai Harian Bahan Adem Jahitan Rapi"
    )
    assert 100 < len(title) <= 255  # over the rules file's sample maximum, within the category's
    weight_only = {"weight_grams": 250}
    made = await support.product(
        owner,
        "LIM",
        title=title,
        variants=[
            {"sku": "LIM-1", "prices": {"ID": "150000"}, "inventory": {"on_hand": 3}, **weight_only},
        ],
    )
    resp = await owner.put(
        f"/api/products/{made['id']}/platforms/shopee",
        json={"market": "ID", "category_id": category, "brand_id": brand},
    )
    assert resp.status_code == 200, resp.text

    shown = await support.preview(owner, [made["id"]], [shops["shopee"]])
    (item,) = shown["items"]
    found = {f["code"]: f for f in item["findings"]}
    assert "title.too_long" not in found
    missing = found["logistics.dimensions_missing"]
    assert missing["severity"] == "error" and missing["field"] == "items.0.dimensions"
    assert missing["message"] == "Shopee needs the package length, width and height."
    assert missing["message_id"] and missing["message_id"] != missing["message"]  # in Indonesian
    refused = await support.commit(owner, shown["id"], ack=True)
    assert refused.status_code == 422 and refused.json()["code"] == "items_refused", refused.text
    assert refused.json()["errors"][0]["field"] == "items.0.dimensions"

    tighter = {"limits": [{"platform": "shopee", "market": "ID", "key": "title.max", "value": 90}]}
    assert (await owner.put("/api/rules/overrides", json=tighter)).status_code == 200
    again = await support.preview(owner, [made["id"]], [shops["shopee"]])
    (item,) = again["items"]
    too_long = next(f for f in item["findings"] if f["code"] == "title.too_long")
    assert too_long["field"] == "items.0.title" and too_long["value"] == title[:50]
    assert too_long["message"] == f"The title has {len(title)} characters; Shopee allows at most 90."
    shown_rules = await owner.get(
        "/api/rules", params={"platform": "shopee", "market": "ID", "category_id": category}
    )
    assert shown_rules.status_code == 200, shown_rules.text
    body = shown_rules.json()
    assert body["category_limits"]["title"] == {"min": 5, "max": 255}
    assert body["limits"]["title"]["max"] == 90  # served 255, tightened by the organisation
    assert body["limits"]["logistics"]["dimensions"] == "required"
    plain = (await owner.get("/api/rules", params={"platform": "shopee", "market": "ID"})).json()
    assert plain["category_limits"] is None and plain["limits"]["logistics"]["dimensions"] == "optional"
    unknown = await owner.get(
        "/api/rules", params={"platform": "shopee", "market": "ID", "category_id": "999999999"}
    )
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"


def _tiktok_leaf(**want: Any) -> str:
    """A TikTok leaf with no mandatory attribute whose category rules match `want` (the sandbox's own
    reading of the tree: certifications, size chart, package dimensions)."""
    tax = support.taxonomy("tiktokshop")
    for c in tax.tree.categories:
        if not c.leaf or c.plain or any(r.mandatory for r in c.rules):
            continue
        required = [name for _, name, needed in tiktok_rules.certifications(c) if needed]
        found = {
            "certified": bool(required),
            "size_chart": tiktok_rules.size_chart(c)[1],
            "boxed": c.brand_required,
            "department": c.department,
        }
        if all(found[k] == v for k, v in want.items()):
            return str(tax.id_of(c))
    raise AssertionError(f"no TikTok leaf with {want}")


async def test_tiktok_category_rules_are_findings_the_seller_understands_and_block_the_commit(
    make_market: MarketFactory,  # noqa: F811
) -> None:
    market, owner = await make_market(["tiktokshop"], products=1, variants=1)
    shops = await support.connect_all(market, owner)
    boxed = _tiktok_leaf(boxed=True, size_chart=False, certified=False)
    trousers = _tiktok_leaf(boxed=False, size_chart=True, certified=False)
    beauty = _tiktok_leaf(boxed=False, size_chart=False, certified=True, department=5)  # health & beauty
    await support.read_categories(market, {"tiktokshop": [boxed, trousers, beauty]})
    async with market.db.transaction(market.org_id) as session:
        rows = {
            c: await session.get(PlatformCategory, ("tiktokshop", "ID", c)) for c in (boxed, trousers, beauty)
        }
    assert {c: r.limits if r else None for c, r in rows.items()} == {
        boxed: {"dimensions_required": True, "certifications": []},
        trousers: {"size_chart_required": True, "certifications": []},
        beauty: {"certifications": ["BPOM registration"]},
    }

    weight_only = {"weight_grams": 250}
    unboxed = [{"sku": "TTB-1", "prices": {"ID": "150000"}, "inventory": {"on_hand": 3}, **weight_only}]
    made = {
        boxed: await support.product(owner, "TTB", variants=unboxed),
        trousers: await support.product(owner, "TTT"),
        beauty: await support.product(owner, "TTC"),
    }
    for category, product in made.items():
        await support.map_to(owner, product["id"], "tiktokshop", category)
    ids = [made[c]["id"] for c in (boxed, trousers, beauty)]
    shown = await support.preview(owner, ids, [shops["tiktokshop"]])
    by_product = {i["product_id"]: i for i in shown["items"]}
    errors = {
        c: {f["code"]: f for f in by_product[made[c]["id"]]["findings"] if f["severity"] == "error"}
        for c in made
    }
    assert set(errors[boxed]) == {"logistics.dimensions_missing"}
    assert set(errors[trousers]) == {"category.size_chart_required"}
    assert set(errors[beauty]) == {"category.certification_required"}
    dims = errors[boxed]["logistics.dimensions_missing"]
    assert dims["message"] == "TikTok Shop needs the package length, width and height."
    chart = errors[trousers]["category.size_chart_required"]
    assert chart["field"].endswith(".size_chart")
    assert chart["message"].startswith("TikTok Shop requires a size chart for this category")
    assert chart["message_id"].startswith("TikTok Shop mewajibkan tabel ukuran")
    cert = errors[beauty]["category.certification_required"]
    assert cert["field"].endswith(".certifications") and cert["value"] == "BPOM registration"
    assert "requires the certification BPOM registration" in cert["message"]
    assert "sertifikasi BPOM registration" in cert["message_id"]

    refused = await support.commit(owner, shown["id"], ack=True)
    assert refused.status_code == 422 and refused.json()["code"] == "items_refused", refused.text
    fields = {e["field"].split(".", 2)[2] for e in refused.json()["errors"]}
    assert fields == {"dimensions", "size_chart", "certifications"}
    assert await support.publish_jobs(market) == []  # nothing queued, nothing sent
