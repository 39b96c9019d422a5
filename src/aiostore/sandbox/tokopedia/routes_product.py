"""Product endpoints (lazada-tokopedia.md §B4): product info (by ids, by SKU, or a shop's listing in pages
of at most 50, ``last_sort`` needed past the first 10,000), stock and price updates (1-100 rows, row
failures inside a 200), active / inactive (1-25 products). Create and edit: ``products.py``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from aiostore.sandbox.tokopedia import errors
from aiostore.sandbox.tokopedia.dispatch import Ctx, Endpoint
from aiostore.sandbox.tokopedia.models import Product, Shop
from aiostore.sandbox.tokopedia.products import create, edit, upload_status
from aiostore.sandbox.tokopedia.state import TokopediaSandbox

_WORDING = "<b>Stok hampir habis!</b> Tersisa &lt;20"


def product_row(product: Product, shop: Shop, price: int, stock: int) -> dict[str, Any]:
    slug = product.name.lower().replace(" ", "-").replace(",", "")[:60]
    url = f"https://www.tokopedia.com/{shop.domain}/{slug}"
    price_part = {"value": price, "currency": 1, "LastUpdateUnix": product.price_time, "idr": price}
    return {
        "basic": {
            "productID": product.product_id,
            "shopID": product.shop_id,
            "status": product.status,
            "Name": product.name,
            "condition": 1,
            "childCategoryID": product.category_id,
            "shortDesc": product.description,
        },
        "price": price_part,
        "weight": {"value": product.weight_g, "unit": 1},
        "stock": {"value": stock, "stockWording": _WORDING if 0 < stock < 20 else ""},
        "main_stock": stock,
        "reserve_stock": 0,
        "variant": {
            "isParent": product.is_parent,
            "isVariant": product.is_parent or product.parent_id is not None,
            "childrenID": list(product.children),
        },
        "menu": {"id": product.menu[0], "Name": product.menu[1]},
        "preorder": {},
        "extraAttribute": {"minOrder": 1, "lastUpdateCategory": product.create_time, "isEligibleCOD": True},
        "categoryTree": [
            {"id": product.category_id, "Name": "Kategori", "title": "Kategori", "breadcrumbURL": ""}
        ],
        "pictures": [
            {
                "picID": n + 1,
                "fileName": p.rsplit("/", 1)[-1],
                "filePath": p,
                "status": 1,
                "OriginalURL": p,
                "ThumbnailURL": p,
                "width": 700,
                "height": 700,
                "URL300": p,
            }
            for n, p in enumerate(product.pictures)
        ],  # fmt: skip
        "GMStats": {"transactionSuccess": 0, "transactionReject": 0, "countSold": 0},
        "stats": {"countView": 0, "countReview": 0, "countTalk": 0},
        "other": {"sku": product.sku, "url": url, "mobileURL": url.replace("www.", "m.")},
        "campaign": {"StartDate": "", "EndDate": ""},
        "volume": {"length": 10, "width": 10, "height": 10},
        "warehouses": [
            {
                "productID": product.product_id,
                "warehouseID": shop.warehouse_id,
                "price": price_part,
                "stock": {"useStock": True, "value": stock},
            }
        ],
    }


def render_product(ctx: Ctx, product: Product) -> dict[str, Any]:
    price, stock = (
        ctx.sandbox.catalog.parent_totals(product) if product.is_parent else (product.price, product.stock)
    )
    return product_row(product, ctx.sandbox.shops[product.shop_id], price, stock)


def _ids(ctx: Ctx, text: str) -> list[int]:
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise errors.malformed("PRD_API_007", "product_id must be integers separated by commas") from None
    limit = ctx.sandbox.config.product_ids_max
    if not 1 <= len(ids) <= limit:
        raise errors.malformed("PRD_API_007", f"give between 1 and {limit} product ids")
    return list(dict.fromkeys(ids))


def product_info(ctx: Ctx) -> list[dict[str, Any]]:
    catalog, config = ctx.sandbox.catalog, ctx.sandbox.config
    ids_text = ctx.text("product_id") or ctx.text("product")
    if ids_text:
        found = [catalog.products.get(pid) for pid in _ids(ctx, ids_text)]
        return [
            render_product(ctx, p)
            for p in found
            if p is not None and p.status != 0 and p.shop_id in ctx.app.linked_shops
        ]
    sku = ctx.text("sku")
    if sku:
        hits = [catalog.by_sku(shop_id, sku) for shop_id in sorted(ctx.app.linked_shops)]
        return [render_product(ctx, p) for p in hits if p is not None]
    if ctx.shop_or_none is None:
        raise errors.malformed(
            "PRD_API_007", "give product_id, product_url, sku, or shop_id with page and per_page"
        )
    page = ctx.required("page", code="PRD_API_007", low=1)
    per_page = ctx.required("per_page", code="PRD_API_007", low=1, high=config.product_page_max)
    after = ctx.integer("last_sort", code="PRD_API_007", low=0)
    if after is None and (page - 1) * per_page >= config.last_sort_after:
        raise errors.malformed(
            "PRD_API_007", f"last_sort is required past the first {config.last_sort_after} products"
        )
    return [render_product(ctx, p) for p in catalog.page(ctx.shop.shop_id, page, per_page, after)]


def _update_rows(ctx: Ctx, key: str) -> list[dict[str, Any]]:
    rows = ctx.body
    limit = ctx.sandbox.config.update_rows_max
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise errors.malformed("PRD_API_007", "the body must be a JSON array of objects")
    if not 1 <= len(rows) <= limit:
        raise errors.malformed("PRD_API_007", f"send between 1 and {limit} rows per request")
    for row in rows:
        if "sku" not in row and "product_id" not in row:
            raise errors.malformed("PRD_API_007", "every row needs a sku or a product_id")
        if key not in row:
            raise errors.malformed("PRD_API_007", f"every row needs {key}")
    return rows


def _result(succeeded: int, failed: list[dict[str, Any]]) -> dict[str, Any]:
    return {"failed_rows": len(failed), "failed_rows_data": failed, "succeed_rows": succeeded}


def _locked(sandbox: TokopediaSandbox, product_id: int) -> bool:
    """A sellable product (a variant is a product of its own) whose stock a promotion locks."""
    return sandbox.stock_locked(product_id, 0)


def stock_update(ctx: Ctx) -> dict[str, Any]:
    rows = _update_rows(ctx, "new_stock")
    locked = partial(_locked, ctx.sandbox)
    return _result(*ctx.sandbox.catalog.update_stock(ctx.shop.shop_id, rows, ctx.now, locked))


def price_update(ctx: Ctx) -> dict[str, Any]:
    rows = _update_rows(ctx, "new_price")
    return _result(*ctx.sandbox.catalog.update_price(ctx.shop.shop_id, rows, ctx.now))


def _set_status(ctx: Ctx, status: int) -> dict[str, Any]:
    body = ctx.body if isinstance(ctx.body, dict) else {}
    ids = body.get("product_id")
    limit = ctx.sandbox.config.status_products_max
    if not isinstance(ids, list) or not 1 <= len(ids) <= limit or not all(isinstance(i, int) for i in ids):
        raise errors.malformed("PRD_API_007", f"product_id must list between 1 and {limit} product ids")
    failed: list[str] = []
    for pid in ids:
        product = ctx.sandbox.catalog.get(ctx.shop.shop_id, pid)
        if product is None or product.parent_id is not None:
            failed.append(f"Error Product ID [{pid}] : There are some problem when retrieve product info")
            continue
        for target in [product, *ctx.sandbox.catalog.variants(product)]:
            target.status, target.update_time = status, ctx.now
    return {
        "total_data": len(ids),
        "succeed_rows": len(ids) - len(failed),
        "failed_rows": len(failed),
        "failed_rows_data": failed or None,
    }


def set_active(ctx: Ctx) -> dict[str, Any]:
    return _set_status(ctx, 1)


def set_inactive(ctx: Ctx) -> dict[str, Any]:
    return _set_status(ctx, 3)


ENDPOINTS = [
    Endpoint("GET", "/inventory/v1/fs/{fs_id}/product/info", product_info, shop="optional"),
    Endpoint("POST", "/inventory/v1/fs/{fs_id}/stock/update", stock_update, shop="query"),
    Endpoint("POST", "/inventory/v1/fs/{fs_id}/price/update", price_update, shop="query"),
    Endpoint("POST", "/v3/products/fs/{fs_id}/create", create, shop="query"),
    Endpoint("PATCH", "/v3/products/fs/{fs_id}/edit", edit, shop="query"),
    Endpoint("GET", "/v2/products/fs/{fs_id}/status/{upload_id}", upload_status, shop="query"),
    Endpoint("POST", "/v1/products/fs/{fs_id}/active", set_active, shop="query"),
    Endpoint("POST", "/v1/products/fs/{fs_id}/inactive", set_inactive, shop="query"),
]
