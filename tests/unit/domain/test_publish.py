"""The publish diff: unchanged stays unchanged, diff(x, x) is empty, applying a diff yields the desired
state, and the call plan never exceeds its limits' minimum."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from aiostore.domain import publish
from aiostore.domain.publish import BatchLimit, ItemCalls, MappingIn, ProductIn, VariantIn

text = st.text(max_size=12)
skus = st.text(alphabet="ABC123-", min_size=1, max_size=6)
variants = st.lists(
    st.builds(
        VariantIn,
        sku=skus,
        options=st.tuples(text),
        price=st.one_of(st.none(), st.decimals(0, 10**6, places=2).map(str)),
        stock=st.integers(0, 10**6),
    ),
    max_size=5,
    unique_by=lambda v: v.sku,
)
products = st.builds(
    ProductIn,
    title=text,
    description=text,
    images=st.tuples(text),
    status=st.sampled_from(["active", "draft", "archived"]),
    brand=st.one_of(st.none(), text),
)
mappings = st.one_of(
    st.none(),
    st.builds(
        MappingIn,
        category_id=st.text(alphabet="0123456789", min_size=1, max_size=5),
        brand_id=st.one_of(st.none(), text),
        attributes=st.lists(
            st.fixed_dictionaries({"attribute_id": text, "value_ids": st.lists(text, max_size=2)}),
            max_size=3,
        ).map(tuple),
    ),
)
overrides = st.fixed_dictionaries({}, optional={"title": text, "description": text, "images": st.lists(text)})


def state_of(p: ProductIn, v: list[VariantIn], m: MappingIn | None, o: dict[str, Any]) -> publish.State:
    return publish.desired_state(p, v, m, o)


@given(products, variants, mappings, overrides)
def test_the_same_state_has_no_diff_and_nothing_to_do(
    p: ProductIn, v: list[VariantIn], m: MappingIn | None, o: dict[str, Any]
) -> None:
    state = state_of(p, v, m, o)
    assert publish.diff(state, state) == {}
    assert publish.action(state, state, {}) == publish.UNCHANGED


@given(products, variants, mappings, overrides, products, variants, mappings, overrides)
def test_applying_the_diff_yields_the_desired_state(
    p1: ProductIn,
    v1: list[VariantIn],
    m1: MappingIn | None,
    o1: dict[str, Any],
    p2: ProductIn,
    v2: list[VariantIn],
    m2: MappingIn | None,
    o2: dict[str, Any],
) -> None:
    old, new = state_of(p1, v1, m1, o1), state_of(p2, v2, m2, o2)
    changes = publish.diff(old, new)
    assert publish.apply(old, changes) == new
    assert publish.diff(publish.apply(old, changes), new) == {}  # re-previewed after a commit: nothing
    assert publish.apply(None, publish.diff(None, new)) == new


@given(products, variants, mappings, overrides, st.sampled_from(publish.FIELDS))
def test_a_field_never_read_is_not_compared(
    p: ProductIn, v: list[VariantIn], m: MappingIn | None, o: dict[str, Any], missing: str
) -> None:
    new = state_of(p, v, m, o)
    old = {k: val for k, val in new.items() if k != missing}
    assert publish.diff(old, new) == {}
    assert publish.apply(old, {}) == old


def test_actions() -> None:
    live = state_of(ProductIn("T", "D", (), "active"), [VariantIn("A", (), "1.00", 3)], None, {})
    gone = live | {"status": "inactive"}
    assert publish.action(None, live, publish.diff(None, live)) == publish.CREATE
    assert publish.action(None, gone, publish.diff(None, gone)) == publish.UNCHANGED
    assert publish.action(live, gone, publish.diff(live, gone)) == publish.UNLIST
    assert publish.action(gone, gone, {}) == publish.UNCHANGED
    retitled = live | {"title": "U"}
    assert publish.action(live, retitled, publish.diff(live, retitled)) == publish.UPDATE


def test_overrides_win_over_the_master() -> None:
    product = ProductIn("Master", "Desc", ("m.jpg",), "active")
    state = state_of(product, [], None, {"title": "Shop title", "images": ["s.jpg"]})
    assert state["title"] == "Shop title" and state["images"] == ["s.jpg"] and state["description"] == "Desc"


def test_price_text_writes_the_currency_decimals() -> None:
    assert publish.price_text("12.9", 2) == "12.90" and publish.price_text("99000", 0) == "99000"
    assert publish.price_text(None, 2) is None


counts = st.lists(st.integers(1, 260), max_size=40)
limits = st.builds(
    BatchLimit, batch=st.integers(1, 120), items_per_call=st.one_of(st.none(), st.integers(1, 60))
)


@given(counts, limits)
def test_a_plan_carries_every_variant_within_its_limits(per_product: list[int], limit: BatchLimit) -> None:
    calls = publish.batch_calls(per_product, limit)
    least = publish.min_batch_calls(per_product, limit)
    assert calls >= least and calls * limit.batch >= sum(per_product)
    if limit.items_per_call in (None, 1):  # the greedy packing is optimal there (every platform's case)
        assert calls == least


def test_plan_per_shop() -> None:
    items = [
        ItemCalls(create=True),
        ItemCalls(update=True, prices=3),
        ItemCalls(prices=2, stock=1),
        ItemCalls(),
    ]
    shopee = BatchLimit(50, 1)
    assert publish.plan(items, shopee, shopee) == {
        "create": 1,
        "update": 1,
        "price": 2,
        "stock": 1,
        "image": 0,
        "total": 5,
        "minimum": 5,
    }
    # the images uploaded a batch a call (Shopee 8): 17 images are 3 calls, planned as the minimum
    with_images = publish.plan(items, shopee, shopee, images=17, image_batch=8)
    assert (with_images["image"], with_images["total"], with_images["minimum"]) == (3, 8, 8)
    assert publish.plan(items, shopee, shopee, images=8, image_batch=8)["image"] == 1
    assert publish.plan(items, shopee, shopee, images=2, image_batch=1)["image"] == 2
    lazada = BatchLimit(50, None)
    assert publish.plan(items, lazada, lazada)["price"] == 1
