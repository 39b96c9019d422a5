"""The rules files: every platform's load and validate; a broken file names itself and the key; an
organisation's overrides tighten limits, turn warnings off and add terms."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from aiostore.domain.market import MarketCode
from aiostore.domain.platforms import Platform
from aiostore.domain.rules import (
    LimitOverride,
    OrgOverrides,
    OverrideConflict,
    RulesFileError,
    effective_rules,
    file_rules,
    load_all,
)
from aiostore.domain.rules.loader import DATA
from tests.unit.domain.rules.helpers import draft, findings, rules_of, variant


def test_every_platform_and_market_loads() -> None:
    load_all()
    assert file_rules("shopee", "SG").price.max_ratio == 5 and file_rules("shopee", "ID").price.max_ratio == 7
    assert file_rules("tiktokshop", "ID").logistics.dimensions == "all_or_none"
    assert file_rules("tiktokshop", "MY").logistics.dimensions == "required"
    assert "sex" in file_rules("lazada", "MY").text.forbidden_terms  # common.toml under every platform


def test_rules_files_are_package_data() -> None:
    pyproject = (Path(__file__).resolve().parents[4] / "pyproject.toml").read_text()
    assert '"domain/rules/data/*.toml"' in pyproject
    assert {p.name for p in DATA.glob("*.toml")} >= {f"{p.value}.toml" for p in Platform}


def _copy(tmp_path: Path) -> Path:
    for path in DATA.glob("*.toml"):
        (tmp_path / path.name).write_text(path.read_text())
    return tmp_path


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "shopee.toml",
            "[title]\nmax = -1\n",
            "shopee.toml: title.max: Input should be greater than or equal to 0",
        ),
        (
            "shopee.toml",
            "[title]\nmaximum = 5\n",
            "shopee.toml: title.maximum: Extra inputs are not permitted",
        ),
        (
            "shopee.toml",
            "[title]\nmin = 50\nmax = 10\n",
            "shopee.toml: title: Value error, min 50 is above max 10",
        ),
        (
            "lazada.toml",
            "[sku]\npattern = '(['\n",
            "lazada.toml: sku.pattern: Value error, not a regular expression",
        ),
        (
            "lazada.toml",
            "[price.IDR]\nmin = 0.5\ndecimals = 0\n",
            "lazada.toml: price.IDR.min: Value error, write prices",
        ),
        ("tokopedia.toml", "[title\n", "tokopedia.toml: not valid TOML"),
        (
            "shopee.ID.toml",
            "[images]\nformats = ['bmp']\n",
            "shopee.ID.toml: images.formats.0: Input should be",
        ),
        (
            "common.toml",
            "[text]\nforbidden_terms = ['  ']\n",
            "common.toml: text.forbidden_terms: Value error, a term",
        ),
        ("shopee.toml", 'platform = "lazada"\n', "shopee.toml: platform: must be 'shopee'"),
        (
            "shopee.toml",
            "[severity]\n'title.too_lng' = 'warning'\n",
            "shopee.toml: severity.title.too_lng: no such rule",
        ),
        ("shopee.XX.toml", "", "shopee.XX.toml: no market 'XX'"),
        ("ebay.ID.toml", "", "ebay.ID.toml: no platform 'ebay'"),
    ],
)
def test_a_broken_rules_file_names_its_file_and_key(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    data = _copy(tmp_path)
    path = data / name
    if name in ("shopee.toml", "lazada.toml", "tokopedia.toml") and not text.startswith("platform"):
        text = f'platform = "{name.removesuffix(".toml")}"\n' + text
    path.write_text(text)
    with pytest.raises(RulesFileError) as raised:
        load_all(data)
    assert str(raised.value).startswith(message)


def test_a_missing_platform_file_is_named(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    (data / "lazada.toml").unlink()
    with pytest.raises(RulesFileError, match=r"^lazada.toml: missing"):
        load_all(data)


def test_an_override_tightens_a_limit_for_its_platform_and_market_only() -> None:
    overrides = OrgOverrides(
        limits=[LimitOverride(platform=Platform("shopee"), market=MarketCode.ID, key="title.max", value=40)]
    )
    assert rules_of(findings(draft(), overrides=overrides)) == ["title.too_long"]
    assert (
        rules_of(
            findings(
                draft(MarketCode.MY, variants=(variant(market=MarketCode.MY),)), "shopee", "MY", overrides
            )
        )
        == []
    )
    assert rules_of(findings(draft(), "lazada", "ID", overrides)) == []
    everywhere = OrgOverrides(limits=[LimitOverride(key="images.min", value=3)])
    assert rules_of(findings(draft(), "tokopedia", "ID", everywhere)) == ["images.too_few"]


def test_an_override_may_not_loosen_a_platform_limit() -> None:
    looser = OrgOverrides(limits=[LimitOverride(key="title.max", value=300)])
    with pytest.raises(OverrideConflict) as raised:
        effective_rules("shopee", "ID", looser, strict=True)
    assert raised.value.field == "limits.0.value" and "only make it lower" in str(raised.value)
    assert (
        effective_rules("shopee", "ID", looser).rules.title.max == 100
    )  # saved earlier: the platform's stays
    crossed = OrgOverrides(
        limits=[LimitOverride(key="title.min", value=90), LimitOverride(key="title.max", value=80)]
    )
    with pytest.raises(OverrideConflict, match="min 90 is above max 80"):
        effective_rules("shopee", "ID", crossed, strict=True)


def test_warnings_may_be_disabled_errors_not() -> None:
    off = OrgOverrides(disabled_rules=["seo.missing_brand", "seo.short_description"])
    assert (
        rules_of(findings(draft(brand=None, description="Kaos katun yang bagus sekali"), overrides=off)) == []
    )
    with pytest.raises(ValidationError, match="'title.too_long' is not a warning"):
        OrgOverrides(disabled_rules=["title.too_long"])
    with pytest.raises(ValidationError, match="not a limit an organisation may change"):
        LimitOverride(key="price.max_ratio", value=3)


def test_an_organisations_own_forbidden_terms() -> None:
    own = OrgOverrides(forbidden_terms=["  Kaos   KW ", "grosir"])
    assert own.forbidden_terms == ["Kaos KW", "grosir"]
    found = findings(draft(description="Bukan kaos kw, bisa GROSIR."), overrides=own)
    assert [(f.rule, f.value, f.span) for f in found if f.rule.startswith("text.")] == [
        ("text.forbidden_term", "kaos kw", (6, 13)),
        ("text.forbidden_term", "GROSIR", (20, 26)),
    ]
    with pytest.raises(ValidationError, match="start and end with a letter or digit"):
        OrgOverrides(forbidden_terms=["#sale"])


@given(st.integers(0, 300))
def test_title_length_edge(n: int) -> None:
    """A title of exactly the maximum passes, one more character fails (Shopee ID: 100)."""
    title = ("Kaos " * 61)[:n]
    found = rules_of(findings(draft(title=title)))
    assert ("title.too_long" in found) == (n > 100)
    assert ("title.too_short" in found) == (n < 5)


@given(st.integers(0, 10**9), st.integers(0, 4))
def test_price_precision_edge(minor: int, places: int) -> None:
    """A price with more decimals than the currency takes is refused, trailing zeros aside (SGD: 2)."""
    price = Decimal(minor).scaleb(-places)
    sg = variant(market=MarketCode.SG, price=price)
    found = rules_of(findings(draft(MarketCode.SG, variants=(sg,)), "shopee", "SG"))
    exponent = price.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    assert ("price.precision" in found) == (exponent < -2)
    if exponent >= -2:
        assert ("price.below_min" in found) == (price < Decimal("0.10"))
        assert ("price.above_max" in found) == (price > Decimal("10000000"))
