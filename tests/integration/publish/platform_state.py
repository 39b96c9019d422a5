"""What a sandbox holds for a published product (read from the sandbox's own state, not through our
connector): its category, attribute ids, each variant's options by SKU, and whether its images are the
updated ones. One reader per platform whose product update sends categories, attributes and variants."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiostore.db.models import Listing
from tests.integration.sync.marketplace import Market

# Each platform's own words when a category's mandatory attribute is missing.
MANDATORY_REFUSAL = {
    "shopee": "[shopee:error_invalid_attribute] Mandatory attribute information required: ",
    "tiktokshop": "[tiktokshop:12052216] The product attribute [",
    "lazada": "CHK_BASIC_REQUIRED: ",
}
UPDATED_IMAGES = ("https://img.example/kaos-baru-1.jpg", "https://img.example/kaos-baru-2.jpg")


@dataclass(frozen=True)
class View:
    category: str
    attribute_ids: list[str]
    options: dict[str, list[str]]
    images_changed: bool


def _updated(sandbox: Any, images: Sequence[str]) -> bool:
    """Whether the product's images are the platform's uploads of UPDATED_IMAGES: the last images the
    sandbox stored (the update uploads them after the create's), named by id (Lazada: in its URL)."""
    last = list(sandbox.images.images)[-len(UPDATED_IMAGES) :]
    return [i.rsplit("/", 1)[-1].split(".")[0] for i in images] == last


def _product_id(listings: Sequence[Listing]) -> str:
    ids = {(x.platform_state or {}).get("product_id") or x.platform_item_id for x in listings}
    assert len(ids) == 1, ids
    return str(ids.pop())


def shopee(market: Market, listings: Sequence[Listing]) -> View:
    sandbox: Any = market.shops["shopee"].sandbox  # type: ignore[attr-defined]
    item = sandbox.catalog.items[int(_product_id(listings))]
    return View(
        category=str(item.category_id),
        attribute_ids=sorted(str(a["attribute_id"]) for a in item.attribute_list),
        options={
            m.model_sku: [t.options[i] for t, i in zip(item.tier_variation, m.tier_index, strict=True)]
            for m in item.models.values()
        },
        images_changed=_updated(sandbox, item.image_ids),
    )


def tiktokshop(market: Market, listings: Sequence[Listing]) -> View:
    sandbox: Any = market.shops["tiktokshop"].sandbox  # type: ignore[attr-defined]
    product = sandbox.catalog.products[_product_id(listings)]
    return View(
        category=product.category_id,
        attribute_ids=sorted(str(a["id"]) for a in product.product_attributes),
        options={s.seller_sku: [v for _, v in s.attributes] for s in product.skus.values()},
        images_changed=_updated(sandbox, product.images),
    )


def lazada(market: Market, listings: Sequence[Listing]) -> View:
    from aiostore.sandbox.lazada.routes_reference import TAXONOMY

    sandbox: Any = market.shops["lazada"].sandbox  # type: ignore[attr-defined]
    product = sandbox.catalog.products[int(_product_id(listings))]
    category = TAXONOMY.leaf(str(product.category_id))
    ids = {r.attribute.key: str(TAXONOMY.attribute_id(r.attribute)) for r in category.rules}
    return View(
        category=str(product.category_id),
        attribute_ids=sorted(ids[k] for k in product.attributes),
        options={s.seller_sku: list(s.sale_props.values()) for s in product.skus.values()},
        images_changed=_updated(sandbox, product.images),
    )


SANDBOX_VIEW: dict[str, Callable[[Market, Sequence[Listing]], View]] = {
    "shopee": shopee,
    "tiktokshop": tiktokshop,
    "lazada": lazada,
}
