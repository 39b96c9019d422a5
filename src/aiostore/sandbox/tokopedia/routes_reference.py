"""Reference data (listings-and-categories.md §B): the category tree (nested ``categories[{name, id, child}]``
in Bahasa Indonesia, ``keyword`` keeps the branches whose names hold it) and a category's annotations
(``[{variant, sort_order, values[{id, name, data}]}]``, its select attributes; Tokopedia publishes no
mandatory flag and no brand list). Create refuses a category that is not a deepest child (`leaf_category`)
and `annotations` (value ids) that miss a mandatory annotation of the category or are not its own
(`annotation_refusal`; docs/marketplaces/tokopedia.md).
The shop's active shipping products (`active_info`); create refuses one that is not (`shipping_refusal`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from aiostore.sandbox.common.taxonomy import Attribute, Category, IdScheme, PlatformTaxonomy, check
from aiostore.sandbox.tokopedia import errors
from aiostore.sandbox.tokopedia.dispatch import Ctx, Endpoint
from aiostore.sandbox.tokopedia.models import COURIERS

TAXONOMY = PlatformTaxonomy(
    IdScheme(4000, (1759, 1828, 1807, 3412, 2137), attribute_base=500, value_base=10000, brand_base=1)
)


def _node(category: Category, keyword: str) -> dict[str, Any] | None:
    children = [TAXONOMY.tree.categories[c] for c in category.children]
    kept = [n for n in (_node(c, keyword) for c in children) if n is not None]
    own = keyword in category.name[1].casefold()
    if not own and not kept:
        return None
    node: dict[str, Any] = {"name": category.name[1], "id": TAXONOMY.id_of(category)}
    if children:
        node["child"] = [_node(c, "") for c in children] if own else kept
    return node


def categories(ctx: Ctx) -> dict[str, Any]:
    keyword = (ctx.text("keyword") or "").casefold()
    roots = (_node(c, keyword) for c in TAXONOMY.tree.categories if c.parent is None)
    return {"categories": [n for n in roots if n is not None]}


def category_annotations(ctx: Ctx) -> list[dict[str, Any]]:
    cat_id = ctx.required("cat_id", code="PRD_API_010", low=1)
    category = TAXONOMY.leaf(cat_id)
    if category is None:
        raise errors.not_found("PRD_API_011", f"category {cat_id} is not a leaf category")
    return [
        {
            "variant": rule.attribute.name[1],
            "sort_order": n,
            "values": [
                {"id": TAXONOMY.value_id(rule.attribute, i), "name": v[1], "data": v[0]}
                for i, v in enumerate(rule.attribute.values)
            ],
        }
        for n, rule in enumerate(r for r in category.rules if r.attribute.selects)
    ]


# The shop's active shipping products (lazada-tokopedia.md, listings-and-categories.md §C "Tokopedia"):
# one shipment per courier of the sandbox's orders, its service as a package; SiCepat's is unavailable.
SHIPPING_PRODUCTS = {n + 1: (courier, service) for n, (courier, service) in enumerate(COURIERS)}
UNAVAILABLE = frozenset({3})


def active_info(ctx: Ctx) -> dict[str, Any]:
    """GET /v1/logistic/fs/{fs_id}/active-info?shop_id → `Shops[{ShopID, ShipmentInfos[{ShipmentID,
    ShipmentName, ShipmentPackages[{IsAvailable, ProductName, ShippingProductID}]}]}]`."""
    infos = [
        {
            "ShipmentID": product_id * 10,
            "ShipmentName": courier,
            "ShipmentPackages": [
                {
                    "IsAvailable": product_id not in UNAVAILABLE,
                    "ProductName": service,
                    "ShippingProductID": product_id,
                }
            ],
        }
        for product_id, (courier, service) in SHIPPING_PRODUCTS.items()
    ]
    return {"Shops": [{"ShopID": ctx.shop.shop_id, "ShipmentInfos": infos}]}


def shipping_refusal(ids: object) -> str:
    """Why a create's `custom_product_logistics` cannot be used ("" when it can)."""
    if ids is None:
        return ""
    usable = set(SHIPPING_PRODUCTS) - UNAVAILABLE
    if not isinstance(ids, list) or not all(isinstance(i, int) and i in usable for i in ids):
        return f"custom_product_logistics must list active shipping products of the shop: {sorted(usable)}"
    return ""


def leaf_category(category_id: int) -> bool:
    return TAXONOMY.leaf(category_id) is not None


def annotation_refusal(category_id: int, ids: object) -> str:
    """Why a create's `annotations` (value ids of Get Product Annotation by Category ID) cannot be used
    with this leaf ("" when they can): an id that is not one of the category's annotation values, two
    values of one annotation, or a mandatory annotation left without a value. Only annotations (select
    attributes) are checked: a create has no field for the others."""
    category = TAXONOMY.leaf(category_id)
    if category is None:
        return ""
    if ids is None:
        ids = []
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        return "annotations must be a list of annotation value ids"
    selects = tuple(r for r in category.rules if r.attribute.selects)
    given: dict[Attribute, list[str]] = {}
    for value_id in ids:
        found = next(
            ((r.attribute, words) for r in selects if (words := TAXONOMY.value(r.attribute, value_id))), None
        )
        if found is None:
            return f"annotation {value_id} is not an annotation of category_id {category_id}"
        given.setdefault(found[0], []).append(found[1][1])
    problem = check(
        TAXONOMY.tree, dataclasses.replace(category, rules=selects), given, None, brand_rules=False
    )
    if problem is None or problem.attribute is None:
        return ""
    label = problem.attribute.name[1]
    if problem.kind == "attribute_missing":
        return f"annotation {label} is mandatory for category_id {category_id}"
    return f"annotation {label} takes one value, not {problem.value}"


ENDPOINTS = [
    Endpoint("GET", "/inventory/v1/fs/{fs_id}/product/category", categories),
    Endpoint("GET", "/v1/fs/{fs_id}/product/annotation", category_annotations),
    Endpoint("GET", "/v1/logistic/fs/{fs_id}/active-info", active_info, shop="query"),
]
