"""Reference data through every connector, against its sandbox over HTTP: the category tree (EN/ID names),
a category's attributes, brands, Shopee's logistics channels and Tokopedia's shipping products, image
upload, and a create that breaks its category's rules refused with the platform's own code, then accepted
once the attributes read through the connector are filled in."""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from decimal import Decimal
from typing import Any

import pytest

from aiostore.connectors.dtos import AttributeDTO, AttributeInput, AttributeValue, ProductDraft
from aiostore.connectors.errors import ConnectorError, InvalidRequest, Refused
from aiostore.domain.money import Currency, Money
from aiostore.sandbox.common.taxonomy import Category
from tests.integration.connectors.platforms import CASES, Case


@pytest.fixture(params=CASES, ids=str)
def case(request: pytest.FixtureRequest) -> Case:
    found: Case = request.param
    return found


@pytest.fixture
async def env(case: Case) -> AsyncIterator[Any]:
    async with AsyncExitStack() as stack:
        yield await stack.enter_async_context(case.open_env(products=2))


def png(width: int, height: int) -> bytes:
    chunk = b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))


def strict_leaf(case: Case) -> Category:
    """A leaf with a mandatory attribute (a select one: the only kind every platform's create carries)
    and (where the platform has the rule) a required brand."""
    tree = case.reference.taxonomy.tree
    return next(
        c
        for c in tree.categories
        if c.leaf
        and c.rules[0].mandatory
        and c.rules[0].attribute.selects
        and (c.brand_required or not case.reference.brand_flag)
    )


def draft(category_id: str, **changes: Any) -> ProductDraft:
    base = ProductDraft(
        name="Kaos Katun Premium",
        description="Kaos katun lembut untuk sehari-hari.",
        category_id=category_id,
        price=Money(99000, Currency.IDR),
        stock=5,
        weight_kg=Decimal("0.3"),
        image_ids=("https://img.example/kaos.jpg",),
        seller_sku=f"REF-{category_id}",
        dimensions_cm=(20, 15, 5),
    )
    return ProductDraft(**{**{f: getattr(base, f) for f in base.__dataclass_fields__}, **changes})


def value_for(attribute: AttributeDTO) -> AttributeValue:
    if attribute.options:
        return AttributeValue(attribute.attribute_id, (attribute.options[0].value_id,), key=attribute.key)
    text = "2026-01-31" if attribute.input_type is AttributeInput.DATE else "12"
    unit = attribute.units[0] if attribute.units else ""
    return AttributeValue(attribute.attribute_id, texts=(text,), unit=unit, key=attribute.key)


async def refused(case: Case, env: Any, product: ProductDraft, kind: str) -> ConnectorError:
    with pytest.raises((InvalidRequest, Refused)) as caught:
        await env.connector().create_product(product)
    code = case.reference.refusals.get(kind)
    if code:
        assert caught.value.platform_code == code
    return caught.value


async def test_the_category_tree_is_read_whole_with_names_in_each_language(case: Case, env: Any) -> None:
    categories = await env.connector().categories()
    ids = {c.category_id for c in categories}
    assert len(categories) == len(ids) == 372 and sum(c.leaf for c in categories) == 300
    assert all(set(c.names) == case.reference.languages for c in categories)
    assert all(c.parent_id is None or c.parent_id in ids for c in categories)
    leaf = strict_leaf(case)
    found = next(c for c in categories if c.category_id == str(case.reference.taxonomy.id_of(leaf)))
    assert found.leaf and found.names.get("id") == leaf.name[1]
    if "en" in case.reference.languages:
        assert found.names["en"] == leaf.name[0]


async def test_attributes_and_brands_of_a_category(case: Case, env: Any) -> None:
    connector, leaf = env.connector(), strict_leaf(case)
    category_id = str(case.reference.taxonomy.id_of(leaf))
    attributes = await connector.category_attributes(category_id)
    selects = [r for r in leaf.rules if r.attribute.selects]
    expected = leaf.rules if case.reference.mandatory_flag else selects
    assert len(attributes) == len(expected)
    first = attributes[0]
    if case.reference.mandatory_flag:
        assert first.mandatory is True and [a.mandatory for a in attributes] == [
            r.mandatory for r in leaf.rules
        ]
    else:
        assert all(a.mandatory is None for a in attributes)
    with_options = next(a for a in attributes if a.options)
    assert with_options.input_type in (AttributeInput.SINGLE_SELECT, AttributeInput.MULTI_SELECT)
    brands = await connector.brands(category_id)
    if case.reference.brand_flag:
        assert brands.required is True and brands.brands
    else:
        assert brands.required is None
    if case.name == "tokopedia":
        assert brands.brands == ()


