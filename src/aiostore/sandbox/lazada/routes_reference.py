"""Reference data (listings-and-categories.md §B, §C): category/tree/get (nested, `language_code` en_US or
id_ID), category/attributes/get (`name` is the payload key, `label` the shown name, `is_mandatory` 0/1,
`input_type` singleSelect, multiSelect, text, numeric, date; `name`, `description` and `brand` come first),
category/brands/query (one country-wide list, `startRow` + `pageSize` 1-200) and image/upload (multipart
`image`, left out of the signature: ≤ 3 MB, 330-5000 px, jpg/png). product/create's checks of category,
attributes and brand (`check_listing`).
"""

from __future__ import annotations

from typing import Any

from aiostore.sandbox.common.taxonomy import Attribute, Category, IdScheme, PlatformTaxonomy, check
from aiostore.sandbox.lazada import errors
from aiostore.sandbox.lazada.dispatch import Ctx, Endpoint, Reply, endpoint

TAXONOMY = PlatformTaxonomy(
    IdScheme(
        10010000,
        (8707, 10002019, 3008, 4402, 6614),
        attribute_base=90000,
        value_base=200000,
        brand_base=30000,
    )
)
_INPUT = {
    "single_select": "singleSelect",
    "multi_select": "multiSelect",
    "text": "text",
    "numeric": "numeric",
    "date": "date",
}
_BASIC = (("name", "Name", "text"), ("description", "Long Description", "richText"))


def _lang(ctx: Ctx) -> int:
    code = ctx.params.text("language_code") or "en_US"
    if code not in ("en_US", "id_ID", "ms_MY", "zh_CN"):
        raise errors.invalid("language_code", "en_US, id_ID, ms_MY or zh_CN")
    return 1 if code == "id_ID" else 0


def _node(category: Category, lang: int) -> dict[str, Any]:
    node: dict[str, Any] = {
        "category_id": TAXONOMY.id_of(category),
        "name": category.name[lang],
        "leaf": category.leaf,
        "var": category.leaf and category.department in (0, 1, 7),
    }
    if not category.leaf:
        node["children"] = [_node(TAXONOMY.tree.categories[c], lang) for c in category.children]
    return node


def category_tree(ctx: Ctx) -> Reply:
    lang = _lang(ctx)
    return Reply([_node(c, lang) for c in TAXONOMY.tree.categories if c.parent is None])


def _basic(index: int, key: str, label: str, input_type: str, mandatory: bool) -> dict[str, Any]:
    return {
        "id": TAXONOMY.scheme.attribute_base - 10 + index,
        "name": key,
        "label": label,
        "is_mandatory": int(mandatory),
        "attribute_type": "normal",
        "input_type": input_type,
        "options": [],
        "is_sale_prop": 0,
        "advanced": {"is_key_prop": 0},
    }


def _attribute(attribute: Attribute, mandatory: bool, lang: int) -> dict[str, Any]:
    return {
        "id": TAXONOMY.attribute_id(attribute),
        "name": attribute.key,
        "label": attribute.name[lang],
        "is_mandatory": int(mandatory),
        "attribute_type": "normal",
        "input_type": _INPUT[attribute.input_type],
        "options": [
            {"id": TAXONOMY.value_id(attribute, i), "name": v[lang], "en_name": v[0]}
            for i, v in enumerate(attribute.values)
        ],
        "is_sale_prop": 0,
        "advanced": {"is_key_prop": int(mandatory)},
    }


def category_attributes(ctx: Ctx) -> Reply:
    category_id = ctx.params.required("primary_category_id")
    category = TAXONOMY.leaf(category_id)
    if category is None:
        raise errors.business("201", f"E201: {category_id!r} Invalid CategoryId")
    lang = _lang(ctx)
    basic = [_basic(i, key, label, kind, True) for i, (key, label, kind) in enumerate(_BASIC)]
    brand = _basic(len(basic), "brand", "Brand", "singleSelect", category.brand_required)
    return Reply([*basic, brand, *(_attribute(r.attribute, r.mandatory, lang) for r in category.rules)])


