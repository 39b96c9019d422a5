"""TikTok Shop sandbox product endpoints (§B4): search pages, detail, create, edit, inventory and prices."""

from __future__ import annotations

from typing import Any

from aiostore.sandbox.tiktokshop import TikTokShopSandbox
from tests.integration.sandbox.tiktokshop.conftest import TTS, data, error

SEARCH = "/product/202309/products/search"


async def collect(tts: TTS, body: dict[str, Any], page_size: int) -> tuple[list[dict[str, Any]], int]:
    products: list[dict[str, Any]] = []
    token, calls = "", 0
    while True:
        params: dict[str, Any] = {"page_size": page_size, **({"page_token": token} if token else {})}
        page = data(await tts.post(SEARCH, body, **params))
        calls += 1
        products += page["products"]
        token = page["next_page_token"]
        if not token:
            return products, calls


async def test_search_pages_each_product_once(tts: TTS, sandbox: TikTokShopSandbox) -> None:
    sandbox.seed(products=23, variants_per_product=2)
    first = data(await tts.post(SEARCH, {}, page_size=10))
    assert first["total_count"] == 23 and len(first["products"]) == 10 and first["next_page_token"]
    products, calls = await collect(tts, {"status": "ALL"}, 10)
    assert calls == 3 and len({p["id"] for p in products}) == 23
    sku = products[0]["skus"][0]
    assert set(sku) == {"id", "seller_sku", "price", "inventory"}
    assert sku["price"]["currency"] == "IDR" and "." not in sku["price"]["tax_exclusive_price"]
    assert sku["inventory"] == [
        {"warehouse_id": sandbox.shop().warehouse_id, "quantity": sku["inventory"][0]["quantity"]}
    ]
    exact, _ = await collect(tts, {"status": "ALL"}, 23)
    assert len(exact) == 23  # the last page says no more
    error(await tts.post(SEARCH, {}, page_size=10, page_token="%%%"), 200, 12052910)


async def test_search_filters(tts: TTS, sandbox: TikTokShopSandbox, clock: Any) -> None:
    sandbox.seed(products=5, variants_per_product=1)
    product = sandbox.product(sorted(sandbox.catalog.products)[2])
    clock.advance(100)
    product.update_time = int(clock())
    recent = data(await tts.post(SEARCH, {"update_time_ge": int(clock()) - 10}, page_size=50))
    assert [p["id"] for p in recent["products"]] == [product.product_id] and recent["total_count"] == 1
    sku = next(iter(product.skus.values()))
    by_sku = data(await tts.post(SEARCH, {"seller_skus": [sku.seller_sku]}, page_size=50))
    assert [p["id"] for p in by_sku["products"]] == [product.product_id]
    sandbox.catalog.set_status(product, "DELETED", int(clock()))
    assert data(await tts.post(SEARCH, {"status": "ALL"}, page_size=50))["total_count"] == 4
    assert data(await tts.post(SEARCH, {"status": "DELETED"}, page_size=50))["total_count"] == 1
    error(await tts.post(SEARCH, {"status": "GONE"}, page_size=50), 200, 12052910)


