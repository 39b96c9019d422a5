"""Create and edit products (lazada-tokopedia.md §B4): asynchronous on Tokopedia, so each answers an
``upload_id`` whose result ``GET /v2/products/fs/{fs_id}/status/{upload_id}`` reads. The sandbox processes
an upload at once: its first status read is final. Result shape (§B4): ``{upload_id, status, total_data,
success_data, fail_data, success_rows_data[{product_id, product_sku}], failed_rows_data[{product_name,
product_price, sku, error[]}]}``. At most 20 products per create.
"""

from __future__ import annotations

from typing import Any

from aiostore.sandbox.tokopedia import errors
from aiostore.sandbox.tokopedia.catalog import MAX_PRICE, MAX_STOCK, MIN_PRICE, SKU_MAX
from aiostore.sandbox.tokopedia.dispatch import Ctx
from aiostore.sandbox.tokopedia.models import Product
from aiostore.sandbox.tokopedia.routes_reference import annotation_refusal, leaf_category, shipping_refusal

NAME_MAX, DESCRIPTION_MAX = 70, 2000


class RowError(Exception):
    pass


def _int(entry: dict[str, Any], key: str, low: int, high: int) -> int:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RowError(f"{key} must be an integer between {low} and {high}")
    return value


def _text(entry: dict[str, Any], key: str, limit: int, *, required: bool = True) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str) or (required and not value) or len(value) > limit:
        raise RowError(f"{key} must be a text of 1 to {limit} characters")
    return value


def _category(entry: dict[str, Any]) -> int:
    category_id = _int(entry, "category_id", 1, 10**9)
    if not leaf_category(category_id):
        raise RowError(f"category_id {category_id} is not a valid category (choose a deepest child)")
    return category_id


def _grams(entry: dict[str, Any]) -> int:
    weight, unit = entry.get("weight"), entry.get("weight_unit", "GR")
    if (
        isinstance(weight, bool)
        or not isinstance(weight, int | float)
        or weight <= 0
        or unit not in ("GR", "KG")
    ):
        raise RowError("weight must be a positive number with weight_unit GR or KG")
    return int(weight * 1000) if unit == "KG" else int(weight)


PENDING = -1  # basic.status: -2 banned, -1 pending, 0 deleted, 1 active, 2 best, 3 inactive


def _pictures(entry: dict[str, Any]) -> list[str]:
    pictures = entry.get("pictures")
    if (
        not isinstance(pictures, list)
        or not pictures
        or not all(isinstance(p, dict) and p.get("file_path") for p in pictures)
    ):
        raise RowError("pictures must list at least one {file_path}")
    return [str(p["file_path"]) for p in pictures]


def _new(ctx: Ctx, entry: dict[str, Any], name: str, sku: str, price: int, stock: int) -> Product:
    pictures = _pictures(entry)
    return Product(
        product_id=ctx.sandbox.catalog.new_id(),
        shop_id=ctx.shop.shop_id,
        name=name,
        description=_text(entry, "description", DESCRIPTION_MAX, required=False),
        sku=sku,
        category_id=_category(entry),
        status=PENDING,  # until the review ends (state.review_ended)
        price=price,
        stock=stock,
        weight_g=_grams(entry),
        pictures=pictures,
        create_time=ctx.now,
        update_time=ctx.now,
        price_time=ctx.now,
    )


def _create_one(ctx: Ctx, entry: dict[str, Any]) -> Product:
    name = _text(entry, "name", NAME_MAX)
    sku = _text(entry, "sku", SKU_MAX, required=False)
    if entry.get("condition", "NEW") not in ("NEW", "USED") or entry.get("price_currency", "IDR") != "IDR":
        raise RowError("condition must be NEW or USED and price_currency IDR")
    if sku and ctx.sandbox.catalog.by_sku(ctx.shop.shop_id, sku):
        raise RowError(f"SKU {sku} is already used in this shop")
    refusal = shipping_refusal(entry.get("custom_product_logistics")) or annotation_refusal(
        _category(entry), entry.get("annotations")
    )
    if refusal:
        raise RowError(refusal)
    parent = _new(
        ctx, entry, name, sku, _int(entry, "price", MIN_PRICE, MAX_PRICE), _int(entry, "stock", 0, MAX_STOCK)
    )
    variant = entry.get("variant")
    children: list[Product] = []
    if variant is not None:
        selection = variant.get("selection") if isinstance(variant, dict) else None
        rows = variant.get("products") if isinstance(variant, dict) else None
        if not isinstance(selection, list) or not selection or not isinstance(rows, list) or not rows:
            raise RowError("variant needs selection and products")
        option_lists = [[str(o.get("value")) for o in s.get("options") or ()] for s in selection]
        for row in rows:
            combo = row.get("combination")
            if (
                not isinstance(combo, list)
                or len(combo) != len(option_lists)
                or not all(
                    isinstance(i, int) and 0 <= i < len(opts)
                    for i, opts in zip(combo, option_lists, strict=False)
                )
            ):
                raise RowError("every variant product needs a combination of option indexes")
            label = ", ".join(opts[i] for i, opts in zip(combo, option_lists, strict=True))
            child = _new(
                ctx, entry, f"{name} - {label}", _text(row, "sku", SKU_MAX, required=False),
                _int(row, "price", MIN_PRICE, MAX_PRICE), _int(row, "stock", 0, MAX_STOCK),
            )  # fmt: skip
            child.parent_id = parent.product_id
            children.append(child)
        parent.children = [c.product_id for c in children]
        parent.stock = 0
    for product in [parent, *children]:
        ctx.sandbox.catalog.add(product)
    ctx.sandbox.begin_review(parent.product_id, restore=1)
    return parent


