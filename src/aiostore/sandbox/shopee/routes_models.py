"""Edits of an existing item (listings-and-categories.md §A, SPS): update_item (never price or stock; a
changed category, attribute_list or brand checked like add_item against the item as it would be), and the
variant edits of an item that has models: update_tier_variation
(the item's new tiers and, per kept model, its new tier_index; a model the call does not name is deleted,
as Shopee's schema reads) and add_model (new models on the current tiers). The limits are init's: at most
2 tiers, 50 models, the region's max/min price ratio; stock never below what open orders reserve.
"""

from __future__ import annotations

import math
from typing import Any

from aiostore.sandbox.common import to_major
from aiostore.sandbox.shopee import errors
from aiostore.sandbox.shopee.dispatch import Ctx, Endpoint, Reply
from aiostore.sandbox.shopee.errors import ShopeeError, param
from aiostore.sandbox.shopee.models import PRICE_RATIO_CAP, Item, Model, Shop, TierVariation
from aiostore.sandbox.shopee.params import Body
from aiostore.sandbox.shopee.routes_product import (
    _PRICE_AND_STOCK,
    _brand_id,
    _image_ids,
    _images,
    _item,
    _item_status,
    _logistic_ids,
    _logistics,
    _positive_price,
    _tier_index,
    _weight,
)
from aiostore.sandbox.shopee.routes_reference import TAXONOMY, check_listing


def _dimension(body: Body) -> tuple[int, int, int]:
    dimension = body.object("dimension")
    assert dimension is not None  # noqa: S101 - given
    sides = tuple(dimension.required_int(f"package_{side}", low=1) for side in ("length", "width", "height"))
    return sides[0], sides[1], sides[2]


# An edit of these puts the item under review again (a status change alone does not).
REVIEWED = frozenset({"item_name", "description", "category_id", "image", "attribute_list", "brand"})


def update_item(ctx: Ctx) -> Reply:
    body = ctx.body
    item = _item(ctx, body.required_int("item_id"))
    if any(body.has(key) for key in _PRICE_AND_STOCK):
        raise errors.param(
            "price and stock cannot be changed by update_item, use update_price / update_stock"
        )
    if item.item_status not in ("NORMAL", "UNLIST"):
        raise errors.param(f"item {item.item_id} is {item.item_status} and cannot be edited")
    item_status = item.item_status
    # every value is read and checked before the item changes: a refused call changes nothing
    changes: dict[str, Any] = {}
    if any(body.has(key) for key in ("category_id", "attribute_list", "brand")):
        # the item as it would be must pass its category's rules, as add_item does
        changes["category_id"] = TAXONOMY.id_of(check_listing(body, item))
        if body.has("attribute_list"):
            changes["attribute_list"] = body.data["attribute_list"]
        if body.has("brand"):
            changes["brand_id"] = _brand_id(body)
    for key in ("item_name", "description", "item_sku", "condition"):
        if key in body.data:
            changes[key] = body.text(key, required=key != "item_sku") or ""
    if body.has("dimension"):
        changes["dimension"] = _dimension(body)
    if body.has("weight"):
        changes["weight"] = _weight(body)
    if body.has("image"):
        changes["image_ids"] = _image_ids(body, ctx.sandbox.images, list(item.image_ids))
    if body.has("logistic_info"):
        changes["logistic_ids"] = _logistic_ids(body)
    status = _item_status(body)
    for key, value in changes.items():
        setattr(item, key, value)
    echo: dict[str, Any] = {"item_id": item.item_id} | {
        k: v for k, v in changes.items() if k not in ("brand_id", "dimension", "image_ids", "logistic_ids")
    }
    if "brand_id" in changes:
        echo["brand"] = {"brand_id": item.brand_id}
    if "dimension" in changes:
        echo["dimension"] = body.data["dimension"]
    if "image_ids" in changes:
        echo["image"] = _images(item, ctx.shop)
    if "logistic_ids" in changes:
        echo["logistic_info"] = _logistics(item, ctx.shop)
    if set(echo) & REVIEWED:  # the content changed: Shopee reviews it again
        ctx.sandbox.catalog.set_status(item, "REVIEWING", ctx.now)
        ctx.sandbox.begin_review(item.item_id, restore=status or item_status)
    else:
        ctx.sandbox.catalog.set_status(item, status or item_status, ctx.now)
    if status:
        echo["item_status"] = status
    return Reply(echo)


