"""Reference data (listings-and-categories.md §B, §C): categories (flat, `locale` en-* or id-ID, `keyword`
filters by name), a category's attributes (`is_requried`, sic), its rules, brands (pages of 1-100 by
`page_token`, `category_id`, `brand_name`) and images/upload (multipart `data` and `use_case`, no
shop_cipher, body not signed). create_product's checks of category, attributes and brand
(`check_listing`): TikTok publishes no brand requirement, so a brand is checked only for existing.
"""

from __future__ import annotations

from typing import Any

from aiostore.sandbox.common.taxonomy import Attribute, Category, IdScheme, PlatformTaxonomy, check
from aiostore.sandbox.tiktokshop import errors
from aiostore.sandbox.tiktokshop.dispatch import Ctx, Endpoint
from aiostore.sandbox.tiktokshop.params import Body

TAXONOMY = PlatformTaxonomy(
    IdScheme(
        700000,
        (601226, 601152, 600001, 824328, 601739),
        attribute_base=100300,
        value_base=1000000,
        brand_base=7000000,
    )
)
USE_CASES = ("MAIN_IMAGE", "ATTRIBUTE_IMAGE", "DESCRIPTION_IMAGE", "CERTIFICATION_IMAGE", "SIZE_CHART_IMAGE")


def _lang(ctx: Ctx) -> int:
    return 1 if (ctx.query.text("locale") or "en-US") == "id-ID" else 0


def _category(category_id: object) -> Category:
    category = TAXONOMY.leaf(category_id)
    if category is None:
        raise errors.category_invalid(category_id)
    return category


def get_categories(ctx: Ctx) -> dict[str, Any]:
    lang = _lang(ctx)
    keyword = (ctx.query.text("keyword") or "").casefold()
    return {
        "categories": [
            {
                "id": str(TAXONOMY.id_of(c)),
                "parent_id": str(TAXONOMY.parent_id(c) or 0),
                "local_name": c.name[lang],
                "is_leaf": c.leaf,
                "permission_statuses": ["AVAILABLE"],
            }
            for c in TAXONOMY.tree.categories
            if keyword in c.name[lang].casefold()
        ]
    }


def _attribute(attribute: Attribute, mandatory: bool, lang: int) -> dict[str, Any]:
    return {
        "id": str(TAXONOMY.attribute_id(attribute)),
        "name": attribute.name[lang],
        "type": "PRODUCT_PROPERTY",
        "is_requried": mandatory,
        "is_multiple_selection": attribute.input_type == "multi_select",
        "is_customizable": not attribute.selects,
        "values": [
            {"id": str(TAXONOMY.value_id(attribute, i)), "name": v[lang]}
            for i, v in enumerate(attribute.values)
        ],
        "value_data_format": "POSITIVE_INT_OR_DECIMAL" if attribute.input_type == "numeric" else "",
        "requirement_conditions": [],
    }


def get_attributes(ctx: Ctx) -> dict[str, Any]:
    category, lang = _category(ctx.path_params["category_id"]), _lang(ctx)
    return {"attributes": [_attribute(r.attribute, r.mandatory, lang) for r in category.rules]}


# Certifications by department (and group): (id, name, required). BPOM for cosmetics and health products
# and SDPPI for phones are what Indonesia demands; a halal certificate is optional on food.
CERTIFICATIONS: dict[tuple[int, str | None], tuple[str, str, bool]] = {
    (5, None): ("7030000001", "BPOM registration", True),
    (2, "Phones"): ("7030000002", "SDPPI certificate", True),
    (6, None): ("7030000003", "Halal certificate", False),
}
SIZE_CHART_GROUPS = frozenset({"Pants", "Skirts", "Trousers"})  # apparel leaves sold by body measures


def certifications(category: Category) -> list[tuple[str, str, bool]]:
    """The certifications a leaf lists (an "Other" leaf none: it has no rules of its own)."""
    if category.plain or category.parent is None:
        return []
    group = TAXONOMY.tree.categories[category.parent].name[0]
    found = CERTIFICATIONS.get((category.department, group)) or CERTIFICATIONS.get(
        (category.department, None)
    )
    return [found] if found else []


def size_chart(category: Category) -> tuple[bool, bool]:
    """(supported, required): apparel supports one; its trousers and skirts need one."""
    supported = category.department in (0, 1)
    group = TAXONOMY.tree.categories[category.parent].name[0] if category.parent is not None else ""
    return supported, supported and not category.plain and group in SIZE_CHART_GROUPS


def get_rules(ctx: Ctx) -> dict[str, Any]:
    category = _category(ctx.path_params["category_id"])
    supported, required = size_chart(category)
    return {
        "product_certifications": [
            {"id": cid, "name": name, "is_required": needed, "requirement_conditions": []}
            for cid, name, needed in certifications(category)
        ],
        "size_chart": {"is_supported": supported, "is_required": required},
        "cod": {"is_supported": True},
        "package_dimension": {"is_required": category.brand_required},
    }