async def test_a_create_that_breaks_the_category_is_refused_then_accepted(case: Case, env: Any) -> None:
    env.sandbox.images.issue("https://img.example/kaos.jpg")  # as if uploaded
    connector, ids = env.connector(), case.reference.taxonomy
    leaf = strict_leaf(case)
    category_id = str(ids.id_of(leaf))
    non_leaf = str(ids.parent_id(leaf))
    error = await refused(case, env, draft(non_leaf), "category")
    assert non_leaf in str(error)
    attributes = await connector.category_attributes(category_id)
    error = await refused(case, env, draft(category_id), "attribute")
    if case.reference.mandatory_flag:
        mandatory = next(a for a in attributes if a.mandatory)
        assert (mandatory.key or mandatory.names["en"]) in str(error)
    else:  # Tokopedia does not say which annotation is mandatory; its refusal names the first missing
        assert f"annotation {leaf.rules[0].attribute.name[1]} is mandatory" in str(error)
    values = tuple(value_for(a) for a in attributes)
    brand_id = None
    channels = tuple(c.channel_id for c in await connector.logistics_channels())[:1]
    if case.reference.brand_flag:
        await refused(case, env, draft(category_id, attributes=values), "brand")
        brand_id = (await connector.brands(category_id)).brands[0].brand_id
    created = await connector.create_product(
        draft(category_id, attributes=values, brand_id=brand_id, logistics_ids=channels)
    )
    assert created.ok and created.external_id
    (product,) = await connector.get_products([created.external_id])
    assert product.category_id == category_id


async def test_image_upload_the_platform_way(case: Case, env: Any) -> None:
    connector = env.connector()
    if not case.reference.uploads:
        with pytest.raises(Refused):
            await connector.upload_image(png(800, 800), "kaos.png")
        return
    image = await connector.upload_image(png(800, 800), "kaos.png")
    assert image.image_id and image.url.startswith("https://")
    again = await connector.upload_image(png(800, 800), "kaos.png")
    assert again.image_id != image.image_id
    with pytest.raises(InvalidRequest):
        await connector.upload_image(b"GIF89a not an image we take", "kaos.gif")


async def test_images_uploaded_as_many_a_call_as_the_platform_takes(case: Case, env: Any) -> None:
    connector = env.connector()
    limit = connector.limits.image_upload_batch
    assert limit == (8 if case.name == "shopee" else 1)  # Shopee media_space: "< 9 per call"
    if not case.reference.uploads:
        with pytest.raises(Refused):
            await connector.upload_images([(png(800, 800), "kaos.png")])
        return
    sent = [(png(800 + n, 800), f"kaos-{n}.png") for n in range(limit)]
    if limit > 1:  # one refused in the middle: its error in its place, the others uploaded
        sent[1] = (b"GIF89a not an image we take", "kaos.gif")
    before = env.sandbox.call_count()
    results = await connector.upload_images(sent)
    assert env.sandbox.call_count() == before + 1
    assert len(results) == limit
    ok = [r.image for r in results if r.image is not None]
    assert len({i.image_id for i in ok}) == len(ok) == limit - (1 if limit > 1 else 0)
    if limit > 1:
        assert results[1].image is None and "error_invalid_image" in results[1].error
        assert [r.image is None for r in results] == [n == 1 for n in range(limit)]
    with pytest.raises(ValueError, match="not"):
        await connector.upload_images([*sent, (png(900, 900), "more.png")])


async def test_shopee_refuses_more_images_a_call_than_it_takes() -> None:
    """The sandbox, sent 9 `image` parts (past the connector's own check), answers Shopee's error_param."""
    from aiostore.connectors.shopee import reference

    (case,) = [c for c in CASES if c.name == "shopee"]
    async with case.open_env(products=1) as env:
        connector = env.connector()
        nine = [(png(800 + n, 800), f"kaos-{n}.png") for n in range(9)]
        with pytest.raises(InvalidRequest, match="less than 9 images"):
            await connector._send(reference.upload_request(nine))
        assert env.sandbox.images.images == {}  # nothing stored


