"""Product endpoints (shopee-tiktokshop.md §B4 product rows, §B9 money; docs/marketplaces/tiktokshop.md).

Search Products (page_size 1-100 and page_token in the query, filters in the body; SKUs inline with price
and inventory), Get Product (one product, with sales attributes and images), Create Product, Partial Edit,
Activate / Deactivate, Update Inventory and Update Price (one product per call, every SKU of it, failed
SKUs reported in ``data.errors``), Inventory Search (available and committed quantities).
"""

from __future__ import annotations

import base64
import binascii
import zlib
from functools import partial
from typing import Any

from aiostore.sandbox.tiktokshop import errors
from aiostore.sandbox.tiktokshop.catalog import MAX_QUANTITY, SkuFailure, format_amount, parse_amount
from aiostore.sandbox.tiktokshop.dispatch import Ctx, Endpoint
from aiostore.sandbox.tiktokshop.models import PRODUCT_STATUSES, Product, Shop, Sku
from aiostore.sandbox.tiktokshop.params import Body
from aiostore.sandbox.tiktokshop.routes_auth import DELIVERY_OPTIONS
from aiostore.sandbox.tiktokshop.routes_reference import TAXONOMY, check_listing, check_rules

_IMAGE_HOST = "https://p16-oec-sg.ibyteimg.com"