def _tiers(body: Body) -> list[TierVariation]:
    if not isinstance(body.data.get("tier_variation"), list) or len(body.data["tier_variation"]) > 2:
        raise ShopeeError("error_param", "The level of tier-variation over 2.")
    tiers = [
        TierVariation(t.required_text("name"), [o.required_text("option") for o in t.objects("option_list")])
        for t in body.objects("tier_variation", low=1, high=2)
    ]
    if any(len(set(t.options)) != len(t.options) for t in tiers):
        raise ShopeeError("error_param", "Tier variation options should be unique.")
    if math.prod(len(t.options) for t in tiers) > 50:
        raise param("Count of tier_variation options should be under 50")
    return tiers


def _ratio_ok(shop: Shop, prices: list[int]) -> None:
    if prices and max(prices) > PRICE_RATIO_CAP.get(shop.region, 5) * min(prices):
        raise param("the max/min price ratio of the models is over the region's limit")


def _echo(item: Item, shop: Shop) -> dict[str, Any]:
    return {
        "item_id": item.item_id,
        "tier_variation": [
            {"name": t.name, "option_list": [{"option": o} for o in t.options]} for t in item.tier_variation
        ],
        "model": [
            {
                "model_id": m.model_id,
                "tier_index": list(m.tier_index),
                "model_sku": m.model_sku,
                "price_info": [{"original_price": to_major(m.price, shop.market.exponent)}],
            }
            for m in item.models.values()
        ],
    }


def _editable(item: Item) -> None:
    if not item.has_model:
        raise ShopeeError("error_param", "Item has no tier variation, use init_tier_variation.")
    if item.item_status not in ("NORMAL", "UNLIST"):
        raise param(f"item {item.item_id} is {item.item_status} and cannot be edited")


def update_tier_variation(ctx: Ctx) -> Reply:
    body = ctx.body
    item = _item(ctx, body.required_int("item_id"))
    _editable(item)
    tiers = _tiers(body)
    kept: dict[int, list[int]] = {}
    for entry in body.objects("model_list", low=1, high=50):
        model_id = entry.required_int("model_id", low=1)
        if model_id not in item.models:
            raise ShopeeError("error_item_or_model_not_found", f"model_id {model_id} not found in this item")
        index = _tier_index(entry, tiers)
        if index in kept.values() or model_id in kept:
            raise ShopeeError("error_model_duplicate_tier_variation_index", "Item have duplicate tier_index.")
        kept[model_id] = index
    dropped = [m for m in item.models.values() if m.model_id not in kept]
    if any(m.reserved for m in dropped):
        raise ShopeeError("error_param", "Can not delete a model with reserved stock")
    _ratio_ok(ctx.shop, [item.models[m].price for m in kept])
    item.tier_variation = tiers
    item.models = {m: item.models[m] for m in kept}
    for model_id, index in kept.items():
        item.models[model_id].tier_index = index
    item.update_time = ctx.now
    return Reply(_echo(item, ctx.shop))


def add_model(ctx: Ctx) -> Reply:
    body, shop = ctx.body, ctx.shop
    item = _item(ctx, body.required_int("item_id"))
    _editable(item)
    entries = body.objects("model_list", low=1, high=50)
    if len(item.models) + len(entries) > 50:
        raise param("Count of models should be under 50")
    taken = [list(m.tier_index) for m in item.models.values()]
    added: list[Model] = []
    for entry in entries:
        index = _tier_index(entry, item.tier_variation)
        if index in taken:
            raise ShopeeError("error_model_duplicate_tier_variation_index", "Item have duplicate tier_index.")
        taken.append(index)
        stock = sum(s.required_int("stock", low=0) for s in entry.objects("seller_stock", required=False))
        sku = entry.text("model_sku", required=False) or ""
        price = _positive_price(entry, "original_price", shop)
        added.append(Model(ctx.sandbox.catalog.new_model_id(), sku, index, price, stock))
    _ratio_ok(shop, [m.price for m in item.models.values()] + [m.price for m in added])
    for model in added:
        item.models[model.model_id] = model
    item.update_time = ctx.now
    return Reply({"model": [{"model_id": m.model_id, "tier_index": list(m.tier_index)} for m in added]})


ENDPOINTS = [
    Endpoint("POST", "/api/v2/product/update_item", update_item),
    Endpoint("POST", "/api/v2/product/update_tier_variation", update_tier_variation),
    Endpoint("POST", "/api/v2/product/add_model", add_model),
]
