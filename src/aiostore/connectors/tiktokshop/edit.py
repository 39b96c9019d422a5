"""Edit Product (PUT /product/202309/products/{id}, shopee-tiktokshop.md §B4): the full product, as a
create sends it, replacing the one on TikTok. An update that changes the category, attributes, brand,
images or SKUs goes this way; every field it does not change is carried over from the product's detail
(read just before). A SKU the body names by id is kept, one without an id is added, and an existing SKU
the body leaves out is deleted.
"""

from __future__ import annotations

from typing import Any

from aiostore.connectors import dtos
from aiostore.connectors.tiktokshop.mapping import dimensions_body, price_body

JSON = dict[str, Any]


def needs_edit(update: dtos.ProductUpdate) -> bool:
    """True when the update changes what only a full edit changes."""
    return any(
        v is not None
        for v in (update.category_id, update.attributes, update.brand_id, update.image_ids, update.variants)
    )


def _attributes(attributes: tuple[dtos.AttributeValue, ...]) -> list[JSON]:
    return [
        {
            "id": a.attribute_id,
            "values": [{"id": v} for v in a.value_ids] + [{"name": f"{t} {a.unit}".strip()} for t in a.texts],
        }
        for a in attributes
    ]


def _carried_attributes(detail: JSON) -> list[JSON]:
    out = []
    for a in detail.get("product_attributes") or ():
        values = [
            {"id": str(v["id"])} if v.get("id") else {"name": str(v.get("name") or "")}
            for v in a.get("values") or ()
        ]
        out.append({"id": str(a.get("id") or ""), "values": values})
    return out


def _inventory(quantity: int, warehouse_id: str | None) -> list[JSON]:
    entry: JSON = {"quantity": quantity}
    if warehouse_id:
        entry["warehouse_id"] = warehouse_id
    return [entry]


def _carried_skus(detail: JSON) -> list[JSON]:
    return [
        {
            "id": str(s.get("id") or ""),
            "seller_sku": s.get("seller_sku") or "",
            "price": {k: v for k, v in (s.get("price") or {}).items() if k in ("amount", "currency")},
            "inventory": [
                {"warehouse_id": i.get("warehouse_id"), "quantity": i.get("quantity") or 0}
                for i in s.get("inventory") or ()
            ],
            "sales_attributes": [
                {"name": a.get("name") or "", "value_name": a.get("value_name") or ""}
                for a in s.get("sales_attributes") or ()
            ],
        }
        for s in detail.get("skus") or ()
    ]


def _skus(update: dtos.ProductUpdate, warehouse_id: str | None) -> list[JSON]:
    skus = []
    for v in update.variants or ():
        sku: JSON = {
            "seller_sku": v.seller_sku,
            "price": price_body(v.price),
            "inventory": _inventory(v.stock, warehouse_id),
        }
        if v.variant_id not in ("", "0"):
            sku["id"] = v.variant_id
        if len(update.variants or ()) > 1:
            sku["sales_attributes"] = [
                {"name": name, "value_name": value}
                for name, value in zip(update.option_names, v.option_values, strict=True)
            ]
        skus.append(sku)
    return skus


def edit_body(update: dtos.ProductUpdate, detail: JSON, warehouse_id: str | None) -> JSON:
    """The full product: the update's fields, the rest as the product's detail has them."""
    chains = detail.get("category_chains") or []
    weight = detail.get("package_weight") or {}
    brand = detail.get("brand") or {}
    body: JSON = {
        "title": update.name if update.name is not None else detail.get("title") or "",
        "description": update.description
        if update.description is not None
        else detail.get("description") or "",
        "category_id": update.category_id
        if update.category_id is not None
        else str(chains[-1].get("id") or "")
        if chains
        else "",
        "main_images": [{"uri": i} for i in update.image_ids]
        if update.image_ids is not None
        else [{"uri": i.get("uri")} for i in detail.get("main_images") or ()],
        "package_weight": {"value": str(update.weight_kg), "unit": "KILOGRAM"}
        if update.weight_kg is not None
        else {"value": str(weight.get("value") or "0"), "unit": weight.get("unit") or "KILOGRAM"},
        "skus": _skus(update, warehouse_id) if update.variants is not None else _carried_skus(detail),
        "product_attributes": _attributes(update.attributes)
        if update.attributes is not None
        else _carried_attributes(detail),
    }
    brand_id = update.brand_id if update.brand_id is not None else brand.get("id")
    if brand_id:
        body["brand_id"] = str(brand_id)
    if update.dimensions_cm is not None:
        body["package_dimensions"] = dimensions_body(update.dimensions_cm)
    return body
