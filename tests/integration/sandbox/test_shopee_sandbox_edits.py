"""Edits of an existing Shopee item in the sandbox: update_item checked against the category's rules like
add_item (a refusal changes nothing), update_tier_variation (kept models by id, the rest deleted) and
add_model, with the platform's errors for bad input."""

from __future__ import annotations

from typing import Any

from aiostore.sandbox.shopee import ShopeeSandbox
from aiostore.sandbox.shopee.routes_reference import TAXONOMY
from tests.integration.sandbox.conftest import Shopee
from tests.integration.sandbox.test_shopee_sandbox import error_of

ITEM = {
    "original_price": 99000,
    "description": "A sturdy mug.",
    "weight": 0.4,
    "item_name": "Enamel Mug",
    "image": {"image_id_list": ["id-11134207-abc"]},
    "logistic_info": [{"logistic_id": 8003, "enabled": True}],
    "seller_stock": [{"stock": 12}],
}


def _leaves() -> tuple[int, int]:
    """A leaf without rules, and one with a mandatory attribute (no brand required)."""
    leaves = [c for c in TAXONOMY.tree.categories if c.leaf and not c.brand_required]
    plain = next(c for c in leaves if not any(r.mandatory for r in c.rules))
    strict = next(c for c in leaves if any(r.mandatory for r in c.rules))
    return TAXONOMY.id_of(plain), TAXONOMY.id_of(strict)


async def _item(shopee: Shopee, sandbox: ShopeeSandbox, category: int) -> Any:
    sandbox.images.issue("id-11134207-abc")  # as if uploaded
    created = (await shopee.post("/api/v2/product/add_item", ITEM | {"category_id": category})).json()
    sandbox.settle_reviews()
    return sandbox.item(created["response"]["item_id"])


async def test_update_item_missing_a_mandatory_attribute_is_refused_and_changes_nothing(
    shopee: Shopee, sandbox: ShopeeSandbox
) -> None:
    plain, strict = _leaves()
    item = await _item(shopee, sandbox, plain)
    change = {"item_id": item.item_id, "item_name": "Renamed", "category_id": strict}
    status, code, message = error_of(await shopee.post("/api/v2/product/update_item", change))
    assert (status, code) == (400, "error_invalid_attribute")
    assert message.startswith("Mandatory attribute information required: ")
    assert (item.category_id, item.item_name, item.item_status) == (plain, "Enamel Mug", "NORMAL")
    bad_image = {"item_id": item.item_id, "item_name": "Renamed", "image": {"image_id_list": []}}
    assert error_of(await shopee.post("/api/v2/product/update_item", bad_image))[:2] == (400, "error_param")
    assert item.item_name == "Enamel Mug"  # checked before anything changed


async def test_models_are_kept_by_id_deleted_when_left_out_and_added(
    shopee: Shopee, sandbox: ShopeeSandbox
) -> None:
    plain, _ = _leaves()
    item = await _item(shopee, sandbox, plain)
    init = {
        "item_id": item.item_id,
        "tier_variation": [{"name": "Size", "option_list": [{"option": "M"}, {"option": "L"}]}],
        "model": [
            {"tier_index": [0], "original_price": 99000, "model_sku": "M", "seller_stock": [{"stock": 1}]},
            {"tier_index": [1], "original_price": 99000, "model_sku": "L", "seller_stock": [{"stock": 1}]},
        ],
    }
    assert (await shopee.post("/api/v2/product/init_tier_variation", init)).status_code == 200
    by_sku = {m.model_sku: m.model_id for m in item.models.values()}
    tiers = [{"name": "Size", "option_list": [{"option": "XL"}, {"option": "S"}]}]
    keep_l = {
        "item_id": item.item_id,
        "tier_variation": tiers,
        "model_list": [{"model_id": by_sku["L"], "tier_index": [0]}],
    }
    assert (await shopee.post("/api/v2/product/update_tier_variation", keep_l)).status_code == 200
    assert [(m.model_id, m.model_sku, m.tier_index) for m in item.models.values()] == [
        (by_sku["L"], "L", [0])
    ]
    add = {
        "item_id": item.item_id,
        "model_list": [
            {"tier_index": [1], "original_price": 95000, "model_sku": "S", "seller_stock": [{"stock": 2}]}
        ],
    }
    added = (await shopee.post("/api/v2/product/add_model", add)).json()["response"]["model"]
    assert [m.model_sku for m in item.models.values()] == ["L", "S"] and added[0]["tier_index"] == [1]
    assert (
        error_of(await shopee.post("/api/v2/product/add_model", add))[1]
        == "error_model_duplicate_tier_variation_index"
    )
    unknown = keep_l | {"model_list": [{"model_id": 1, "tier_index": [0]}]}
    assert (
        error_of(await shopee.post("/api/v2/product/update_tier_variation", unknown))[1]
        == "error_item_or_model_not_found"
    )
    out_of_range = keep_l | {"model_list": [{"model_id": by_sku["L"], "tier_index": [5]}]}
    assert error_of(await shopee.post("/api/v2/product/update_tier_variation", out_of_range))[:2] == (
        400,
        "error_param",
    )
