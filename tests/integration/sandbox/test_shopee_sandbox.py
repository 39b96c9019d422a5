"""The Shopee sandbox as a client sees it: signing and its errors (§A2, §A6), batch and page limits, and the
product endpoints (§A4), over httpx.ASGITransport with a test-owned signer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from aiostore.sandbox.common import ManualClock
from aiostore.sandbox.shopee import ShopeeSandbox, ShopeeSandboxConfig, create_app
from aiostore.services.demo.images import png
from tests.integration.sandbox.conftest import PARTNER_ID, PARTNER_KEY, SHOP_ID, TOKEN, Shopee

ITEM_LIST = "/api/v2/product/get_item_list"
BASE_INFO = "/api/v2/product/get_item_base_info"
UPDATE_STOCK = "/api/v2/product/update_stock"
UPDATE_PRICE = "/api/v2/product/update_price"


def error_of(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    assert "response" not in body
    return response.status_code, body["error"], body["message"]


async def _doc_vector_app(
    timestamp: int, shop_id: int, token: str
) -> tuple[httpx.AsyncClient, ShopeeSandbox]:
    app = create_app(
        ShopeeSandboxConfig(
            partner_id=2001887,
            partner_key=PARTNER_KEY,
            shop_id=shop_id,
            access_token=token,
            clock=ManualClock(timestamp),
        )
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s"), app.state.sandbox


async def test_doc_vector_s2_shop_sign_is_accepted() -> None:
    token = "59777174636562737266615546704c6d"
    http, sandbox = await _doc_vector_app(1655714431, 14701711, token)
    sign = "fae2453506d0e74461bff5acf9985e736a81491c37c1c77537598bc991c034fc"
    query = {"partner_id": 2001887, "timestamp": 1655714431, "access_token": token, "shop_id": 14701711}
    response = await http.get("/api/v2/shop/get_shop_info", params={**query, "sign": sign})
    body = response.json()
    assert response.status_code == 200, body
    assert body["error"] == "" and body["region"] == "ID" and "response" not in body
    await http.aclose()
    await sandbox.aclose()


async def test_doc_vector_s3_shop_sign_is_accepted() -> None:
    http, sandbox = await _doc_vector_app(1700000000, 600000, TOKEN)
    sign = "b9c345f5cc764514819ae7e4ff1c22c37493a64304e6791b13901a42a8d50e65"
    query = {"partner_id": 2001887, "timestamp": 1700000000, "access_token": TOKEN, "shop_id": 600000}
    page = {"offset": 0, "page_size": 10, "item_status": "NORMAL"}
    response = await http.get(ITEM_LIST, params={**query, "sign": sign, **page})
    assert response.status_code == 200, response.json()
    assert response.json()["response"]["total_count"] == 0
    await http.aclose()
    await sandbox.aclose()


async def test_doc_vector_s1_public_sign_is_accepted() -> None:
    http, sandbox = await _doc_vector_app(1655714431, 600000, TOKEN)
    code = sandbox.issue_auth_code(600000)
    sign = "0c212acc232b9af44093a3f982a47b546c9edf3d005ebf999580c3e5978e0336"
    query = {"partner_id": 2001887, "timestamp": 1655714431, "sign": sign}
    body = {"code": code, "partner_id": 2001887, "shop_id": 600000}
    response = await http.post("/api/v2/auth/token/get", params=query, json=body)
    assert response.status_code == 200, response.json()
    assert response.json()["expire_in"] == 14400
    await http.aclose()
    await sandbox.aclose()


async def test_wrong_sign_is_refused(shopee: Shopee, http: httpx.AsyncClient) -> None:
    params = {**shopee.common("/api/v2/shop/get_shop_info"), "sign": "0" * 64}
    assert error_of(await http.get("/api/v2/shop/get_shop_info", params=params)) == (
        403,
        "error_sign",
        "Wrong sign.",
    )
    upper = {**shopee.common("/api/v2/shop/get_shop_info")}
    upper["sign"] = upper["sign"].upper()
    assert error_of(await http.get("/api/v2/shop/get_shop_info", params=upper))[1] == "error_sign"


@pytest.mark.parametrize(
    ("drop", "message"),
    [
        ("sign", "There is no sign in query."),
        ("partner_id", "There is no partner_id in query."),
        ("access_token", "There is no access_token in query."),
        ("timestamp", "no timestamp"),
    ],
)
async def test_missing_common_parameter(
    shopee: Shopee, http: httpx.AsyncClient, drop: str, message: str
) -> None:
    params = shopee.common("/api/v2/shop/get_shop_info")
    del params[drop]
    assert error_of(await http.get("/api/v2/shop/get_shop_info", params=params)) == (
        400,
        "error_param",
        message,
    )


@pytest.mark.parametrize("skew", [-301, 301])
async def test_stale_or_future_timestamp_is_refused(
    shopee: Shopee, http: httpx.AsyncClient, skew: int
) -> None:
    params = shopee.common("/api/v2/shop/get_shop_info", timestamp=int(shopee.clock()) + skew)
    assert error_of(await http.get("/api/v2/shop/get_shop_info", params=params)) == (
        400,
        "error_param",
        "Timestamp is expired.",
    )
    within = shopee.common("/api/v2/shop/get_shop_info", timestamp=int(shopee.clock()) + skew // 301 * 300)
    assert (await http.get("/api/v2/shop/get_shop_info", params=within)).status_code == 200


async def test_expired_and_unknown_tokens_are_refused(shopee: Shopee, clock: ManualClock) -> None:
    assert (await shopee.get("/api/v2/shop/get_shop_info")).status_code == 200
    clock.advance(4 * 3600 + 1)
    expired = error_of(await shopee.get("/api/v2/shop/get_shop_info"))
    assert expired == (403, "invalid_acceess_token", "Invalid access_token.")
    shopee.token = "f" * 32
    assert error_of(await shopee.get("/api/v2/shop/get_shop_info"))[1] == "invalid_acceess_token"


async def test_force_expired_token_is_refused(shopee: Shopee, sandbox: ShopeeSandbox) -> None:
    assert sandbox.expire_access_tokens(SHOP_ID) == 1
    assert error_of(await shopee.get("/api/v2/shop/get_shop_info"))[1] == "invalid_acceess_token"


async def test_unknown_shop_is_refused(shopee: Shopee) -> None:
    shopee.shop_id = 999
    assert error_of(await shopee.get("/api/v2/shop/get_shop_info")) == (
        403,
        "error_auth",
        "Invalid partner_id or shopid.",
    )


async def test_token_of_another_shop_is_refused(shopee: Shopee, sandbox: ShopeeSandbox) -> None:
    sandbox.add_shop(700000, "SG")
    shopee.shop_id = 700000
    assert error_of(await shopee.get("/api/v2/shop/get_shop_info"))[1] == "invalid_acceess_token"


async def test_unknown_path_and_wrong_method(shopee: Shopee) -> None:
    unknown = error_of(await shopee.get("/api/v2/product/no_such_api"))
    assert unknown[:2] == (404, "error_param") and "request path is incorrect" in unknown[2]
    assert error_of(await shopee.post(ITEM_LIST, {}))[:2] == (400, "error_param")


async def test_over_limit_batches_are_refused(shopee: Shopee, sandbox: ShopeeSandbox) -> None:
    item_id = sandbox.seed(products=1).item_ids[0]
    ids = ",".join(str(i) for i in range(1, 52))
    assert error_of(await shopee.get(BASE_INFO, item_id_list=ids))[:2] == (400, "error_param")
    page = {"offset": 0, "item_status": "NORMAL"}
    assert error_of(await shopee.get(ITEM_LIST, page_size=101, **page))[:2] == (400, "error_param")
    assert error_of(await shopee.get(ITEM_LIST, page_size=0, **page))[:2] == (400, "error_param")
    stock_list = [{"model_id": i, "seller_stock": [{"stock": 1}]} for i in range(51)]
    refused = error_of(await shopee.post(UPDATE_STOCK, {"item_id": item_id, "stock_list": stock_list}))
    assert refused[:2] == (400, "error_param") and "stock_list" in refused[2]
    price_list = [{"model_id": i, "original_price": 1000} for i in range(51)]
    assert error_of(await shopee.post(UPDATE_PRICE, {"item_id": item_id, "price_list": price_list}))[0] == 400
    sns = ",".join(f"SN{i}" for i in range(51))
    assert error_of(await shopee.get("/api/v2/order/get_order_detail", order_sn_list=sns))[:2] == (
        400,
        "error_param",
    )


async def test_item_status_is_required_and_checked(shopee: Shopee) -> None:
    assert error_of(await shopee.get(ITEM_LIST, offset=0, page_size=10))[:2] == (400, "error_param")
    bad = error_of(await shopee.get(ITEM_LIST, offset=0, page_size=10, item_status="NORMAL,UNLIST"))
    assert bad == (400, "error_param_item_status", "Item status error.")


async def _all_item_ids(shopee: Shopee, statuses: list[str], page_size: int) -> list[int]:
    ids: list[int] = []
    offset = 0
    while True:
        response = await shopee.get(ITEM_LIST, offset=offset, page_size=page_size, item_status=statuses)
        page = response.json()["response"]
        ids += [item["item_id"] for item in page["item"]]
        if not page["has_next_page"]:
            return ids
        offset = page["next_offset"]


async def test_item_pages_return_every_item_exactly_once(shopee: Shopee, sandbox: ShopeeSandbox) -> None:
    seeded = sandbox.seed(products=250, seed=7).item_ids
    for item_id in seeded[::10]:
        sandbox.catalog.set_status(sandbox.item(item_id), "UNLIST", sandbox.now())
    sandbox.reset_calls()
    ids = await _all_item_ids(shopee, ["NORMAL", "UNLIST"], 100)
    assert sorted(ids) == sorted(seeded) and len(ids) == len(set(ids))
    assert sandbox.call_count("product/get_item_list") == 3
    normal = await _all_item_ids(shopee, ["NORMAL"], 33)
    assert len(normal) == len(set(normal)) == 225


async def test_update_time_window_filters_items(
    shopee: Shopee, sandbox: ShopeeSandbox, clock: ManualClock
) -> None:
    sandbox.seed(products=20, seed=3)
    clock.advance(60)
    touched = sandbox.seed(products=3, seed=4).item_ids
    for item_id in touched:
        sandbox.item(item_id).update_time = sandbox.now()
    now = sandbox.now()
    response = await shopee.get(
        ITEM_LIST, offset=0, page_size=100, item_status="NORMAL", update_time_from=now, update_time_to=now
    )
    assert {i["item_id"] for i in response.json()["response"]["item"]} == set(touched)
    inverted = await shopee.get(
        ITEM_LIST, offset=0, page_size=10, item_status="NORMAL", update_time_from=now, update_time_to=now - 1
    )
    assert error_of(inverted)[1] == "error_update_time_range"


async def test_base_info_has_price_and_stock_only_without_models(
    shopee: Shopee, sandbox: ShopeeSandbox
) -> None:
    with_models = sandbox.seed(products=2, variants_per_product=3, seed=1).item_ids
    plain = sandbox.seed(products=2, variants_per_product=0, seed=2).item_ids
    response = await shopee.get(BASE_INFO, item_id_list=",".join(map(str, with_models + plain)))
    items = {i["item_id"]: i for i in response.json()["response"]["item_list"]}
    for item_id in with_models:
        assert items[item_id]["has_model"] and "price_info" not in items[item_id]
    for item_id in plain:
        info: dict[str, Any] = items[item_id]
        assert not info["has_model"] and info["price_info"][0]["currency"] == "IDR"
        assert info["stock_info_v2"]["seller_stock"][0]["stock"] == sandbox.item(item_id).stock
    models = (await shopee.get("/api/v2/product/get_model_list", item_id=with_models[0])).json()["response"]
    assert len(models["model"]) == 3 and models["tier_variation"]
    assert all(
        m["model_sku"].startswith(sandbox.item(with_models[0]).item_sku + "-") for m in models["model"]
    )
    missing = await shopee.get("/api/v2/product/get_model_list", item_id=1)
    assert error_of(missing) == (404, "error_item_not_found", "Product not found")


async def test_update_stock_below_reserved_fails_that_entry(shopee: Shopee, sandbox: ShopeeSandbox) -> None:
    item = sandbox.item(sandbox.seed(products=1, variants_per_product=3, seed=5).item_ids[0])
    first, second, third = item.models.values()
    first.stock, second.stock = 10, 10
    sandbox.place_order([(item.item_id, first.model_id, 4)])
    stock_list = [
        {"model_id": first.model_id, "seller_stock": [{"stock": 3}]},
        {"model_id": second.model_id, "seller_stock": [{"location_id": "IDZ", "stock": 25}]},
        {"model_id": third.model_id, "seller_stock": [{"stock": -1}]},
        {"model_id": 42, "seller_stock": [{"stock": 1}]},
    ]
    body = (await shopee.post(UPDATE_STOCK, {"item_id": item.item_id, "stock_list": stock_list})).json()
    assert body["error"] == "" and body["warning"]
    assert body["response"]["success_list"] == [
        {"model_id": second.model_id, "location_id": "IDZ", "stock": 25}
    ]
    assert [f["model_id"] for f in body["response"]["failure_list"]] == [first.model_id, third.model_id, 42]
    assert (first.stock, first.reserved, second.stock) == (10, 4, 25)


async def test_update_price_checks_currency_precision(shopee: Shopee, sandbox: ShopeeSandbox) -> None:
    item = sandbox.item(sandbox.seed(products=1, variants_per_product=2, seed=6).item_ids[0])
    a, b = item.models
    item.models[a].price, item.models[b].price = 100000, 200000
    price_list = [{"model_id": a, "original_price": 150000}, {"model_id": b, "original_price": 1500.5}]
    body = (await shopee.post(UPDATE_PRICE, {"item_id": item.item_id, "price_list": price_list})).json()
    assert body["response"]["success_list"] == [{"model_id": a, "original_price": 150000.0}]
    assert [f["model_id"] for f in body["response"]["failure_list"]] == [b]
    negative = [{"model_id": b, "original_price": -5}]
    body = (await shopee.post(UPDATE_PRICE, {"item_id": item.item_id, "price_list": negative})).json()
    assert body["response"]["success_list"] == [] and item.models[b].price > 0
    ratio = [{"model_id": b, "original_price": 150000 * 8}]
    body = (await shopee.post(UPDATE_PRICE, {"item_id": item.item_id, "price_list": ratio})).json()
    assert "ratio" in body["response"]["failure_list"][0]["failed_reason"]


async def test_sgd_prices_take_two_decimals(
    sandbox: ShopeeSandbox, make_shopee: Callable[..., Shopee]
) -> None:
    sandbox.add_shop(700000, "SG")
    sandbox.grant_access_token(700000, "sg-token")
    item_id = sandbox.seed(products=1, variants_per_product=0, shop_id=700000).item_ids[0]
    sg = make_shopee(shop_id=700000, token="sg-token")
    price_list = [{"model_id": 0, "original_price": 12.9}]
    body = (await sg.post(UPDATE_PRICE, {"item_id": item_id, "price_list": price_list})).json()
    assert body["response"]["success_list"] == [{"model_id": 0, "original_price": 12.9}]
    too_fine = [{"model_id": 0, "original_price": 12.999}]
    body = (await sg.post(UPDATE_PRICE, {"item_id": item_id, "price_list": too_fine})).json()
    assert body["response"]["failure_list"][0]["model_id"] == 0 and sandbox.item(item_id).price == 1290


async def test_add_and_update_item(shopee: Shopee, sandbox: ShopeeSandbox) -> None:
    sandbox.images.issue("id-11134207-abc")  # as if uploaded
    new = {
        "original_price": 99000,
        "description": "A sturdy mug.",
        "weight": 0.4,
        "item_name": "Enamel Mug",
        "category_id": 100636,
        "image": {"image_id_list": ["id-11134207-abc"]},
        "logistic_info": [{"logistic_id": 8003, "enabled": True}],
        "item_sku": "MUG-1",
        "seller_stock": [{"stock": 12}],
    }
    created = (await shopee.post("/api/v2/product/add_item", new)).json()["response"]
    item = sandbox.item(created["item_id"])
    assert (item.item_sku, item.price, item.stock, item.has_model) == ("MUG-1", 99000, 12, False)
    missing = {k: v for k, v in new.items() if k != "item_name"}
    assert error_of(await shopee.post("/api/v2/product/add_item", missing))[:2] == (400, "error_param")
    change = {"item_id": item.item_id, "item_name": "Enamel Mug XL", "item_status": "UNLIST"}
    updated = (await shopee.post("/api/v2/product/update_item", change)).json()["response"]
    assert updated == change and item.item_status == "REVIEWING"  # a new name is reviewed again
    assert [r.restore for r in sandbox.settle_reviews()] == ["UNLIST"] and item.item_status == "UNLIST"
    with_price = {"item_id": item.item_id, "original_price": 1}
    assert error_of(await shopee.post("/api/v2/product/update_item", with_price))[:2] == (400, "error_param")


async def test_shop_info_and_authorized_shops(shopee: Shopee, sandbox: ShopeeSandbox) -> None:
    info = (await shopee.get("/api/v2/shop/get_shop_info")).json()
    assert info["shop_name"] == sandbox.shop().name and info["expire_time"] > info["auth_time"]
    shops = (
        await shopee.get("/api/v2/public/get_shops_by_partner", shop=False, page_size=10, page_no=1)
    ).json()
    assert [s["shop_id"] for s in shops["authed_shop_list"]] == [SHOP_ID] and shops["more"] is False


async def test_call_counter_counts_every_request(shopee: Shopee, sandbox: ShopeeSandbox) -> None:
    sandbox.reset_calls()
    await shopee.get("/api/v2/shop/get_shop_info")
    shopee.token = "bad"
    await shopee.get("/api/v2/shop/get_shop_info")
    await shopee.get(ITEM_LIST, offset=0, page_size=1, item_status="NORMAL")
    assert sandbox.call_count("/api/v2/shop/get_shop_info") == 2
    assert sandbox.call_count("product/get_item_list") == 1 and sandbox.call_count() == 3
    assert sandbox.calls.snapshot() == {"/api/v2/product/get_item_list": 1, "/api/v2/shop/get_shop_info": 2}
    sandbox.reset_calls()
    assert sandbox.call_count() == 0


async def test_partner_id_mismatch_and_public_sign_for_shop_api(
    http: httpx.AsyncClient, shopee: Shopee
) -> None:
    params = shopee.common("/api/v2/shop/get_shop_info", shop=False)
    params |= {"access_token": TOKEN, "shop_id": SHOP_ID}
    assert error_of(await http.get("/api/v2/shop/get_shop_info", params=params))[1] == "error_sign"
    shopee.partner_id = PARTNER_ID + 1
    assert error_of(await shopee.get("/api/v2/shop/get_shop_info")) == (
        400,
        "error_param",
        "Invalid partner_id.",
    )


async def test_init_tier_variation_adds_models(shopee: Shopee, sandbox: ShopeeSandbox) -> None:
    item = sandbox.item(sandbox.seed(products=1, variants_per_product=0, seed=12).item_ids[0])
    tiers = [{"name": "Size", "option_list": [{"option": "M"}, {"option": "L"}]}]
    models = [
        {"tier_index": [0], "original_price": 99000, "model_sku": "TEE-M", "seller_stock": [{"stock": 3}]},
        {"tier_index": [1], "original_price": 109000, "model_sku": "TEE-L", "seller_stock": [{"stock": 4}]},
    ]
    body = {"item_id": item.item_id, "tier_variation": tiers, "model": models}
    answer = (await shopee.post("/api/v2/product/init_tier_variation", body)).json()["response"]
    assert [m["model_sku"] for m in answer["model"]] == ["TEE-M", "TEE-L"]
    assert answer["model"][1]["price_info"] == [{"original_price": 109000.0}]
    assert item.has_model and [m.stock for m in item.models.values()] == [3, 4]
    listed = (await shopee.get("/api/v2/product/get_model_list", item_id=item.item_id)).json()["response"]
    assert [m["model_id"] for m in listed["model"]] == [m["model_id"] for m in answer["model"]]
    duplicate = {**body, "model": [models[0], models[0]]}
    refused = await shopee.post("/api/v2/product/init_tier_variation", duplicate)
    assert refused.json()["error"] == "error_model_duplicate_tier_variation_index"
    out_of_range = {**body, "model": [{**models[0], "tier_index": [2]}]}
    assert (await shopee.post("/api/v2/product/init_tier_variation", out_of_range)).json()["message"] == (
        "Model tier_index error."
    )


UPLOAD_IMAGE = "/api/v2/media_space/upload_image"


async def test_upload_image_takes_up_to_eight_images_and_answers_each_in_order(
    shopee: Shopee, sandbox: ShopeeSandbox
) -> None:
    parts = [png(400, 400, b"a"), b"GIF89a" + b"\x00" * 64, png(400, 400, b"b")]
    files = [("image", (f"i{n}.png", data, "image/png")) for n, data in enumerate(parts)]
    response = await shopee.http.post(
        UPLOAD_IMAGE, params=shopee.common(UPLOAD_IMAGE, shop=False), files=files
    )
    assert response.status_code == 200, response.text
    infos = response.json()["response"]["image_info_list"]
    assert [i["id"] for i in infos] == [0, 1, 2]
    assert (infos[1]["error"], infos[1].get("image_info")) == ("error_invalid_image", None)
    ids = [infos[n]["image_info"]["image_id"] for n in (0, 2)]
    assert ids[0] != ids[1] and sandbox.images.foreign(ids, []) is None  # both stored, the GIF not
    assert len(sandbox.images.images) == 2

    nine = [("image", (f"n{n}.png", png(400, 400, bytes([n])), "image/png")) for n in range(9)]
    refused = await shopee.http.post(UPLOAD_IMAGE, params=shopee.common(UPLOAD_IMAGE, shop=False), files=nine)
    assert error_of(refused)[1:] == (
        "error_param",
        "Wrong parameters, detail: upload less than 9 images at a time.",
    )
    assert len(sandbox.images.images) == 2  # nothing of the nine stored
    eight = nine[:8]
    accepted = await shopee.http.post(
        UPLOAD_IMAGE, params=shopee.common(UPLOAD_IMAGE, shop=False), files=eight
    )
    assert len(accepted.json()["response"]["image_info_list"]) == 8