def _upload(ctx: Ctx, done: list[Product], failed: list[dict[str, Any]], total: int) -> dict[str, Any]:
    upload_id = 8_000_000 + len(ctx.sandbox.uploads) + 1
    ctx.sandbox.uploads[upload_id] = {
        "upload_id": upload_id,
        "shop_id": ctx.shop.shop_id,
        "status": "done",
        "total_data": total,
        "success_data": len(done),
        "fail_data": len(failed),
        "success_rows_data": [{"product_id": p.product_id, "product_sku": p.sku} for p in done],
        "failed_rows_data": failed,
    }
    return {"upload_id": upload_id, "total_data": total, "success_data": 0, "fail_data": 0}


def _products(ctx: Ctx, limit: int) -> list[dict[str, Any]]:
    body = ctx.body if isinstance(ctx.body, dict) else {}
    entries = body.get("products")
    if (
        not isinstance(entries, list)
        or not 1 <= len(entries) <= limit
        or not all(isinstance(e, dict) for e in entries)
    ):
        raise errors.malformed("PRD_API_007", f"products must list between 1 and {limit} products")
    return entries


def create(ctx: Ctx) -> dict[str, Any]:
    entries = _products(ctx, ctx.sandbox.config.create_products_max)
    done: list[Product] = []
    failed: list[dict[str, Any]] = []
    for entry in entries:
        try:
            done.append(_create_one(ctx, entry))
        except RowError as exc:
            row = {
                "product_name": entry.get("name"),
                "product_price": entry.get("price"),
                "sku": entry.get("sku"),
            }
            failed.append({**row, "error": [str(exc)]})
    return _upload(ctx, done, failed, len(entries))


def _edit_one(ctx: Ctx, entry: dict[str, Any]) -> Product:
    pid = entry.get("id")
    product = ctx.sandbox.catalog.get(ctx.shop.shop_id, pid) if isinstance(pid, int) else None
    if product is None:
        raise RowError(f"product {pid} not found in this shop")
    # checked before anything changes: a refused row changes nothing
    category = _category(entry) if "category_id" in entry else product.category_id
    pictures = _pictures(entry) if "pictures" in entry else product.pictures
    before = (product.name, product.description, product.category_id, product.pictures)
    if "name" in entry:
        product.name = _text(entry, "name", NAME_MAX)
    if "description" in entry:
        product.description = _text(entry, "description", DESCRIPTION_MAX, required=False)
    product.category_id, product.pictures = category, pictures
    for child in product.children:  # a variant is a product of its own, in its parent's category
        found = ctx.sandbox.catalog.get(ctx.shop.shop_id, child)
        if found is not None:
            found.category_id = category
    after = (product.name, product.description, product.category_id, product.pictures)
    if after != before and product.status in (PENDING, 1, 2, 3):
        ctx.sandbox.review_product(product)  # a changed content is reviewed again
    if "sku" in entry:
        sku = _text(entry, "sku", SKU_MAX, required=False)
        other = ctx.sandbox.catalog.by_sku(ctx.shop.shop_id, sku) if sku else None
        if other is not None and other is not product:
            raise RowError(f"SKU {sku} is already used in this shop")
        ctx.sandbox.catalog.set_sku(product, sku)
    if "weight" in entry:
        product.weight_g = _grams(entry)
    if "price" in entry and not product.is_parent:
        product.price, product.price_time = _int(entry, "price", MIN_PRICE, MAX_PRICE), ctx.now
    if "stock" in entry and not product.is_parent:
        product.stock = _int(entry, "stock", 0, MAX_STOCK)
    product.update_time = ctx.now
    return product


def edit(ctx: Ctx) -> dict[str, Any]:
    entries = _products(ctx, ctx.sandbox.config.create_products_max)
    done: list[Product] = []
    failed: list[dict[str, Any]] = []
    for entry in entries:
        try:
            done.append(_edit_one(ctx, entry))
        except RowError as exc:
            failed.append({"product_name": entry.get("name"), "sku": entry.get("sku"), "error": [str(exc)]})
    return _upload(ctx, done, failed, len(entries))


def upload_status(ctx: Ctx) -> dict[str, Any]:
    upload = ctx.sandbox.uploads.get(ctx.path_int("upload_id", "PRD_API_007"))
    if upload is None or upload["shop_id"] != ctx.shop.shop_id:
        raise errors.not_found("PRD_API_008", "upload_id not found")
    return {k: v for k, v in upload.items() if k != "shop_id"}
