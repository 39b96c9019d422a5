"""The ``payload`` form field of Lazada's product writes: XML ``<Request><Product>…`` (lazada-tokopedia.md
§A4; Lazada also takes JSON of the same shape since 2022, XML is the documented original and what we send).

The XML is built from escaped text, never parsed here. Elements left out are left unchanged by Lazada.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from aiostore.connectors.dtos import ProductDraft, VariantDraft
from aiostore.connectors.lazada.mapping import money_to_lazada

PROLOG = '<?xml version="1.0" encoding="UTF-8"?>'


def element(name: str, value: object) -> str:
    return f"<{name}>{escape(str(value))}</{name}>"


def block(name: str, children: Iterable[str]) -> str:
    return f"<{name}>{''.join(children)}</{name}>"


def request(product_children: Iterable[str]) -> str:
    return PROLOG + block("Request", [block("Product", product_children)])


@dataclass(frozen=True, slots=True)
class SkuChange:
    """One ``<Sku>`` of /product/price_quantity/update: ItemId + SkuId, and what to set."""

    item_id: str
    sku_id: str
    price: str | None = None
    quantity: int | None = None


def price_quantity(changes: Sequence[SkuChange]) -> str:
    """Up to 50 SKUs of any products; Price and Quantity (the SKU's total stock) as given."""
    skus = []
    for change in changes:
        children = [element("ItemId", change.item_id), element("SkuId", change.sku_id)]
        if change.price is not None:
            children.append(element("Price", change.price))
        if change.quantity is not None:
            children.append(element("Quantity", change.quantity))
        skus.append(block("Sku", children))
    return request([block("Skus", skus)])


def _tag(name: str) -> str:
    """A sale-property name as an element name (Lazada's own are snake_case: ``color_family``)."""
    cleaned = "".join(c if c.isalnum() else "_" for c in name.strip().lower()).strip("_")
    return cleaned if cleaned and not cleaned[0].isdigit() else f"prop_{cleaned}"


def _sku(draft: ProductDraft, variant: VariantDraft | None) -> str:
    children = [element("SellerSku", variant.seller_sku if variant else draft.seller_sku)]
    if variant is not None:
        props = [element(_tag(n), v) for n, v in zip(draft.option_names, variant.option_values, strict=True)]
        children.append(block("saleProp", props))
    price = variant.price if variant else draft.price
    stock = variant.stock if variant else draft.stock
    children += [
        element("quantity", stock),
        element("price", money_to_lazada(price)),
        element("package_weight", draft.weight_kg),
        element("Status", "active" if draft.active else "inactive"),
    ]
    return block("Sku", children)


def create_product(draft: ProductDraft) -> str:
    attributes = [element("name", draft.name), element("description", draft.description)]
    attributes.append(element("brand_id", draft.brand_id) if draft.brand_id else element("brand", "No Brand"))
    for value in draft.attributes:
        texts = [*value.value_ids, *(f"{t} {value.unit}".strip() for t in value.texts)]
        attributes.append(element(value.key or value.attribute_id, ",".join(texts)))
    children = [
        element("PrimaryCategory", draft.category_id),
        block("Images", [element("Image", url) for url in draft.image_ids]),
        block("Attributes", attributes),
    ]
    if draft.variants:
        variations = []
        for n, name in enumerate(draft.option_names, start=1):
            options = list(dict.fromkeys(v.option_values[n - 1] for v in draft.variants))
            variations.append(
                block(
                    f"Variation{n}",
                    [
                        element("name", _tag(name)),
                        element("hasImage", "false"),
                        element("customize", "true"),
                        block("options", [element("option", o) for o in options]),
                    ],
                )
            )
        children.append(block("variation", variations))
        children.append(block("Skus", [_sku(draft, v) for v in draft.variants]))
    else:
        children.append(block("Skus", [_sku(draft, None)]))
    return request(children)


@dataclass(frozen=True, slots=True)
class SkuEdit:
    sku_id: str
    seller_sku: str | None = None
    status: str | None = None  # "active" | "inactive"
    package_weight: str | None = None


def update_product(
    item_id: str, *, name: str | None, description: str | None, skus: Sequence[SkuEdit]
) -> str:
    """/product/update for one product: the attributes and SKU fields given, nothing else."""
    children = [element("ItemId", item_id)]
    attributes = []
    if name is not None:
        attributes.append(element("name", name))
    if description is not None:
        attributes.append(element("description", description))
    if attributes:
        children.append(block("Attributes", attributes))
    sku_blocks = []
    for sku in skus:
        fields = [element("SkuId", sku.sku_id)]
        if sku.seller_sku is not None:
            fields.append(element("SellerSku", sku.seller_sku))
        if sku.status is not None:
            fields.append(element("Status", sku.status))
        if sku.package_weight is not None:
            fields.append(element("package_weight", sku.package_weight))
        sku_blocks.append(block("Sku", fields))
    if sku_blocks:
        children.append(block("Skus", sku_blocks))
    return request(children)
