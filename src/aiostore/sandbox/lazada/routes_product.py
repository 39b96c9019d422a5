"""Product endpoints (lazada-tokopedia.md §A4 product rows, §A9 money; Lazada's API reference):
/products/get (filter required, limit ≤ 50, offset ≤ 10000, SKUs inline), /product/item/get, /product/create
and /product/update (one product, XML or JSON ``payload``), /product/price_quantity/update (≤ 50 SKUs of any
products; SKUs refused are listed in ``detail`` under code 501, the others are applied).
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from aiostore.sandbox.common import parse_major, to_major
from aiostore.sandbox.lazada import errors
from aiostore.sandbox.lazada.catalog import FILTERS, TimeFilter
from aiostore.sandbox.lazada.dispatch import Ctx, Endpoint, Reply, endpoint
from aiostore.sandbox.lazada.errors import LazadaError
from aiostore.sandbox.lazada.models import Product, Seller, Sku
from aiostore.sandbox.lazada.params import as_list, payload, product_of, skus_of
from aiostore.sandbox.lazada.routes_reference import category_values, check_listing

_TLD = {"ID": "co.id", "SG": "sg", "MY": "com.my"}


def obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def pick(entry: dict[str, Any], *names: str) -> Any:
    return next((entry[n] for n in names if entry.get(n) not in (None, "")), None)


def sku_json(product: Product, sku: Sku, seller: Seller) -> dict[str, Any]:
    exponent = seller.market.exponent
    return {
        "Status": sku.status,
        "quantity": sku.quantity,
        "Available": sku.sellable,
        "SellerSku": sku.seller_sku,
        "ShopSku": product.shop_sku(sku, seller.country),
        "SkuId": sku.sku_id,
        "Url": f"https://www.lazada.{_TLD[seller.country]}/-i{product.item_id}-s{sku.sku_id}.html",
        "price": to_major(sku.price, exponent),
        "special_price": to_major(sku.special_price, exponent) if sku.special_price else 0.0,
        "saleProp": dict(sku.sale_props),
        "multiWarehouseInventories": [
            {
                "warehouseCode": "dropshipping",
                "quantity": sku.quantity,
                "totalQuantity": sku.quantity,
                "withholdQuantity": sku.withhold,
                "occupyQuantity": sku.occupy,
                "sellableQuantity": sku.sellable,
            }
        ],
        "fblWarehouseInventories": [],
        "package_weight": sku.package_weight,
        "package_length": "10.00",
        "package_width": "10.00",
        "package_height": "10.00",
        "Images": [],
    }


def product_json(product: Product, seller: Seller) -> dict[str, Any]:
    names = list(dict.fromkeys(k for s in product.skus.values() for k in s.sale_props))
    return {
        "item_id": product.item_id,
        "primary_category": product.category_id,
        "attributes": {"name": product.name, "description": product.description, "brand": product.brand}
        | ({"brand_id": product.brand_id} if product.brand_id else {})
        | product.attributes,
        "skus": [sku_json(product, s, seller) for s in product.skus.values()],
        "status": product.status,
        "rejectReason": list(product.reject_reasons),
        "created_time": str(product.created_ms),
        "updated_time": str(product.updated_ms),
        "images": list(product.images),
        "marketImages": [],
        "variation": {f"Variation{n}": {"name": name} for n, name in enumerate(names, start=1)},
        "trialProduct": False,
    }


def products_get(ctx: Ctx) -> Reply:
    p, config = ctx.params, ctx.sandbox.config
    name = p.required("filter")
    if name not in FILTERS:
        raise errors.business("36", "E036: Invalid status filter")
    offset = p.integer(
        "offset",
        0,
        high=config.product_offset_max,
        error=errors.business("14", f'E014: "{p.text("offset")}" Invalid Offset'),
    )
    limit = p.integer(
        "limit",
        20,
        low=1,
        high=config.product_page_max,
        error=errors.business("19", f'E019: "{p.text("limit")}" Invalid Limit'),
    )
    bad_date = errors.business("17", "E017: Invalid Date Format")
    ms = {k: p.date(k, bad_date) for k in ("create_after", "create_before", "update_after", "update_before")}
    times = TimeFilter(*(None if v is None else v * 1000 for v in ms.values()))
    items, total = ctx.sandbox.catalog.page(ctx.seller.seller_id, name, offset, limit, times)
    wanted = p.text("sku_seller_list")
    if wanted is not None:
        try:
            skus = {str(s).lower() for s in json.loads(wanted)}
        except (ValueError, TypeError):
            raise errors.business("70", "E070: You have corrupt data in your sku seller list.") from None
        found = [
            x
            for x in ctx.sandbox.catalog.of_seller(ctx.seller.seller_id)
            if any(s.seller_sku.lower() in skus for s in x.skus.values())
        ]
        items, total = found[offset : offset + limit], len(found)
    return Reply({"total_products": total, "products": [product_json(x, ctx.seller) for x in items]})


def _not_found(what: str) -> LazadaError:
    return errors.business(
        "4137", f"The item id entered in the request does not exist on the current country and store ({what})"
    )


def product_item_get(ctx: Ctx) -> Reply:
    item_id, seller_sku = ctx.params.text("item_id"), ctx.params.text("seller_sku")
    catalog, seller = ctx.sandbox.catalog, ctx.seller
    if item_id is not None:
        product = catalog.get(seller.seller_id, int(item_id)) if item_id.isdigit() else None
    elif seller_sku is not None:
        found = catalog.sku_by_seller_sku(seller.seller_id, seller_sku)
        product = found[0] if found else None
    else:
        raise errors.missing("item_id")
    if product is None or product.status == "Deleted":
        raise _not_found(item_id or seller_sku or "")
    return Reply(product_json(product, seller))


def minor(value: Any, seller: Seller, field: str) -> int:
    try:
        amount = parse_major(Decimal(str(value).strip()), seller.market.exponent)
    except (ValueError, InvalidOperation):
        raise errors.business(
            "4104", f"BIZ_CHECK_PRICE_PRECISION_INVALID: {field} {value!r} for {seller.market.currency}"
        ) from None
    if amount <= 0:
        raise errors.business("4118", f"BIZ_CHECK_PRICE_IS_ZERO: {field} must be above zero")
    return amount


def quantity(value: Any) -> int:
    text = str(value).strip()
    if not text.lstrip("-").isdigit() or int(text) < 0:
        raise errors.business("4152", "THD_INVENTORY_ERR_INV_PARAM_ILLEGAL:illegal parameter:quantity")
    return int(text)


def new_sku(ctx: Ctx, entry: dict[str, Any], seen: set[str]) -> Sku:
    """A new SKU of a create or update payload; its SellerSku must be new to the seller (and `seen`)."""
    seller, catalog = ctx.seller, ctx.sandbox.catalog
    seller_sku = str(entry.get("SellerSku") or "")
    if (
        not seller_sku
        or seller_sku.lower() in seen
        or catalog.sku_by_seller_sku(seller.seller_id, seller_sku)
    ):
        raise errors.business(
            "4105", f"BIZ_CHECK_SELLER_SKU_DUPLICATE: SellerSku {seller_sku!r} repeat or empty"
        )
    seen.add(seller_sku.lower())
    return Sku(
        sku_id=catalog.new_sku_id(),
        seller_sku=seller_sku,
        price=minor(pick(entry, "price", "Price"), seller, "price"),
        quantity=quantity(pick(entry, "quantity", "Quantity") or 0),
        status=str(entry.get("Status") or "active").lower(),
        sale_props={str(k): str(v) for k, v in obj(entry.get("saleProp")).items()},
        package_weight=str(entry.get("package_weight") or "0.5"),
    )


def product_create(ctx: Ctx) -> Reply:
    tree = product_of(payload(ctx.params.required("payload")))
    seller, catalog = ctx.seller, ctx.sandbox.catalog
    attributes = obj(tree.get("Attributes"))
    category = str(tree.get("PrimaryCategory") or "")
    if not category.isdigit():
        raise errors.business("201", f"E201: {category!r} Invalid CategoryId")
    brand = check_listing(category, attributes)
    if not attributes.get("name"):
        raise errors.business("1", "E001: Parameter name is mandatory")
    images = [str(i) for i in as_list(obj(tree.get("Images")).get("Image"))]
    if not images:
        raise errors.business("4139", "BIZ_CHECK_MAIN_IMAGE_REQUIRE: Main image is require")
    if (foreign := ctx.sandbox.images.foreign(images)) is not None:
        raise errors.image_foreign(foreign)
    entries = skus_of(tree)
    if not entries:
        raise errors.business("1", "E001: Parameter Skus is mandatory")
    skus: dict[int, Sku] = {}
    seen: set[str] = set()
    for entry in entries:
        sku = new_sku(ctx, entry, seen)
        skus[sku.sku_id] = sku
    ms = ctx.now * 1000
    product = Product(
        item_id=catalog.new_item_id(),
        seller_id=seller.seller_id,
        name=str(attributes["name"]),
        description=str(attributes.get("description") or ""),
        category_id=int(category),
        status=PENDING_QC,
        created_ms=ms,
        updated_ms=ms,
        images=images,
        skus=skus,
        brand=brand or str(attributes.get("brand") or "No Brand"),
        brand_id=str(attributes.get("brand_id") or ""),
        attributes=category_values(int(category), attributes),
    )
    catalog.add(product)
    ctx.sandbox.begin_review((seller.seller_id, product.item_id), restore=seller_status(product))
    sku_list = [
        {"seller_sku": s.seller_sku, "shop_sku": product.shop_sku(s, seller.country), "sku_id": s.sku_id}
        for s in skus.values()
    ]
    return Reply({"item_id": product.item_id, "sku_list": sku_list, "item_status": product.status})


PENDING_QC = "Pending QC"


def seller_status(product: Product) -> str:
    """The status the seller's SKU switches give the product (what QC approval leaves it in)."""
    return "Active" if any(s.status == "active" for s in product.skus.values()) else "InActive"


