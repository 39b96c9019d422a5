"""Product endpoints (shopee-tiktokshop.md §A4 product rows, §A9 money): get_item_list (offset pages of
1-100, item_status required and repeated), get_item_base_info (1-50 ids; price_info and stock_info_v2 only
for items without models), get_model_list, add_item, init_tier_variation (1-2 tiers, at most 50 models; the
shapes of Shopee's schema, as §A4 leaves them out), update_price and update_stock (one item, 1-50
entries, per-entry success_list/failure_list). Edits of an item: routes_models.py.
"""

from __future__ import annotations

import math
from typing import Any

from aiostore.sandbox.common import parse_major, to_major
from aiostore.sandbox.common.taxonomy import ImageStore
from aiostore.sandbox.shopee import errors
from aiostore.sandbox.shopee.catalog import StockHolder
from aiostore.sandbox.shopee.dispatch import Ctx, Endpoint, Reply
from aiostore.sandbox.shopee.errors import ShopeeError
from aiostore.sandbox.shopee.models import (
    CARRIERS,
    ITEM_STATUSES,
    PRICE_RATIO_CAP,
    Item,
    Model,
    Shop,
    TierVariation,
)
from aiostore.sandbox.shopee.params import Body
from aiostore.sandbox.shopee.routes_reference import TAXONOMY, check_listing

PARTIAL_WARNING = "Some entries failed, see failure_list."
_IMAGE_HOST = {"ID": "cf.shopee.co.id", "SG": "cf.shopee.sg", "MY": "cf.shopee.com.my"}
_PRICE_AND_STOCK = (
    "original_price",
    "price_info",
    "seller_stock",
    "normal_stock",
    "stock_info",
    "stock_info_v2",
)


def price_info(minor: int, shop: Shop) -> list[dict[str, Any]]:
    major = to_major(minor, shop.market.exponent)
    return [
        {
            "currency": shop.market.currency,
            "original_price": major,
            "current_price": major,
            "inflated_price_of_original_price": major,
            "inflated_price_of_current_price": major,
        }
    ]


def stock_info_v2(holder: StockHolder, shop: Shop) -> dict[str, Any]:
    return {
        "summary_info": {
            "total_reserved_stock": holder.reserved,
            "total_available_stock": holder.stock - holder.reserved,
        },
        "seller_stock": [{"location_id": shop.location_id, "stock": holder.stock}],
        "shopee_stock": [],
    }


def _images(item: Item, shop: Shop) -> dict[str, list[str]]:
    urls = [f"https://{_IMAGE_HOST[shop.region]}/file/{i}" for i in item.image_ids]
    return {"image_url_list": urls, "image_id_list": list(item.image_ids)}


def _logistics(item: Item, shop: Shop) -> list[dict[str, Any]]:
    names = dict(CARRIERS[shop.region])
    return [
        {"logistic_id": i, "logistic_name": names.get(i, f"Channel {i}"), "enabled": True, "is_free": False}
        for i in item.logistic_ids
    ]


def item_base_info(item: Item, shop: Shop) -> dict[str, Any]:
    length, width, height = item.dimension
    data: dict[str, Any] = {
        "item_id": item.item_id,
        "category_id": item.category_id,
        "item_name": item.item_name,
        "description": item.description,
        "item_sku": item.item_sku,
        "create_time": item.create_time,
        "update_time": item.update_time,
        "item_status": item.item_status,
        "image": _images(item, shop),
        "weight": item.weight,
        "dimension": {"package_length": length, "package_width": width, "package_height": height},
        "logistic_info": _logistics(item, shop),
        "pre_order": {"is_pre_order": False, "days_to_ship": 2},
        "condition": item.condition,
        "has_model": item.has_model,
        "brand": {"brand_id": item.brand_id, "original_brand_name": item.brand_name},
        "attribute_list": item.attribute_list,
        "description_type": "normal",
    }
    if not item.has_model:
        data["price_info"] = price_info(item.price, shop)
        data["stock_info_v2"] = stock_info_v2(item, shop)
    return data


