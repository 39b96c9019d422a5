"""The ``payload`` form field of Lazada's product writes: XML ``<Request><Product>…`` (lazada-tokopedia.md
§A4; Lazada also takes JSON of the same shape since 2022, XML is the documented original and what we send).

The XML is built from escaped text, never parsed here. Elements left out are left unchanged by Lazada.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from aiostore.connectors.dtos import AttributeValue, ProductDraft, VariantDraft
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
    attributes += [_attribute(value) for value in draft.attributes]
    children = [
        element("PrimaryCategory", draft.category_id),
        block("Images", [element("Image", url) for url in draft.image_ids]),
        block("Attributes", attributes),
    ]
    if draft.variants:
        children.append(_variation(draft.option_names, [v.option_values for v in draft.variants]))
        children.append(block("Skus", [_sku(draft, v) for v in draft.variants]))
    else:
        children.append(block("Skus", [_sku(draft, None)]))
    return request(children)


@dataclass(frozen=True, slots=True)
class SkuEdit:
    """One ``<Sku>`` of /product/update: an existing SKU by ``sku_id``, or a new one (``sku_id`` "", with
    its SellerSku, price and quantity)."""

    sku_id: str
    seller_sku: str | None = None
    status: str | None = None  # "active" | "inactive"
    package_weight: str | None = None
    sale_props: Sequence[tuple[str, str]] | None = None  # (option name, value)
    price: str | None = None
    quantity: int | None = None


@dataclass(frozen=True, slots=True)
class ProductEdit:
    """What /product/update changes besides SKUs: None leaves a field as it is."""

    name: str | None = None
    description: str | None = None
    category_id: str | None = None
    images: Sequence[str] | None = None
    attributes: Sequence[AttributeValue] | None = None
    brand_id: str | None = None


def _given(*pairs: tuple[str, object]) -> list[str]:
    """The elements whose value is given (not None), in order."""
    return [element(name, value) for name, value in pairs if value is not None]


def _attribute(value: AttributeValue) -> str:
    texts = [*value.value_ids, *(f"{t} {value.unit}".strip() for t in value.texts)]
    return element(value.key or value.attribute_id, ",".join(texts))


def _variation(option_names: Sequence[str], values: Sequence[Sequence[str]]) -> str:
    variations = []
    for n, name in enumerate(option_names, start=1):
        options = list(dict.fromkeys(v[n - 1] for v in values))
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
    return block("variation", variations)


def update_product(
    item_id: str,
    edit: ProductEdit,
    skus: Sequence[SkuEdit],
    option_names: Sequence[str] = (),
) -> str:
    """/product/update for one product: the fields and SKUs given, nothing else."""
    children = [element("ItemId", item_id)]
    if edit.category_id is not None:
        children.append(element("PrimaryCategory", edit.category_id))
    if edit.images is not None:
        children.append(block("Images", [element("Image", url) for url in edit.images]))
    attributes = _given(("name", edit.name), ("description", edit.description), ("brand_id", edit.brand_id))
    attributes += [_attribute(a) for a in edit.attributes or ()]
    if attributes:
        children.append(block("Attributes", attributes))
    props = [sku.sale_props for sku in skus if sku.sale_props]
    if option_names and props:
        children.append(_variation(option_names, [[v for _, v in p] for p in props]))
    sku_blocks = []
    for sku in skus:
        fields = _given(("SkuId", sku.sku_id or None), ("SellerSku", sku.seller_sku))
        if sku.sale_props:
            fields.append(block("saleProp", [element(_tag(n), v) for n, v in sku.sale_props]))
        fields += _given(
            ("quantity", sku.quantity),
            ("price", sku.price),
            ("Status", sku.status),
            ("package_weight", sku.package_weight),
        )
        sku_blocks.append(block("Sku", fields))
    if sku_blocks:
        children.append(block("Skus", sku_blocks))
    return request(children)
