"""The SQL decision of unchanged targets (services/catalog/publish_unchanged.py) against the Python diff
(domain/publish.py) on random catalogs: whatever SQL calls unchanged, Python finds nothing to do there
(and SQL's title for it is Python's); a listing exactly as published is decided in SQL, so the fast path
is not vacuous. Each catalog starts in step with the shops and then gets random edits of every kind the
diff reads (and some SQL leaves to Python: overrides, non-string values, unsorted attributes, odd
price texts, a variant listed twice)."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select

from aiostore.db.models import (
    ChannelAccount,
    Inventory,
    Listing,
    Product,
    ProductPlatformMapping,
    Variant,
    VariantPrice,
)
from aiostore.db.session import Database
from aiostore.domain import publish
from aiostore.services.catalog.publish import products_query
from aiostore.services.catalog.publish_inputs import load, load_shops, target
from aiostore.services.catalog.publish_unchanged import decide
from tests.factories import Caller

SHOPS = [("shopee", "ID", "IDR", 0), ("lazada", "MY", "MYR", 2), ("tokopedia", "ID", "IDR", 0)]
ATTRS = [
    {"attribute_id": "20", "value_ids": ["7"], "texts": [], "unit": ""},
    {"attribute_id": "100", "value_ids": [], "texts": ["katun"], "unit": "cm"},
]


def _price(amount: int, exponent: int) -> str:
    return str(publish.price_text(str(amount / 10**exponent) if exponent else str(amount), exponent))


def _edit(rng: random.Random, state: dict[str, Any], row: dict[str, Any]) -> None:
    """One random edit of a listing's platform state or row (what a pull or a seller changed)."""
    kind = rng.randrange(16)
    if kind == 0:
        state["name"] = state["name"] + " Baru"
    elif kind == 1:
        state.pop(rng.choice(["description", "images", "category", "brand", "attributes", "name"]), None)
    elif kind == 2:
        state["price"] = rng.choice([None, "", "10001.0", "1e4", " 5", state["price"] + "0"])
    elif kind == 3:
        state["options"] = rng.choice([None, [], ["X"], "S", list(reversed(state["options"]))])
    elif kind == 4:
        row["platform_stock"] = rng.choice([None, 0, (row["platform_stock"] or 0) + 1])
    elif kind == 5:
        row["status"] = rng.choice(["inactive", "publishing", "refused", "banned"])
    elif kind == 6:
        row["overrides"] = rng.choice([{"title": "Lain"}, {"price": "1"}, {"foo": 1}, {"title": ""}])
    elif kind == 7:
        state["category"] = rng.choice([None, "999", 100])
    elif kind == 8:
        state["brand"] = rng.choice(["B-1", None, 3])
    elif kind == 9:
        state["attributes"] = rng.choice([[], list(reversed(state.get("attributes") or ATTRS)), ATTRS])
    elif kind == 10:
        state["images"] = rng.choice([[], ["https://img.example/x.jpg"], [1]])
    elif kind == 11:
        state["description"] = rng.choice([None, "", state.get("description", "") + "!"])


