"""Limits a platform serves for a category replace the rules files' defaults for listings of it, and an
organisation's overrides still tighten them (never loosen)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiostore.domain.rules import (
    CategoryLimits,
    LimitOverride,
    OrgOverrides,
    check,
    effective_rules,
)
from aiostore.domain.rules.draft import Dimensions
from aiostore.domain.rules.schema import Bounds
from tests.unit.domain.rules.helpers import draft, variant

SERVED = CategoryLimits(
    title=Bounds(min=5, max=255),
    images=Bounds(min=1, max=9),
    max_variants=1,
    dimensions_required=True,
)


def rules_and_values(
    category: CategoryLimits | None, overrides: OrgOverrides | None = None
) -> dict[str, object]:
    rules = effective_rules("shopee", "ID", overrides, category=category)
    found = check(draft(title="T" * 150, dimensions=Dimensions()), "shopee", "ID", rules)
    return {f.rule: (f.field, f.value, f.params.get("limit")) for f in found}


def test_served_limits_replace_the_files_defaults() -> None:
    without = rules_and_values(None)
    assert without["title.too_long"][2] == 100  # the file's sample
    assert "logistics.dimensions_missing" not in without and "variants.too_many" not in without
    served = rules_and_values(SERVED)
    assert "title.too_long" not in served  # the category allows 255
    assert served["logistics.dimensions_missing"] == ("dimensions", None, None)
    assert served["variants.too_many"] == ("variants", "2", 1)


def test_an_organisation_tightens_a_served_limit_but_cannot_loosen_it() -> None:
    tighter = OrgOverrides(limits=[LimitOverride(key="title.max", value=120)])
    assert rules_and_values(SERVED, tighter)["title.too_long"] == ("title", "T" * 50, 120)
    looser = OrgOverrides(limits=[LimitOverride(key="variants.max_variants", value=5)])
    assert rules_and_values(SERVED, looser)["variants.too_many"][2] == 1


def test_served_price_bounds_and_the_message_in_english() -> None:
    served = CategoryLimits(price={"min": Decimal("200000"), "max": Decimal("1000000")})
    rules = effective_rules("shopee", "ID", category=served)
    found = check(draft(variants=(variant("V1"),), tiers=()), "shopee", "ID", rules)
    (below,) = [f for f in found if f.rule == "price.below_min"]
    assert below.field == "variants[0].price" and below.value == "150000"
    assert below.message() == "The price 150000 is below the minimum of 200000 IDR."


def test_limits_that_contradict_the_files_are_not_used() -> None:
    odd = CategoryLimits(title=Bounds(min=300))  # above the file's maximum of 100
    assert effective_rules("shopee", "ID", category=odd) is effective_rules("shopee", "ID")


@given(st.integers(min_value=1, max_value=400))
def test_the_served_title_maximum_is_the_edge(limit: int) -> None:
    rules = effective_rules("shopee", "ID", category=CategoryLimits(title=Bounds(min=1, max=limit)))
    at = check(draft(title="a" * limit), "shopee", "ID", rules)
    over = check(draft(title="a" * (limit + 1)), "shopee", "ID", rules)
    assert "title.too_long" not in {f.rule for f in at}
    assert "title.too_long" in {f.rule for f in over}


def test_bad_limits_are_refused_when_read() -> None:
    with pytest.raises(ValueError, match="above max"):
        CategoryLimits.model_validate({"title": {"min": 10, "max": 5}})
    with pytest.raises(ValueError, match="above max"):
        CategoryLimits.model_validate({"price": {"min": "10", "max": "5"}})