async def test_logistics_channels_where_the_platform_lists_them(case: Case, env: Any) -> None:
    env.sandbox.images.issue("https://img.example/kaos.jpg")  # as if uploaded
    channels = await env.connector().logistics_channels()
    if not case.reference.channels:
        assert channels == []
        return
    assert channels and all(c.channel_id and c.name for c in channels)
    if case.name == "shopee":
        assert all(c.enabled for c in channels) and {c.fee_type for c in channels} >= {"SIZE_INPUT"}
        return
    # TikTok Shop: the default warehouse's delivery options; Tokopedia: the shop's shipping products
    # (active-info), one of them not available to the shop. A create naming another is refused.
    closed = [c.channel_id for c in channels if not c.enabled]
    assert len(closed) == (1 if case.name == "tokopedia" else 0)
    category_id = str(case.reference.taxonomy.id_of(strict_leaf(case)))
    values = tuple(value_for(a) for a in await env.connector().category_attributes(category_id))
    wrong = (closed or ["9999"])[0]
    error = await refused(
        case, env, draft(category_id, attributes=values, logistics_ids=(wrong,)), "logistics"
    )
    assert ("custom_product_logistics" if case.name == "tokopedia" else "delivery_option_ids") in str(error)
    usable = tuple(c.channel_id for c in channels if c.enabled)
    created = await env.connector().create_product(
        draft(category_id, attributes=values, logistics_ids=usable)
    )
    assert created.ok


async def test_category_limits_where_the_platform_serves_them(case: Case, env: Any) -> None:
    """Shopee serves get_item_limit per category, TikTok Shop its category rules; Lazada and Tokopedia
    publish no per-category limits."""
    connector, taxonomy = env.connector(), case.reference.taxonomy
    strict = strict_leaf(case)
    plain = next(c for c in taxonomy.tree.categories if c.leaf and not c.brand_required)
    limits = await connector.category_limits(str(taxonomy.id_of(strict)))
    if case.name == "tiktokshop":
        await tiktok_category_rules(env)
        return
    if case.name != "shopee":
        assert limits is None
        return
    assert limits is not None and limits.title is not None and limits.title.max == 255  # an ID shop
    assert limits.images is not None and (limits.images.min, limits.images.max) == (1, 9)
    assert limits.price is not None and limits.price.min == Decimal(100)
    assert limits.weight_required is True and limits.dimensions_required is strict.brand_required
    other = await connector.category_limits(str(taxonomy.id_of(plain)))
    assert other is not None and other.dimensions_required is False
    with pytest.raises(InvalidRequest):
        await connector.category_limits(str(taxonomy.parent_id(strict)))


def _tiktok_leaf(*, group: str | None = None, department: int | None = None, brand: bool = False) -> Category:
    from aiostore.sandbox.tiktokshop.routes_reference import TAXONOMY

    tree = TAXONOMY.tree
    return next(
        c
        for c in tree.categories
        if c.leaf
        and not c.plain
        and c.brand_required is brand
        and not any(r.mandatory for r in c.rules)
        and (group is None or tree.categories[c.parent or 0].name[0] == group)
        and (department is None or c.department == department)
        and (group is not None or department is not None or c.department in (3, 4, 7))
    )


async def tiktok_category_rules(env: Any) -> None:
    """GET /product/202309/categories/{id}/rules read into CategoryLimits (package dimensions, size chart,
    the required certifications by name; an optional one left out; None where nothing is required), and a
    create that breaks them refused with the sandbox's product codes, then accepted."""
    from aiostore.sandbox.tiktokshop.routes_reference import TAXONOMY

    env.sandbox.images.issue("https://img.example/kaos.jpg")  # as if uploaded
    connector = env.connector()
    boxed, trousers = _tiktok_leaf(brand=True), _tiktok_leaf(group="Trousers")
    beauty, food = _tiktok_leaf(department=5), _tiktok_leaf(department=6)
    boxed_id, trousers_id, beauty_id = (str(TAXONOMY.id_of(c)) for c in (boxed, trousers, beauty))
    boxed_limits = await connector.category_limits(boxed_id)
    assert boxed_limits is not None and boxed_limits.dimensions_required is True
    assert boxed_limits.size_chart_required is None and boxed_limits.certifications == ()
    chart = await connector.category_limits(trousers_id)
    assert chart is not None and chart.size_chart_required is True and chart.dimensions_required is None
    cert = await connector.category_limits(beauty_id)
    assert cert is not None and cert.certifications == ("BPOM registration",)
    assert await connector.category_limits(str(TAXONOMY.id_of(food))) is None  # halal: optional
    plain = next(c for c in TAXONOMY.tree.categories if c.plain)
    assert await connector.category_limits(str(TAXONOMY.id_of(plain))) is None
    with pytest.raises(InvalidRequest):
        await connector.category_limits(str(TAXONOMY.parent_id(boxed)))

    for category_id, changes, code, words in (
        (boxed_id, {"dimensions_cm": None}, 12052219, "package dimensions are required"),
        (trousers_id, {}, 12052220, "size chart is required"),
        (beauty_id, {}, 12052221, "[BPOM registration] is required"),
    ):
        with pytest.raises(InvalidRequest) as caught:
            await connector.create_product(draft(category_id, **changes))
        assert caught.value.platform_code == str(code)
        assert words in str(caught.value)
    assert (await connector.create_product(draft(boxed_id, seller_sku="REF-BOXED"))).ok