def model_info(model: Model, shop: Shop) -> dict[str, Any]:
    return {
        "model_id": model.model_id,
        "model_sku": model.model_sku,
        "tier_index": list(model.tier_index),
        "model_status": model.status,
        "price_info": price_info(model.price, shop),
        "stock_info_v2": stock_info_v2(model, shop),
        "pre_order": {"is_pre_order": False, "days_to_ship": 2},
    }


def _item(ctx: Ctx, item_id: int) -> Item:
    item = ctx.sandbox.catalog.get(ctx.shop.shop_id, item_id)
    if item is None:
        raise errors.item_not_found()
    return item


def get_item_list(ctx: Ctx) -> Reply:
    query = ctx.query
    offset = query.required_int("offset", low=0)
    page_size = query.required_int("page_size", low=1, high=100)
    statuses = query.repeated("item_status", required=True)
    if any(s not in ITEM_STATUSES for s in statuses):
        raise ShopeeError("error_param_item_status", "Item status error.")
    time_from, time_to = query.integer("update_time_from", low=0), query.integer("update_time_to", low=0)
    if time_from is not None and time_to is not None and time_to < time_from:
        raise ShopeeError("error_update_time_range", "Update_time_to should be later than update_time_from.")
    cap = ctx.sandbox.config.item_list_offset_cap
    if cap is not None and offset + page_size > cap:
        raise ShopeeError("error_param", "get items offset over limit, please use the next field")
    items, total = ctx.sandbox.catalog.page(ctx.shop.shop_id, statuses, offset, page_size, time_from, time_to)
    listed = [
        {
            "item_id": i.item_id,
            "item_status": i.item_status,
            "update_time": i.update_time,
            "tag": {"kit": False},
        }
        for i in items
    ]
    next_offset = offset + len(items)
    return Reply(
        {
            "item": listed,
            "total_count": total,
            "has_next_page": next_offset < total,
            "next_offset": next_offset,
        }
    )


def get_item_base_info(ctx: Ctx) -> Reply:
    ids = ctx.query.csv_ints("item_id_list", limit=50)
    catalog, shop = ctx.sandbox.catalog, ctx.shop
    found = [item for item in (catalog.get(shop.shop_id, i) for i in dict.fromkeys(ids)) if item is not None]
    missing = sorted(set(ids) - {item.item_id for item in found})
    warning = f"item_id not found: {','.join(map(str, missing))}" if missing else ""
    return Reply({"item_list": [item_base_info(item, shop) for item in found]}, warning)


def get_model_list(ctx: Ctx) -> Reply:
    item = _item(ctx, ctx.query.required_int("item_id"))
    tiers = [{"name": t.name, "option_list": [{"option": o} for o in t.options]} for t in item.tier_variation]
    models = [model_info(model, ctx.shop) for model in item.models.values()]
    return Reply({"tier_variation": tiers, "model": models})


def _positive_price(body: Body, key: str, shop: Shop) -> int:
    try:
        minor = parse_major(body.number(key), shop.market.exponent)
    except ValueError:
        places = "an integer" if shop.market.exponent == 0 else "at most 2 decimal places"
        raise errors.param(f"{body.name(key)} for {shop.market.currency} should be {places}") from None
    if minor <= 0:
        raise errors.param(f"{body.name(key)} should be greater than 0")
    return minor


def _weight(body: Body) -> float:
    weight = body.number("weight")
    if weight is None or weight <= 0:
        raise errors.param("weight should be greater than 0")
    return float(weight)