async def test_create_get_edit_and_switch(tts: TTS, sandbox: TikTokShopSandbox) -> None:
    for name in ["img-1", "i"]:
        sandbox.images.issue(name)  # as if uploaded
    body: dict[str, Any] = {
        "title": "Tee",
        "description": "<p>Tee</p>",
        "category_id": "600001",
        "main_images": [{"uri": "img-1"}],
        "package_weight": {"value": "0.2", "unit": "KILOGRAM"},
        "skus": [
            {
                "seller_sku": "TEE-M",
                "price": {"amount": "99000", "currency": "IDR"},
                "inventory": [{"quantity": 3}],
                "sales_attributes": [{"name": "Size", "value_name": "M"}],
            },
            {
                "seller_sku": "TEE-L",
                "price": {"amount": "109000", "currency": "IDR"},
                "inventory": [{"quantity": 4}],
                "sales_attributes": [{"name": "Size", "value_name": "L"}],
            },
        ],
    }
    created = data(await tts.post("/product/202309/products", body))
    product_id = created["product_id"]
    assert [s["seller_sku"] for s in created["skus"]] == ["TEE-M", "TEE-L"]
    detail = data(await tts.get(f"/product/202309/products/{product_id}"))
    assert detail["status"] == "ACTIVATE" and detail["skus"][1]["sales_attributes"][0]["value_name"] == "L"
    assert detail["skus"][0]["price"] == {"amount": "99000", "currency": "IDR", "sale_price": "99000"}
    data(await tts.post(f"/product/202309/products/{product_id}/partial_edit", {"title": "Tee 2"}))
    assert sandbox.product(product_id).title == "Tee 2"
    switched = data(await tts.post("/product/202309/products/deactivate", {"product_ids": [product_id, "1"]}))
    assert [e["detail"]["product_id"] for e in switched["errors"]] == ["1"]
    assert sandbox.product(product_id).status == "SELLER_DEACTIVATED"
    error(await tts.get("/product/202309/products/1"), 200, 12052230)
    wrong_currency = {**body, "skus": [{**body["skus"][0], "price": {"amount": "9.90", "currency": "SGD"}}]}
    error(await tts.post("/product/202309/products", wrong_currency), 200, 12052910)
    too_precise = {**body, "skus": [{**body["skus"][0], "price": {"amount": "99000.5", "currency": "IDR"}}]}
    error(await tts.post("/product/202309/products", too_precise), 200, 12052910)
    as_number = {**body, "skus": [{**body["skus"][0], "price": {"amount": 99000, "currency": "IDR"}}]}
    error(await tts.post("/product/202309/products", as_number), 200, 12052910)


async def test_audit_holds_a_new_product_pending(tts: TTS, sandbox: TikTokShopSandbox, clock: Any) -> None:
    for name in ["img-1", "i"]:
        sandbox.images.issue(name)  # as if uploaded
    sandbox.config.review_seconds = 60
    body = {
        "title": "Mug",
        "description": "d",
        "category_id": "600001",
        "main_images": [{"uri": "i"}],
        "package_weight": {"value": "0.3", "unit": "KILOGRAM"},
        "skus": [{"price": {"amount": "1000", "currency": "IDR"}, "inventory": [{"quantity": 1}]}],
    }
    product_id = data(await tts.post("/product/202309/products", body))["product_id"]
    assert data(await tts.get(f"/product/202309/products/{product_id}"))["status"] == "PENDING"
    clock.advance(61)
    assert data(await tts.get(f"/product/202309/products/{product_id}"))["status"] == "ACTIVATE"


async def test_inventory_and_prices_one_product_per_call(tts: TTS, sandbox: TikTokShopSandbox) -> None:
    sandbox.seed(products=2, variants_per_product=2)
    first, second = (sandbox.product(i) for i in sorted(sandbox.catalog.products))
    a, b = first.skus
    answer = data(
        await tts.post(
            f"/product/202309/products/{first.product_id}/inventory/update",
            {
                "skus": [
                    {"id": a, "inventory": [{"quantity": 7}]},
                    {"id": next(iter(second.skus)), "inventory": [{"quantity": 1}]},
                    {"id": b, "inventory": [{"warehouse_id": "99", "quantity": 1}]},
                ]
            },
        )
    )
    assert [(e["code"], e["detail"]["sku_id"]) for e in answer["errors"]] == [
        (12052231, next(iter(second.skus))),
        (12052232, b),
    ]
    assert first.skus[a].quantity == 7
    ok = data(
        await tts.post(
            f"/product/202309/products/{first.product_id}/prices/update",
            {"skus": [{"id": b, "price": {"amount": "15500", "currency": "IDR"}}]},
        )
    )
    assert ok == {} and first.skus[b].price == 15500
    error(
        await tts.post(
            "/product/202309/products/1/inventory/update",
            {"skus": [{"id": a, "inventory": [{"quantity": 1}]}]},
        ),
        200,
        12052230,
    )
    stock = data(await tts.post("/product/202309/inventory/search", {"sku_ids": [a]}))["inventory"]
    assert stock == [
        {
            "product_id": first.product_id,
            "skus": [
                {
                    "id": a,
                    "seller_sku": first.skus[a].seller_sku,
                    "total_available_quantity": 7,
                    "total_committed_quantity": 0,
                    "warehouse_inventory": [
                        {
                            "warehouse_id": sandbox.shop().warehouse_id,
                            "available_quantity": 7,
                            "committed_quantity": 0,
                        }
                    ],
                }
            ],
        }
    ]
