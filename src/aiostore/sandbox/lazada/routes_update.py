"""Changing a product (lazada-tokopedia.md §A4): /product/update (one product, `ItemId` required; what the
payload leaves out is left as it is) and /product/remove (SKUs by `seller_sku_list`, at most 50; a product
whose last SKU goes is deleted).

An update may name a new `PrimaryCategory`, `Images`, the category's attributes by key and `brand_id`: the
product as it would be (each taken from the product when the payload leaves it out) passes the category's
rules like a create, with a create's errors, and keeps only the attributes of its category. A `<Sku>` with a
`SkuId` changes that SKU (SellerSku, Status, package_weight, saleProp); one without is a new SKU of the
product. A change of name, description, category, images or attributes sends the product through QC again.
"""

from __future__ import annotations

import json

from aiostore.sandbox.lazada import errors
from aiostore.sandbox.lazada.dispatch import Ctx, Endpoint, Reply, endpoint
from aiostore.sandbox.lazada.params import as_list, payload, product_of, skus_of
from aiostore.sandbox.lazada.routes_product import (
    PENDING_QC,
    _not_found,
    new_sku,
    obj,
    seller_status,
)
from aiostore.sandbox.lazada.routes_reference import category_values, check_listing

_TEXTS = ("name", "description")


def product_update(ctx: Ctx) -> Reply:
    tree = product_of(payload(ctx.params.required("payload")))
    seller, catalog = ctx.seller, ctx.sandbox.catalog
    item_id = str(tree.get("ItemId") or "")
    if not item_id:
        raise errors.business("1", "E001: Parameter ItemId is mandatory")
    product = catalog.get(seller.seller_id, int(item_id)) if item_id.isdigit() else None
    if product is None or product.status == "Deleted":
        raise _not_found(item_id)
    changes = []
    added = []
    seen: set[str] = set()
    for entry in skus_of(tree):
        sku_id = str(entry.get("SkuId") or "")
        if not sku_id:
            added.append(new_sku(ctx, entry, seen))
            continue
        if not sku_id.isdigit() or int(sku_id) not in product.skus:
            raise errors.business("4216", f"skuId is a mandatory field and must be a SKU of item {item_id}")
        sku = product.skus[int(sku_id)]
        new_name = entry.get("SellerSku")
        if new_name and new_name != sku.seller_sku:
            other = catalog.sku_by_seller_sku(seller.seller_id, str(new_name))
            if other is not None and other[1] is not sku:
                raise errors.business(
                    "4105", f"BIZ_CHECK_SELLER_SKU_DUPLICATE: SellerSku {new_name!r} repeat"
                )
        status = entry.get("Status")
        if status is not None and str(status).lower() not in ("active", "inactive"):
            raise errors.invalid("Status", "active or inactive")
        changes.append((sku, entry, new_name, status))
    attributes = obj(tree.get("Attributes"))
    if "name" in attributes and not attributes["name"]:
        raise errors.business("4108", "CHK_BASIC_REQUIRED: name")
    others = {k: v for k, v in attributes.items() if k not in _TEXTS}
    category = product.category_id
    brand = None
    if "PrimaryCategory" in tree or others:
        given = str(tree.get("PrimaryCategory") or product.category_id)
        if not given.isdigit():
            raise errors.business("201", f"E201: {given!r} Invalid CategoryId")
        merged = product.attributes | {"brand_id": product.brand_id} | others
        brand = check_listing(given, merged)
        category, others = int(given), merged
    images = [str(i) for i in as_list(obj(tree.get("Images")).get("Image"))] if "Images" in tree else None
    if images is not None and not images:
        raise errors.business("4139", "BIZ_CHECK_MAIN_IMAGE_REQUIRE: Main image is require")
    if images is not None and (foreign := ctx.sandbox.images.foreign(images, product.images)) is not None:
        raise errors.image_foreign(foreign)
    content = {"name": product.name, "description": product.description}
    content |= {k: str(attributes[k] or "") for k in content if k in attributes}
    kept = category_values(category, others) if others or category != product.category_id else None
    reviewed = (
        (content["name"], content["description"]) != (product.name, product.description)
        or category != product.category_id
        or (images is not None and images != product.images)
        or (kept is not None and kept != product.attributes)
    )
    product.name, product.description, product.category_id = content["name"], content["description"], category
    if images is not None:
        product.images = images
    if kept is not None:
        product.attributes = kept
        product.brand_id = str(others.get("brand_id") or "")
        product.brand = brand or product.brand
    for sku, entry, new_name, status in changes:
        if new_name:
            catalog.rename_sku(product, sku, str(new_name))
        if status is not None:
            sku.status = str(status).lower()
        if entry.get("package_weight"):
            sku.package_weight = str(entry["package_weight"])
        if isinstance(entry.get("saleProp"), dict):
            sku.sale_props = {str(k): str(v) for k, v in entry["saleProp"].items()}
    for sku in added:
        product.skus[sku.sku_id] = sku
        catalog.index_sku(product, sku)
    if reviewed or product.status == PENDING_QC:  # a changed content goes through QC again
        catalog.set_status(product, PENDING_QC)
        ctx.sandbox.begin_review((seller.seller_id, product.item_id), restore=seller_status(product))
    else:
        catalog.set_status(product, seller_status(product))
    product.updated_ms = ctx.now * 1000
    return Reply({"item_status": product.status})


def product_remove(ctx: Ctx) -> Reply:
    seller, catalog = ctx.seller, ctx.sandbox.catalog
    try:
        names = json.loads(ctx.params.required("seller_sku_list"))
    except ValueError:
        names = None
    if not isinstance(names, list) or not names or len(names) > 50:
        raise errors.invalid("seller_sku_list", "a JSON array of 1 to 50 seller SKUs")
    found = []
    for name in names:
        hit = catalog.sku_by_seller_sku(seller.seller_id, str(name))
        if hit is None:
            raise errors.business("208", f"E208: SellerSku {name!r} not found")
        if hit[1].reserved:
            raise errors.business("4152", f"SellerSku {name!r} has stock locked by open orders")
        found.append(hit)
    for product, sku in found:
        catalog.remove_sku(product, sku)
        if not product.skus:
            catalog.set_status(product, "Deleted")
        product.updated_ms = ctx.now * 1000
    return Reply({})


ENDPOINTS: list[Endpoint] = [
    endpoint("POST", "/product/update", product_update),
    endpoint("POST", "/product/remove", product_remove),
]