def _image_ids(body: Body, store: ImageStore, kept: list[str] | None = None) -> list[str]:
    """image.image_id_list: ids media_space/upload_image answered (or the item's own ones)."""
    image = body.object("image")
    assert image is not None  # noqa: S101 - required
    ids = image.data.get("image_id_list")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
        raise errors.param("image.image_id_list should be a non-empty list of image ids")
    foreign = store.foreign(ids, kept or [])
    if foreign is not None:  # Shopee's wording is unverified; the code is add_item's image error
        raise ShopeeError("error_invalid_image", f"image_id {foreign} is not an image uploaded to Shopee")
    return ids


def _logistic_ids(body: Body) -> list[int]:
    return [
        entry.required_int("logistic_id")
        for entry in body.objects("logistic_info")
        if entry.data.get("enabled")
    ]


def _brand_id(body: Body) -> int:
    brand = body.object("brand", required=False)
    return (brand.integer("brand_id", required=False, low=0) or 0) if brand is not None else 0


def _item_status(body: Body) -> str | None:
    status = body.text("item_status", required=False)
    if status is not None and status not in ("NORMAL", "UNLIST"):
        raise errors.param("item_status should be NORMAL or UNLIST")
    return status


def add_item(ctx: Ctx) -> Reply:
    body, shop, catalog = ctx.body, ctx.shop, ctx.sandbox.catalog
    price = _positive_price(body, "original_price", shop)
    category = check_listing(body)
    stocks = [entry.required_int("stock", low=0) for entry in body.objects("seller_stock", required=False)]
    item = Item(
        item_id=catalog.new_item_id(),
        shop_id=shop.shop_id,
        item_name=body.required_text("item_name"),
        description=body.required_text("description"),
        item_sku=body.text("item_sku", required=False) or "",
        category_id=TAXONOMY.id_of(category),
        item_status="REVIEWING",  # until the review ends (routes_review.py)
        create_time=ctx.now,
        update_time=ctx.now,
        weight=_weight(body),
        image_ids=_image_ids(body, ctx.sandbox.images),
        condition=body.text("condition", required=False) or "NEW",
        logistic_ids=_logistic_ids(body),
        price=price,
        stock=sum(stocks),
        brand_id=_brand_id(body),
        attribute_list=body.data.get("attribute_list") or [],
    )
    catalog.add(item)
    ctx.sandbox.begin_review(item.item_id, restore=_item_status(body) or "NORMAL")
    echo = {k: v for k, v in item_base_info(item, shop).items() if k not in ("price_info", "stock_info_v2")}
    major = to_major(price, shop.market.exponent)
    echo["price_info"] = {"original_price": major, "current_price": major}
    echo["seller_stock"] = [{"location_id": shop.location_id, "stock": item.stock}]
    return Reply(echo)


def _tier_index(entry: Body, tiers: list[TierVariation]) -> list[int]:
    index = entry.data.get("tier_index")
    if (
        not isinstance(index, list)
        or len(index) != len(tiers)
        or not all(isinstance(i, int) and 0 <= i < len(t.options) for i, t in zip(index, tiers, strict=False))
    ):
        raise ShopeeError("error_param", "Model tier_index error.")
    return index