def check_rules(body: Body, category: Category) -> None:
    """A create that breaks the category's rules (get_rules) is refused: package dimensions, a size chart
    (an image `uri` or a template `id`), each required certification (with an image or a file)."""
    data = body.data
    dims = data.get("package_dimensions")
    if category.brand_required and not (
        isinstance(dims, dict)
        and all(str(dims.get(k) or "0") not in ("", "0") for k in ("length", "width", "height"))
    ):
        raise errors.package_dimensions_required()
    chart = data.get("size_chart")
    if size_chart(category)[1] and not (
        isinstance(chart, dict)
        and ((chart.get("image") or {}).get("uri") or (chart.get("template") or {}).get("id"))
    ):
        raise errors.size_chart_required()
    given = {
        str(c.get("id")): c
        for c in data.get("certifications") or ()
        if isinstance(c, dict) and (c.get("images") or c.get("files"))
    }
    for cid, name, needed in certifications(category):
        if needed and cid not in given:
            raise errors.certification_required(name)


def get_brands(ctx: Ctx) -> dict[str, Any]:
    query = ctx.query
    size = query.page_size(100)
    token = query.text("page_token") or "0"
    if not token.isdigit():
        raise errors.param("page_token is invalid")
    category_id = query.text("category_id")
    brands = TAXONOMY.tree.brands if category_id is None else TAXONOMY.tree.brands_of(_category(category_id))
    name = (query.text("brand_name") or "").casefold()
    brands = [b for b in brands if name in b.name.casefold()]
    start = int(token)
    page = brands[start : start + size]
    return {
        "brands": [
            {
                "id": str(TAXONOMY.brand_id(b)),
                "name": b.name,
                "authorized_status": "UNAUTHORIZED",
                "is_t1_brand": False,
                "brand_status": "AVAILABLE",
            }
            for b in page
        ],
        "next_page_token": str(start + len(page)) if start + len(page) < len(brands) else "",
        "total_count": len(brands),
    }


def upload_image(ctx: Ctx) -> dict[str, Any]:
    files = [data for name, data in ctx.uploads or () if name == "data"]
    use_case = (ctx.form or {}).get("use_case", "MAIN_IMAGE")
    if len(files) != 1:
        raise errors.param("data must hold one image file")
    if use_case not in USE_CASES:
        raise errors.param(f"use_case must be one of {', '.join(USE_CASES)}")
    image = ctx.sandbox.images.add(files[0], "tos-alisg-i-") if len(files[0]) <= 5 * 2**20 else None
    if image is None:
        raise errors.image_invalid()
    return {
        "uri": image.image_id,
        "url": f"https://p16-oec-sg.ibyteimg.com/{image.image_id}~tplv-o3syd03w52-origin-jpeg.jpeg",
        "width": image.width,
        "height": image.height,
        "use_case": use_case,
    }


def _values(entry: Body, attribute: Attribute) -> list[str]:
    values: list[str] = []
    for value in entry.objects("values", low=1):
        value_id = value.text("id", required=False)
        if value_id:
            words = TAXONOMY.value(attribute, value_id)
            values.append(words[0] if words else f"#{value_id}")
        elif attribute.selects:
            raise errors.attribute_invalid(attribute.name[0])
        else:
            values.append(value.text("name", required=False) or "")
    return values


def check_listing(body: Body) -> Category:
    """The category of a create body, after its attributes and brand pass the category's rules."""
    category = _category(body.required_text("category_id"))
    given: dict[Attribute, list[str]] = {}
    for entry in body.objects("product_attributes", required=False, low=0):
        attribute = TAXONOMY.attribute(entry.data.get("id"))
        if attribute is None or all(r.attribute != attribute for r in category.rules):
            raise errors.param(
                f"{entry.name('id')} is not an attribute of category {body.data['category_id']}"
            )
        given[attribute] = _values(entry, attribute)
    brand_id = body.text("brand_id", required=False)
    brand = TAXONOMY.brand(brand_id) if brand_id else None
    if brand_id and (brand is None or brand.department != category.department):
        raise errors.brand_invalid(brand_id)
    problem = check(TAXONOMY.tree, category, given, brand, brand_rules=False)
    if problem is not None and problem.attribute is not None:
        name = problem.attribute.name[0]
        raise (
            errors.attribute_required if problem.kind == "attribute_missing" else errors.attribute_invalid
        )(name)
    return category


ENDPOINTS = [
    Endpoint("GET", "/product/202309/categories", get_categories),
    Endpoint("GET", "/product/202309/categories/{category_id}/attributes", get_attributes),
    Endpoint("GET", "/product/202309/categories/{category_id}/rules", get_rules),
    Endpoint("GET", "/product/202309/brands", get_brands),
    Endpoint("POST", "/product/202309/images/upload", upload_image, scope="seller", multipart=True),
]