def encode_token(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def decode_token(ctx: Ctx, token: str) -> str:
    try:
        value = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        value = ""
    if not value or encode_token(value) != token:
        raise errors.param("page_token is invalid", ctx.query.code)
    return value


def _inventory(sku: Sku, shop: Shop) -> list[dict[str, Any]]:
    return [{"warehouse_id": shop.warehouse_id, "quantity": sku.quantity}]


def search_entry(product: Product, shop: Shop, now: int) -> dict[str, Any]:
    exponent, currency = shop.market.exponent, shop.market.currency
    return {
        "id": product.product_id,
        "title": product.title,
        "status": product.status,
        "skus": [
            {
                "id": sku.sku_id,
                "seller_sku": sku.seller_sku,
                "price": {
                    "currency": currency,
                    "tax_exclusive_price": format_amount(sku.price, exponent),
                    "sale_price": format_amount(sku.price, exponent),
                },
                "inventory": _inventory(sku, shop),
            }
            for sku in product.skus.values()
        ],
        "sales_regions": [shop.region],
        "create_time": product.create_time,
        "update_time": product.update_time,
        "is_not_for_sale": False,
        "product_sync_fail_reasons": [],
        "recommended_categories": [],
    }


def product_detail(product: Product, shop: Shop, now: int) -> dict[str, Any]:
    exponent, currency = shop.market.exponent, shop.market.currency
    return {
        "id": product.product_id,
        "title": product.title,
        "description": product.description,
        "status": product.status,
        "category_chains": [
            {"id": product.category_id, "parent_id": "0", "local_name": "Category", "is_leaf": True}
        ],
        "brand": {"id": product.brand_id, "name": ""} if product.brand_id else None,
        "main_images": [
            {
                "uri": uri,
                "urls": [f"{_IMAGE_HOST}/{uri}~tplv-o3syd03w52-origin-jpeg.jpeg"],
                "width": 800,
                "height": 800,
            }
            for uri in product.images
        ],
        "skus": [
            {
                "id": sku.sku_id,
                "seller_sku": sku.seller_sku,
                "price": {
                    "amount": format_amount(sku.price, exponent),
                    "currency": currency,
                    "sale_price": format_amount(sku.price, exponent),
                },
                "inventory": _inventory(sku, shop),
                "sales_attributes": [
                    {
                        "id": f"10000{n}",
                        "name": name,
                        "value_id": f"70{zlib.crc32(value.encode()) % 10**8}",
                        "value_name": value,
                    }
                    for n, (name, value) in enumerate(sku.attributes)
                ],
            }
            for sku in product.skus.values()
        ],
        "product_attributes": [
            {"id": a.get("id"), "values": [dict(v) for v in a.get("values") or ()]}
            for a in product.product_attributes
        ],
        "package_weight": {"value": product.weight_kg, "unit": "KILOGRAM"},
        "package_dimensions": {"length": "20", "width": "15", "height": "5", "unit": "CENTIMETER"},
        "is_cod_allowed": True,
        "audit_failed_reasons": list(product.audit_failed_reasons),
        "create_time": product.create_time,
        "update_time": product.update_time,
    }


def _product(ctx: Ctx, product_id: str, *, deleted_ok: bool = False) -> Product:
    product = ctx.sandbox.catalog.get(ctx.shop.shop_id, product_id)
    if product is None or (product.status == "DELETED" and not deleted_ok):
        raise errors.product_not_found(product_id)
    return product


def search_products(ctx: Ctx) -> dict[str, Any]:
    config, body = ctx.sandbox.config, ctx.body
    limit = ctx.query.page_size(config.max_page_size)
    token = ctx.query.text("page_token")
    status = body.text("status", required=False)
    if status is not None and status not in PRODUCT_STATUSES | {"ALL"}:
        raise body.fail(f"status must be ALL or one of {', '.join(sorted(PRODUCT_STATUSES))}")
    page, total, more = ctx.sandbox.catalog.search(
        ctx.shop.shop_id,
        status=status,
        after=decode_token(ctx, token) if token else None,
        limit=limit,
        now=ctx.now,
        update_range=(body.integer("update_time_ge", low=0), body.integer("update_time_le", low=0)),
        create_range=(body.integer("create_time_ge", low=0), body.integer("create_time_le", low=0)),
        seller_skus=frozenset(body.strings("seller_skus", high=100)),
    )
    return {
        "products": [search_entry(p, ctx.shop, ctx.now) for p in page],
        "total_count": total,
        "next_page_token": encode_token(page[-1].product_id) if more and page else "",
    }


def get_product(ctx: Ctx) -> dict[str, Any]:
    return product_detail(_product(ctx, ctx.path_params["product_id"], deleted_ok=True), ctx.shop, ctx.now)


def _price(ctx: Ctx, entry: Body) -> int:
    price = entry.object("price")
    assert price is not None  # noqa: S101 - required
    market = ctx.shop.market
    if price.required_text("currency") != market.currency:
        raise price.fail(f"{price.name('currency')} must be {market.currency} for a {ctx.shop.region} shop")
    try:
        minor = parse_amount(price.decimal_text("amount"), market.exponent)
    except ValueError:
        places = "a whole number" if market.exponent == 0 else "a number with at most 2 decimals"
        raise price.fail(f"{price.name('amount')} must be {places}") from None
    if minor <= 0:
        raise price.fail(f"{price.name('amount')} must be greater than 0")
    return minor


def _quantities(ctx: Ctx, entry: Body) -> list[tuple[str | None, int]]:
    rows = []
    for row in entry.objects("inventory", high=10):
        quantity = row.integer("quantity", required=True, low=0, high=MAX_QUANTITY)
        assert quantity is not None  # noqa: S101 - required
        rows.append((row.text("warehouse_id", required=False), quantity))
    return rows


def create_product(ctx: Ctx) -> dict[str, Any]:
    body, shop, catalog, config = ctx.body, ctx.shop, ctx.sandbox.catalog, ctx.sandbox.config
    category = check_listing(body)
    check_rules(body, category)
    images = [image.required_text("uri") for image in body.objects("main_images", high=9)]
    if (foreign := ctx.sandbox.images.foreign(images)) is not None:
        raise errors.image_unknown(foreign)
    weight = body.object("package_weight")
    assert weight is not None  # noqa: S101 - required
    save_mode = body.text("save_mode", required=False) or "LISTING"
    if save_mode not in ("LISTING", "AS_DRAFT"):
        raise body.fail("save_mode must be LISTING or AS_DRAFT")
    known = {option[0] for option in DELIVERY_OPTIONS}
    if any(o not in known for o in body.strings("delivery_option_ids", high=len(known))):
        raise body.fail(
            f"delivery_option_ids must be delivery options of the shop's warehouse: {sorted(known)}"
        )
    entries = body.objects("skus", high=config.max_skus_per_product)
    skus: list[Sku] = []
    for entry in entries:
        attributes = [
            (a.required_text("name"), a.required_text("value_name"))
            for a in entry.objects("sales_attributes", required=len(entries) > 1, high=3)
        ]
        stock = sum(quantity for _, quantity in _quantities(ctx, entry))
        skus.append(
            catalog.new_sku(
                entry.text("seller_sku", required=False) or "", _price(ctx, entry), stock, attributes
            )
        )
    if len({tuple(s.attributes) for s in skus}) != len(skus):
        raise body.fail("every SKU must have its own sales attributes")
    product = Product(
        product_id=catalog.new_product_id(),
        shop_id=shop.shop_id,
        title=body.required_text("title"),
        description=body.required_text("description"),
        category_id=str(TAXONOMY.id_of(category)),
        status="PENDING" if save_mode == "LISTING" else "DRAFT",  # PENDING: under audit
        create_time=ctx.now,
        update_time=ctx.now,
        images=images,
        weight_kg=weight.decimal_text("value"),
        skus={s.sku_id: s for s in skus},
        brand_id=body.text("brand_id", required=False) or "",
        product_attributes=body.data.get("product_attributes") or [],
    )
    catalog.add(product)
    if save_mode == "LISTING":
        ctx.sandbox.begin_review((shop.shop_id, product.product_id), restore="ACTIVATE")
    return written(product, skus)


def written(product: Product, skus: list[Sku]) -> dict[str, Any]:
    """What Create Product and Edit Product answer: the product id and its SKUs."""
    return {
        "product_id": product.product_id,
        "skus": [
            {
                "id": s.sku_id,
                "seller_sku": s.seller_sku,
                "sales_attributes": [{"name": n, "value_name": v} for n, v in s.attributes],
            }
            for s in skus
        ],
        "warnings": [],
    }


AUDITED = frozenset({"ACTIVATE", "PENDING", "FAILED"})


def partial_edit(ctx: Ctx) -> dict[str, Any]:
    body = ctx.body
    product = _product(ctx, ctx.path_params["product_id"])
    for key in ("title", "description"):
        if key in body.data:
            setattr(product, key, body.required_text(key))
    if ("title" in body.data or "description" in body.data) and product.status in AUDITED:
        ctx.sandbox.catalog.set_status(product, "PENDING", ctx.now)  # an edited listing is audited again
        ctx.sandbox.begin_review((product.shop_id, product.product_id), restore="ACTIVATE")
    weight = body.object("package_weight", required=False)
    if weight is not None:
        product.weight_kg = weight.decimal_text("value")
    for entry in body.objects("skus", required=False, high=ctx.sandbox.config.max_skus_per_product):
        sku = product.skus.get(entry.required_text("id"))
        if sku is None:
            raise entry.fail(f"{entry.name('id')} is not a SKU of product {product.product_id}")
        if entry.has("price") or entry.has("inventory"):
            raise entry.fail("change prices with prices/update and stock with inventory/update")
        sku.seller_sku = entry.text("seller_sku", required=False) or ""
    product.update_time = ctx.now
    return {
        "product_id": product.product_id,
        "skus": [{"id": s.sku_id, "seller_sku": s.seller_sku} for s in product.skus.values()],
    }


def _switch(ctx: Ctx, to: str, allowed: frozenset[str]) -> dict[str, Any]:
    failed = []
    for product_id in ctx.body.strings("product_ids", required=True, high=20):
        product = ctx.sandbox.catalog.get(ctx.shop.shop_id, product_id)
        if product is None or product.status == "DELETED":
            error = errors.product_not_found(product_id)
        elif product.status not in allowed | {to}:
            error = errors.param(f"a {product.status} product cannot become {to}")
        else:
            ctx.sandbox.catalog.set_status(product, to, ctx.now)
            continue
        failed.append({"code": error.code, "message": error.message, "detail": {"product_id": product_id}})
    return {"errors": failed} if failed else {}


def activate(ctx: Ctx) -> dict[str, Any]:
    return _switch(ctx, "ACTIVATE", frozenset({"SELLER_DEACTIVATED", "DRAFT"}))


def deactivate(ctx: Ctx) -> dict[str, Any]:
    return _switch(ctx, "SELLER_DEACTIVATED", frozenset({"ACTIVATE", "PENDING", "FAILED"}))


def _failures(failures: list[SkuFailure]) -> dict[str, Any]:
    if not failures:
        return {}
    return {
        "errors": [
            {
                "code": f.code,
                "message": f.message,
                "detail": {
                    "sku_id": f.sku_id,
                    "extra_errors": [{"warehouse_id": f.warehouse_id, "code": f.code, "message": f.message}]
                    if f.warehouse_id
                    else [],
                },
            }
            for f in failures
        ]
    }


def update_inventory(ctx: Ctx) -> dict[str, Any]:
    product = _product(ctx, ctx.path_params["product_id"])
    entries = [
        (entry.required_text("id"), _quantities(ctx, entry))
        for entry in ctx.body.objects("skus", high=ctx.sandbox.config.max_skus_per_product)
    ]
    locked = partial(ctx.sandbox.stock_locked, product.product_id)
    return _failures(ctx.sandbox.catalog.update_inventory(ctx.shop, product, entries, ctx.now, locked))


def update_prices(ctx: Ctx) -> dict[str, Any]:
    product = _product(ctx, ctx.path_params["product_id"])
    entries = [
        (entry.required_text("id"), _price(ctx, entry))
        for entry in ctx.body.objects("skus", high=ctx.sandbox.config.max_skus_per_product)
    ]
    return _failures(ctx.sandbox.catalog.update_prices(ctx.shop, product, entries, ctx.now))


def inventory_search(ctx: Ctx) -> dict[str, Any]:
    body, catalog, shop = ctx.body, ctx.sandbox.catalog, ctx.shop
    sku_ids = set(body.strings("sku_ids", high=600))
    product_ids = body.strings("product_ids", high=100)
    if sku_ids:
        product_ids = list(dict.fromkeys(catalog.sku_owner[s] for s in sku_ids if s in catalog.sku_owner))
    elif not product_ids:
        raise body.fail("product_ids or sku_ids is required")
    found = [p for p in (catalog.get(shop.shop_id, i) for i in product_ids) if p is not None]
    return {
        "inventory": [
            {
                "product_id": p.product_id,
                "skus": [
                    {
                        "id": s.sku_id,
                        "seller_sku": s.seller_sku,
                        "total_available_quantity": s.quantity,
                        "total_committed_quantity": s.committed,
                        "warehouse_inventory": [
                            {
                                "warehouse_id": shop.warehouse_id,
                                "available_quantity": s.quantity,
                                "committed_quantity": s.committed,
                            }
                        ],
                    }
                    for s in p.skus.values()
                    if not sku_ids or s.sku_id in sku_ids
                ],
            }
            for p in found
        ]
    }


ENDPOINTS = [
    Endpoint("POST", "/product/202309/products/search", search_products),
    Endpoint("GET", "/product/202309/products/{product_id}", get_product),
    Endpoint("POST", "/product/202309/products", create_product),
    Endpoint("POST", "/product/202309/products/{product_id}/partial_edit", partial_edit),
    Endpoint("POST", "/product/202309/products/activate", activate),
    Endpoint("POST", "/product/202309/products/deactivate", deactivate),
    Endpoint("POST", "/product/202309/products/{product_id}/inventory/update", update_inventory),
    Endpoint("POST", "/product/202309/products/{product_id}/prices/update", update_prices),
    Endpoint("POST", "/product/202309/inventory/search", inventory_search),
]