def _sku_change(ctx: Ctx, entry: dict[str, Any]) -> tuple[Product, Sku, int | None, int | None]:
    """(product, SKU, new price, new quantity) of one ``<Sku>``; raises a message for ``detail``."""
    catalog, seller = ctx.sandbox.catalog, ctx.seller
    item_id, sku_id, seller_sku = (str(entry.get(k) or "") for k in ("ItemId", "SkuId", "SellerSku"))
    if item_id and sku_id:
        found = catalog.sku(seller.seller_id, int(sku_id)) if sku_id.isdigit() else None
        if found is None or str(found[0].item_id) != item_id:
            raise ValueError(f"ItemId {item_id} SkuId {sku_id} is not found in this store")
    elif seller_sku:
        found = catalog.sku_by_seller_sku(seller.seller_id, seller_sku)
        if found is None:
            raise ValueError(f"SellerSku {seller_sku} is not found in this store")
    else:
        raise ValueError("ItemId and SkuId, or SellerSku, are required")
    product, sku = found
    raw_quantity = pick(entry, "Quantity", "quantity")
    warehouses = entry.get("MultiWarehouseInventories")
    if raw_quantity is None and isinstance(warehouses, dict):
        for inventory in as_list(warehouses.get("MultiWarehouseInventory")):
            if str(inventory.get("WarehouseCode", "")).lower() == "dropshipping":
                raw_quantity = inventory.get("Quantity")
    try:
        price = (
            None
            if pick(entry, "Price", "price") is None
            else minor(pick(entry, "Price", "price"), seller, "Price")
        )
        new_quantity = None if raw_quantity is None else quantity(raw_quantity)
    except errors.LazadaError as exc:
        raise ValueError(exc.message) from None
    if new_quantity is not None and new_quantity < sku.reserved:
        raise ValueError(
            f"Quantity {new_quantity} is less than the locked stock {sku.reserved} (withhold + occupy)"
        )
    if price is not None and sku.special_price and sku.special_price >= price:
        raise ValueError("BIZ_CHECK_SPECIAL_PRICE_RATE_OUT_OF_RANGE: SalePrice must be lower than Price")
    return product, sku, price, new_quantity