def init_tier_variation(ctx: Ctx) -> Reply:
    body, shop = ctx.body, ctx.shop
    item = _item(ctx, body.required_int("item_id"))
    if not isinstance(body.data.get("tier_variation"), list) or len(body.data["tier_variation"]) > 2:
        raise ShopeeError("error_param", "The level of tier-variation over 2.")
    tiers = [
        TierVariation(t.required_text("name"), [o.required_text("option") for o in t.objects("option_list")])
        for t in body.objects("tier_variation", low=1, high=2)
    ]
    entries = body.objects("model", low=1)
    if (
        max(len(t.options) for t in tiers) > 50
        or len(entries) > 50
        or math.prod(len(t.options) for t in tiers) > 50
    ):
        raise errors.param("Count of tier_variation options should be under 50")
    models: list[tuple[list[int], str, int, int]] = []
    for entry in entries:
        index = _tier_index(entry, tiers)
        if any(index == m[0] for m in models):
            raise ShopeeError("error_model_duplicate_tier_variation_index", "Item have duplicate tier_index.")
        stock = sum(s.required_int("stock", low=0) for s in entry.objects("seller_stock", required=False))
        sku = entry.text("model_sku", required=False) or ""
        models.append((index, sku, _positive_price(entry, "original_price", shop), stock))
    prices = [m[2] for m in models]
    if max(prices) > PRICE_RATIO_CAP.get(shop.region, 5) * min(prices):
        raise errors.param("the max/min price ratio of the models is over the region's limit")
    if item.reserved or any(m.reserved for m in item.models.values()):
        raise ShopeeError("error_param", "Can not update item with stock less than reserved stock")
    created = ctx.sandbox.catalog.replace_models(item, tiers, models, ctx.now)
    exponent = shop.market.exponent
    return Reply(
        {
            "tier_variation": [
                {"name": t.name, "option_list": [{"option": o} for o in t.options]} for t in tiers
            ],
            "model": [
                {
                    "tier_index": list(m.tier_index),
                    "model_id": m.model_id,
                    "model_sku": m.model_sku,
                    "price_info": [{"original_price": to_major(m.price, exponent)}],
                    "seller_stock": [{"location_id": shop.location_id, "stock": m.stock}],
                    "weight": item.weight,
                }
                for m in created
            ],
        }
    )


def update_price(ctx: Ctx) -> Reply:
    body, shop = ctx.body, ctx.shop
    item = _item(ctx, body.required_int("item_id"))
    entries: list[tuple[int, object]] = []
    for entry in body.objects("price_list", low=1, high=50):
        if entry.data.get("original_price") is None:
            raise errors.param(f"{entry.name('original_price')} is required")
        entries.append((entry.integer("model_id", required=False, low=0) or 0, entry.data["original_price"]))
    done, failed = ctx.sandbox.catalog.update_prices(shop, item, entries, ctx.now)
    return Reply(
        {
            "success_list": [
                {"model_id": m, "original_price": to_major(minor, shop.market.exponent)} for m, minor in done
            ],
            "failure_list": [{"model_id": m, "failed_reason": reason} for m, reason in failed],
        },
        PARTIAL_WARNING if failed else "",
    )


def update_stock(ctx: Ctx) -> Reply:
    body, shop = ctx.body, ctx.shop
    item = _item(ctx, body.required_int("item_id"))
    entries: list[tuple[int, list[tuple[str | None, object]]]] = []
    for entry in body.objects("stock_list", low=1, high=50):
        seller_stock = [
            (s.text("location_id", required=False), s.data.get("stock"))
            for s in entry.objects("seller_stock")
        ]
        if any(stock is None for _, stock in seller_stock):
            raise errors.param(f"{entry.name('seller_stock')} needs a stock in every entry")
        entries.append((entry.integer("model_id", required=False, low=0) or 0, seller_stock))
    done, failed = ctx.sandbox.catalog.update_stocks(
        shop, item, entries, ctx.now, lambda model_id: ctx.sandbox.stock_locked(item.item_id, model_id)
    )
    return Reply(
        {
            "success_list": [{"model_id": m, "location_id": loc, "stock": stock} for m, loc, stock in done],
            "failure_list": [{"model_id": m, "failed_reason": reason} for m, reason in failed],
        },
        PARTIAL_WARNING if failed else "",
    )


ENDPOINTS = [
    Endpoint("GET", "/api/v2/product/get_item_list", get_item_list),
    Endpoint("GET", "/api/v2/product/get_item_base_info", get_item_base_info),
    Endpoint("GET", "/api/v2/product/get_model_list", get_model_list),
    Endpoint("POST", "/api/v2/product/add_item", add_item),
    Endpoint("POST", "/api/v2/product/init_tier_variation", init_tier_variation),
    Endpoint("POST", "/api/v2/product/update_price", update_price),
    Endpoint("POST", "/api/v2/product/update_stock", update_stock),
]
