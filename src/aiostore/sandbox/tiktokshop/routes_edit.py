"""Edit Product (PUT /product/202309/products/{product_id}, shopee-tiktokshop.md §B4): the full product
replaces the one held, checked like a create (the category's mandatory attributes, the brand); a SKU named
by `id` is kept (its price and stock set when given), one without an `id` is added, and a SKU left out is
deleted (refused while open orders hold its units). An ACTIVATE, PENDING or FAILED product goes to audit
again, as after a partial edit of its title.
"""

from __future__ import annotations

from typing import Any

from aiostore.sandbox.tiktokshop import errors
from aiostore.sandbox.tiktokshop.dispatch import Ctx, Endpoint
from aiostore.sandbox.tiktokshop.models import Sku
from aiostore.sandbox.tiktokshop.routes_product import AUDITED, _price, _product, _quantities, written
from aiostore.sandbox.tiktokshop.routes_reference import TAXONOMY, check_listing

FROZEN = frozenset({"DELETED", "FREEZE", "PLATFORM_DEACTIVATED"})


def edit_product(ctx: Ctx) -> dict[str, Any]:
    body, catalog = ctx.body, ctx.sandbox.catalog
    product = _product(ctx, ctx.path_params["product_id"])
    if product.status in FROZEN:
        raise errors.param(f"a {product.status} product cannot be edited")
    category = check_listing(body)
    title, description = body.required_text("title"), body.required_text("description")
    images = [image.required_text("uri") for image in body.objects("main_images", high=9)]
    if (foreign := ctx.sandbox.images.foreign(images, product.images)) is not None:
        raise errors.image_unknown(foreign)
    weight = body.object("package_weight")
    assert weight is not None  # noqa: S101 - required
    entries = body.objects("skus", high=ctx.sandbox.config.max_skus_per_product)
    skus: list[Sku] = []
    for entry in entries:
        attributes = [
            (a.required_text("name"), a.required_text("value_name"))
            for a in entry.objects("sales_attributes", required=len(entries) > 1, high=3)
        ]
        seller_sku = entry.text("seller_sku", required=False) or ""
        sku_id = entry.text("id", required=False)
        if sku_id is None:
            stock = sum(q for _, q in _quantities(ctx, entry))
            skus.append(catalog.new_sku(seller_sku, _price(ctx, entry), stock, attributes))
            continue
        held = product.skus.get(sku_id)
        if held is None:
            raise entry.fail(f"{entry.name('id')} is not a SKU of product {product.product_id}")
        price = _price(ctx, entry) if entry.has("price") else held.price
        quantity = sum(q for _, q in _quantities(ctx, entry)) if entry.has("inventory") else held.quantity
        skus.append(Sku(held.sku_id, seller_sku, price, quantity, held.committed, attributes))
    if len({tuple(s.attributes) for s in skus}) != len(skus):
        raise body.fail("every SKU must have its own sales attributes")
    kept = {s.sku_id for s in skus}
    if any(s.committed for s in product.skus.values() if s.sku_id not in kept):
        raise errors.param("a SKU with units in open orders cannot be deleted")
    for sku_id in product.skus.keys() - kept:
        catalog.sku_owner.pop(sku_id, None)
    for sku in skus:
        catalog.sku_owner[sku.sku_id] = product.product_id
    product.title, product.description, product.images = title, description, images
    product.category_id = str(TAXONOMY.id_of(category))
    product.weight_kg = weight.decimal_text("value")
    product.brand_id = body.text("brand_id", required=False) or ""
    product.product_attributes = body.data.get("product_attributes") or []
    product.skus = {s.sku_id: s for s in skus}
    if product.status in AUDITED:
        catalog.set_status(product, "PENDING", ctx.now)  # an edited listing is audited again
        ctx.sandbox.begin_review((product.shop_id, product.product_id), restore="ACTIVATE")
    product.update_time = ctx.now
    return written(product, skus)


ENDPOINTS = [Endpoint("PUT", "/product/202309/products/{product_id}", edit_product)]