def price_quantity_update(ctx: Ctx) -> Reply:
    entries = skus_of(product_of(payload(ctx.params.required("payload"))))
    if not entries:
        raise errors.business("30", "E030: Empty Request")
    if len(entries) > ctx.sandbox.config.sku_batch_max:
        raise errors.business(
            "4171",
            "The updated SKU quantity exceeds the maximum number 50, "
            "please do not update more than 50 SKUs at once",
        )
    failures: list[dict[str, Any]] = []
    for entry in entries:
        try:
            product, sku, price, new_quantity = _sku_change(ctx, entry)
        except ValueError as exc:
            failures.append(
                {
                    "field": "Sku",
                    "message": str(exc),
                    "seller_sku": str(entry.get("SellerSku") or ""),
                    "item_id": str(entry.get("ItemId") or ""),
                    "sku_id": str(entry.get("SkuId") or ""),
                }
            )
            continue
        if price is not None:
            sku.price = price
        if new_quantity is not None and not ctx.sandbox.stock_locked(product.item_id, sku.sku_id):
            sku.quantity = new_quantity  # a promotion's lock: accepted, not applied
        product.updated_ms = ctx.now * 1000
    if failures:
        raise errors.business("501", "Update product failed", failures)
    return Reply()


ENDPOINTS: list[Endpoint] = [
    endpoint("GET", "/products/get", products_get),
    endpoint("GET", "/product/item/get", product_item_get),
    endpoint("POST", "/product/create", product_create),
    endpoint("POST", "/product/price_quantity/update", price_quantity_update),
]
