"""Mapping master products onto platform categories, from the reference-data cache: search by name in
English and Indonesian, a category's attributes and brands (409 while never read, with a refresh queued),
PUT validated against the cached rules (422 naming each field), copy to many products (all or none),
audit, and another org's products not found."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from aiostore.connectors import dtos
from aiostore.db.models import AuditLog, ChannelAccount, SyncJob
from aiostore.db.session import Database
from aiostore.sandbox.common.taxonomy import Category
from aiostore.sandbox.shopee.routes_reference import TAXONOMY
from aiostore.services.reference import cache
from tests.factories import Caller, product_body

HOUR = timedelta(hours=1)
INPUT = {"single_select", "multi_select"}


def _leaf(pick: Any) -> Category:
    return next(c for c in TAXONOMY.tree.categories if c.leaf and pick(c))


STRICT = _leaf(lambda c: c.brand_required and c.rules[0].mandatory and c.rules[0].attribute.selects)
PLAIN = TAXONOMY.leaf(101220)
UNREAD = _leaf(lambda c: c is not STRICT and c is not PLAIN)


def _id(category: Category | None) -> str:
    assert category is not None
    return str(TAXONOMY.id_of(category))


def _attributes(category: Category) -> list[dtos.AttributeDTO]:
    kinds = {
        "numeric": dtos.AttributeInput.NUMBER,
        "date": dtos.AttributeInput.DATE,
        "text": dtos.AttributeInput.TEXT,
    }
    return [
        dtos.AttributeDTO(
            attribute_id=str(TAXONOMY.attribute_id(r.attribute)),
            names={"en": r.attribute.name[0], "id": r.attribute.name[1]},
            mandatory=r.mandatory,
            input_type=dtos.AttributeInput(r.attribute.input_type)
            if r.attribute.input_type in INPUT
            else kinds[r.attribute.input_type],
            options=tuple(
                dtos.AttributeOption(str(TAXONOMY.value_id(r.attribute, i)), {"en": v[0], "id": v[1]})
                for i, v in enumerate(r.attribute.values)
            ),
            units=r.attribute.units,
        )
        for r in category.rules
    ]


async def _cache(db: Database) -> None:
    now = datetime.now(UTC)
    tree = [
        dtos.CategoryDTO(
            str(TAXONOMY.id_of(c)),
            None if c.parent is None else str(TAXONOMY.parent_id(c)),
            {"en": c.name[0], "id": c.name[1]},
            c.leaf,
        )
        for c in TAXONOMY.tree.categories
    ]
    async with db.transaction() as session:
        await cache.store_tree(session, "shopee", "ID", tree, now, HOUR)
        for category in (STRICT, PLAIN):
            assert category is not None
            brands = dtos.BrandList(
                tuple(
                    dtos.BrandDTO(str(TAXONOMY.brand_id(b)), b.name)
                    for b in TAXONOMY.tree.brands_of(category)
                ),
                category.brand_required,
            )
            await cache.store_details(
                session, "shopee", "ID", _id(category), _attributes(category), brands, now, (HOUR, HOUR)
            )


def _fields(resp: Any) -> set[str]:
    return {e["field"] for e in resp.json()["errors"]}


def _valid_values() -> list[dict[str, Any]]:
    values = []
    for rule in STRICT.rules:
        attribute = rule.attribute
        if attribute.selects:
            values.append(
                {
                    "attribute_id": str(TAXONOMY.attribute_id(attribute)),
                    "value_ids": [str(TAXONOMY.value_id(attribute, 0))],
                }
            )
        else:
            values.append(
                {
                    "attribute_id": str(TAXONOMY.attribute_id(attribute)),
                    "texts": ["12"],
                    "unit": (attribute.units or ("",))[0],
                }
            )
    return values


async def test_search_and_attributes_come_from_the_cache(db: Database, owner: Caller) -> None:
    await _cache(db)
    found = (
        await owner.get("/api/platforms/shopee/categories", params={"market": "ID", "q": "atasan"})
    ).json()
    assert found and all("atasan" in c["name_id"].lower() for c in found) and found[0]["leaf"]
    english = (
        await owner.get("/api/platforms/shopee/categories", params={"market": "ID", "q": "Casual Tops"})
    ).json()
    assert [c["name_en"] for c in english] == ["Casual Tops"]
    other_market = await owner.get("/api/platforms/shopee/categories", params={"market": "SG", "q": "tops"})
    assert other_market.status_code == 409  # Singapore's tree is another cache, never read (and no SG shop)
    assert other_market.json()["code"] == "reference_pending"
    assert (
        await owner.get("/api/platforms/shopee/categories", params={"market": "ID", "q": "%"})
    ).json() == []
    bad = await owner.get("/api/platforms/nowhere/categories", params={"market": "ID"})
    assert bad.status_code == 422 and "platform" in {e["field"].split(".")[-1] for e in bad.json()["errors"]}

    details = (
        await owner.get(f"/api/platforms/shopee/categories/{_id(STRICT)}/attributes", params={"market": "ID"})
    ).json()
    assert details["brand_required"] is True and details["brands"]
    first = details["attributes"][0]
    assert (
        first["mandatory"] is True
        and first["options"]
        and first["name_id"] == STRICT.rules[0].attribute.name[1]
    )
    missing = await owner.get("/api/platforms/shopee/categories/999/attributes", params={"market": "ID"})
    assert missing.status_code == 404


async def test_an_unread_category_is_pending_and_queues_one_refresh(db: Database, owner: Caller) -> None:
    async with db.transaction(owner.org_id) as s:
        s.add(
            ChannelAccount(
                org_id=owner.org_id,
                platform="shopee",
                market="ID",
                shop_id="s1",
                shop_name="S",
                status="connected",
            )
        )
    for _ in range(2):  # nothing read yet for Shopee ID: one refresh of the tree is queued
        resp = await owner.get("/api/platforms/shopee/categories", params={"market": "ID"})
        assert resp.status_code == 409 and resp.json()["code"] == "reference_pending"
    await _cache(db)
    url = f"/api/platforms/shopee/categories/{_id(UNREAD)}/attributes"
    for _ in range(2):
        resp = await owner.get(url, params={"market": "ID"})
        assert resp.status_code == 409 and resp.json()["code"] == "reference_pending"
        assert resp.headers["retry-after"] == "30"
    async with db.transaction(owner.org_id) as s:
        stmt = select(SyncJob).where(SyncJob.kind == "refresh_reference").order_by(SyncJob.created_at)
        jobs = (await s.scalars(stmt)).all()
    assert [j.params for j in jobs] == [{"categories": []}, {"categories": [_id(UNREAD)]}]


async def test_put_checks_the_category_rules_and_copy_applies_all_or_none(
    db: Database, owner: Caller, other_org: Caller
) -> None:
    await _cache(db)
    ids = [(await owner.post("/api/products", json=product_body(f"MAP-{n}"))).json()["id"] for n in range(3)]
    url = f"/api/products/{ids[0]}/platforms/shopee"
    resp = await owner.put(url, json={"market": "ID", "category_id": _id(STRICT)})
    assert resp.status_code == 422 and _fields(resp) == {"attributes", "brand_id"}
    wrong = [{"attribute_id": _valid_values()[0]["attribute_id"], "value_ids": ["1"]}]
    resp = await owner.put(url, json={"market": "ID", "category_id": _id(STRICT), "attributes": wrong})
    assert "attributes[0].value_ids" in _fields(resp)
    parent = str(TAXONOMY.parent_id(STRICT))
    resp = await owner.put(url, json={"market": "ID", "category_id": parent})
    assert resp.status_code == 422 and _fields(resp) == {"category_id"}
    brand = str(TAXONOMY.brand_id(TAXONOMY.tree.brands_of(STRICT)[0]))
    good = {"market": "ID", "category_id": _id(STRICT), "attributes": _valid_values(), "brand_id": brand}
    resp = await owner.put(url, json=good)
    assert resp.status_code == 200, resp.text
    assert (resp.json()["category_id"], resp.json()["brand_id"]) == (_id(STRICT), brand)
    assert [m["category_id"] for m in (await owner.get(f"/api/products/{ids[0]}/platforms")).json()] == [
        _id(STRICT)
    ]

    foreign = (await other_org.post("/api/products", json=product_body("THEIRS"))).json()["id"]
    copy = {"from_product_id": ids[0], "platform": "shopee", "market": "ID", "product_ids": [ids[1], foreign]}
    resp = await owner.post("/api/products/platform-mapping:copy", json=copy)
    assert resp.status_code == 422 and _fields(resp) == {"product_ids[1]"}
    assert (await owner.get(f"/api/products/{ids[1]}/platforms")).json() == []  # nothing half applied
    copy["product_ids"] = [ids[1], ids[2]]
    resp = await owner.post("/api/products/platform-mapping:copy", json=copy)
    assert resp.status_code == 200 and len(resp.json()["copied"]) == 2
    for pid in ids[1:]:
        (mapped,) = (await owner.get(f"/api/products/{pid}/platforms")).json()
        assert (mapped["category_id"], mapped["brand_id"]) == (_id(STRICT), brand)
    theirs = {**copy, "from_product_id": ids[0], "product_ids": [foreign]}
    assert (await other_org.post("/api/products/platform-mapping:copy", json=theirs)).status_code == 404
    assert (await other_org.put(url, json=good)).status_code == 404
    async with db.transaction(owner.org_id) as s:
        actions = (
            await s.scalars(select(AuditLog.action).where(AuditLog.action.like("product.platform%")))
        ).all()
    assert len(actions) == 3