async def _catalog(db: Database, org_id: uuid.UUID, seed: int) -> set[tuple[str, str]]:
    """Random products on SHOPS, each listed as the master wants then edited at random; returns the
    (product, shop) targets left exactly as published."""
    rng = random.Random(seed)
    pristine: set[tuple[str, str]] = set()
    async with db.transaction(org_id) as session:
        shops = [
            ChannelAccount(
                id=uuid.uuid4(), org_id=org_id, platform=p, market=m, shop_id=f"s-{seed}-{p}",
                shop_name=p, status="connected", extra={},
            )
            for p, m, _, _ in SHOPS
        ]  # fmt: skip
        session.add_all(shops)
        await session.flush()
        for n in range(40):
            pid = uuid.uuid4()
            status = "active" if rng.random() < 0.85 else rng.choice(["draft", "archived"])
            description = rng.choice(["Katun lembut", ""])
            images: list[Any] = rng.choice(
                [["https://img.example/a.jpg"], [], ["https://img.example/b.jpg", 2]]
            )
            session.add(
                Product(
                    id=pid, org_id=org_id, title=f"Kaos {seed}-{n}", brand="Maju", status=status,
                    description=description, images=images, attributes={},
                )
            )  # fmt: skip
            await session.flush()
            variants = []
            exact = status == "active" and all(isinstance(i, str) for i in images)
            for v in range(rng.choice([0, 1, 1, 2, 3])):
                vid = uuid.uuid4()
                options: dict[str, Any] = rng.choice(
                    [{"size": f"S{v}"}, {"size": f"S{v}", "color": "merah"}, {}]
                )
                if rng.random() < 0.05:
                    options = {"size": v}  # a value that is not a string
                    exact = False
                session.add(
                    Variant(
                        id=vid, org_id=org_id, product_id=pid, sku=f"K{seed}-{n}-{v}",
                        position=rng.randrange(3), option_values=options, images=[], attributes={},
                    )
                )  # fmt: skip
                await session.flush()
                amounts = {m: 10_000 + rng.randrange(500) for _, m, _, _ in SHOPS}
                for market, amount in amounts.items():
                    if rng.random() >= 0.95:
                        exact = False  # no price in that market: the listing's price differs
                    else:
                        session.add(
                            VariantPrice(
                                org_id=org_id, variant_id=vid, market=market,
                                currency="IDR" if market == "ID" else "MYR", amount=amount,
                            )
                        )  # fmt: skip
                on_hand, reserved = rng.randrange(20), rng.randrange(3)
                available = max(0, on_hand - reserved)
                if rng.random() < 0.9:
                    session.add(Inventory(org_id=org_id, variant_id=vid, on_hand=on_hand, reserved=reserved))
                else:
                    available = 0
                variants.append((vid, options, amounts, available))
            await session.flush()
            for (platform, market, _, exponent), shop in zip(SHOPS, shops, strict=True):
                attrs = rng.choice([[], [], ATTRS, list(reversed(ATTRS)), [ATTRS[0] | {"extra": 1}]])
                mapped = rng.random() < 0.9
                brand = rng.choice([None, "B-1"]) if mapped else None
                if mapped:
                    session.add(
                        ProductPlatformMapping(
                            org_id=org_id, product_id=pid, platform=platform, market=market,
                            category_id="100", brand_id=brand, attributes=attrs,
                        )
                    )  # fmt: skip
                if rng.random() < 0.15:
                    continue  # not listed on this shop
                item = f"{seed}{n}"
                edited = not exact or (mapped and any("extra" in a for a in attrs))
                for k, (vid, options, amounts, available) in enumerate(variants):
                    if len(variants) > 1 and rng.random() < 0.05:
                        edited = True
                        continue  # a variant not listed
                    state: dict[str, Any] = {
                        "name": f"Kaos {seed}-{n}",
                        "description": description,
                        "images": images,
                        "category": "100" if mapped else None,
                        "brand": brand,
                        "attributes": sorted(attrs, key=lambda a: a["attribute_id"]) if mapped else [],
                        "options": [str(o) for o in options.values()],
                        "price": _price(amounts[market], exponent),
                    }
                    row: dict[str, Any] = {"status": "active", "overrides": {}, "platform_stock": available}
                    if rng.random() < 0.3:  # as a pull writes it: no product-level fields but the name
                        for key in ("description", "images", "category", "brand", "attributes"):
                            state.pop(key)
                    if rng.random() < 0.3:
                        _edit(rng, state, row)
                        edited = True
                    session.add(
                        Listing(
                            org_id=org_id, channel_account_id=shop.id, variant_id=vid, platform_item_id=item,
                            platform_model_id=str(k), platform_sku=None, title="", status=row["status"],
                            platform_state=state, overrides=row["overrides"], sync_state="in_sync",
                            platform_stock=row["platform_stock"],
                        )
                    )  # fmt: skip
                    if rng.random() < 0.03:  # the same variant listed twice
                        edited = True
                        session.add(
                            Listing(
                                org_id=org_id, channel_account_id=shop.id, variant_id=vid,
                                platform_item_id=item, platform_model_id=f"{k}b", title="", status="active",
                                platform_state=state,
                                overrides={}, sync_state="in_sync", platform_stock=row["platform_stock"],
                            )
                        )  # fmt: skip
                if not edited and variants:
                    pristine.add((str(pid), str(shop.id)))
    return pristine


@pytest.mark.parametrize("seed", range(6))
async def test_what_sql_calls_unchanged_python_diffs_as_unchanged(
    db: Database, owner: Caller, seed: int
) -> None:
    org_id = uuid.UUID((await owner.get("/api/auth/me")).json()["org_id"])
    pristine = await _catalog(db, org_id, seed)
    async with db.transaction(org_id) as session:
        shop_ids = list(await session.scalars(select(ChannelAccount.id).order_by(ChannelAccount.platform)))
        shops = await load_shops(session, shop_ids)
        order = sorted(str(i) for i in await session.scalars(products_query(org_id, None, None)))
        decided = await decide(session, org_id, order, shops)
        inputs = await load(session, org_id, shops, products_query(org_id, None, None))
    left = {(p, i) for p, i, _ in decided.changed}
    python: dict[tuple[str, int], str] = {}
    titles: Counter[tuple[int, str]] = Counter()
    for p in order:
        for i, shop in enumerate(shops):
            before, desired = target(inputs, p, shop)
            python[(p, i)] = publish.action(before, desired, publish.diff(before, desired))
            if (p, i) not in left and before is not None:
                titles[(i, before["title"])] += 1
    sql_unchanged = set(python) - left
    assert {k: python[k] for k in sql_unchanged if python[k] != publish.UNCHANGED} == {}
    assert sum(decided.unchanged.values()) == len(sql_unchanged)
    assert Counter((i, t) for i, ts in decided.titles.items() for t in ts) == titles
    # a target left exactly as published is decided in SQL (the fast path is not vacuous)
    keys = {(p, str(s.id)): (p, i) for p in order for i, s in enumerate(shops)}
    assert pristine and {keys[t] for t in pristine} <= sql_unchanged
