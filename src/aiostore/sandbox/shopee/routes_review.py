"""Shopee's answer on a listing's review (listings-and-categories.md §D): get_item_violation_info, POST
with `item_id_list` (1-50 ids) → per item `item_status`, `deboost`, `item_status_details[{violation_type,
violation_reason, suggestion, fix_deadline_time, update_time}]`, `deboost_details`; an id not of this shop
is an entry with `fail_error` / `fail_message` (the schema's partial-failure sample)."""

from __future__ import annotations

from typing import Any

from aiostore.sandbox.shopee import errors
from aiostore.sandbox.shopee.dispatch import Ctx, Endpoint, Reply


def get_item_violation_info(ctx: Ctx) -> Reply:
    ids = ctx.body.data.get("item_id_list")
    if not isinstance(ids, list) or not ids:
        raise errors.param("The item_id_list is required")
    if len(ids) > 50:
        raise errors.param("Request items over limit, should be less than 50")
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise errors.param("Invalid request item_id")
    entries: list[dict[str, Any]] = []
    for item_id in dict.fromkeys(ids):
        item = ctx.sandbox.catalog.get(ctx.shop.shop_id, item_id)
        if item is None:
            entries.append(
                {"item_id": item_id, "fail_error": "error_param", "fail_message": "Invalid request item_id"}
            )
            continue
        entries.append(
            {
                "item_id": item.item_id,
                "item_name": item.item_name,
                "item_status": item.item_status,
                "deboost": False,
                "item_status_details": list(item.violations),
                "deboost_details": [],
            }
        )
    return Reply({"item_list": entries})


ENDPOINTS = [Endpoint("POST", "/api/v2/product/get_item_violation_info", get_item_violation_info)]