def brands_query(ctx: Ctx) -> Reply:
    start = ctx.params.integer("startRow", 0)
    size = ctx.params.integer("pageSize", 40, low=1, high=200)
    brands = TAXONOMY.tree.brands
    page = brands[start : start + size]
    return Reply(
        {
            "module": [
                {
                    "brand_id": TAXONOMY.brand_id(b),
                    "name": b.name,
                    "name_en": b.name,
                    "global_identifier": b.name.lower().replace(" ", "_"),
                }
                for b in page
            ],
            "total_record": len(brands),
            "total_page": -(-len(brands) // size),
            "start_row": start,
            "page_index": start // size + 1,
            "page_size": size,
            "enable_total": True,
        }
    )


def image_upload(ctx: Ctx) -> Reply:
    files = [data for name, data in ctx.uploads or () if name == "image"]
    if len(files) != 1:
        raise errors.missing("image")
    image = ctx.sandbox.images.add(files[0], "") if len(files[0]) <= 3 * 2**20 else None
    if image is None or not (
        min(image.width, image.height) >= 330 and max(image.width, image.height) <= 5000
    ):
        raise errors.business("300", "E300: Image size or format is invalid (jpg/png, 330-5000 px, 3 MB)")
    host = {"ID": "id-live", "SG": "sg-live", "MY": "my-live"}[ctx.seller.country]
    url = f"https://{host}-01.slatic.net/p/{image.image_id}.{'png' if image.format == 'png' else 'jpg'}"
    ctx.sandbox.images.issue(url)
    return Reply({"image": {"url": url, "hash_code": image.image_id}})


def _values(attribute: Attribute, raw: Any) -> list[str]:
    if isinstance(raw, list):
        return [str(v) for v in raw]
    text = str(raw)
    return [v.strip() for v in text.split(",")] if attribute.input_type == "multi_select" else [text]


def check_listing(category_id: str, attributes: dict[str, Any]) -> str | None:
    """The brand name of a product/create payload, after its attributes and brand pass its category's
    rules (None: no brand_id)."""
    category = TAXONOMY.leaf(category_id)
    if category is None:
        raise errors.business("201", f"E201: {category_id!r} Invalid CategoryId")
    given = {
        r.attribute: _values(r.attribute, attributes[r.attribute.key])
        for r in category.rules
        if attributes.get(r.attribute.key) not in (None, "")
    }
    brand_id = str(attributes.get("brand_id") or "")
    brand = TAXONOMY.brand(brand_id) if brand_id else None
    if brand_id and brand is None:
        raise errors.business("500", f"4142: brand_id {brand_id} is invalid")
    problem = check(TAXONOMY.tree, category, given, brand)
    if problem is None:
        return brand.name if brand else None
    if problem.kind == "attribute_missing" and problem.attribute is not None:
        raise errors.business("4108", f"CHK_BASIC_REQUIRED: {problem.attribute.key}")
    if problem.kind == "attribute_value" and problem.attribute is not None:
        raise errors.business(
            "4146", f"BIZ_CHECK_ATTRIBUTE_VALUE_INVALID: {problem.attribute.key} {problem.value!r}"
        )
    if problem.kind == "brand_missing":
        raise errors.business("4108", "CHK_BASIC_REQUIRED: brand")
    raise errors.business("500", f"4142: brand_id {brand_id} is not available in this category")


def category_values(category_id: int, attributes: dict[str, Any]) -> dict[str, str]:
    """The attribute values of a payload that belong to the category (by key); the others are dropped."""
    category = TAXONOMY.leaf(str(category_id))
    keys = {r.attribute.key for r in category.rules} if category is not None else set()
    return {k: str(v) for k, v in attributes.items() if k in keys and v not in (None, "")}


ENDPOINTS: list[Endpoint] = [
    endpoint("GET", "/category/tree/get", category_tree),
    endpoint("GET", "/category/attributes/get", category_attributes),
    endpoint("GET", "/category/brands/query", brands_query),
    endpoint("POST", "/image/upload", image_upload),
]
