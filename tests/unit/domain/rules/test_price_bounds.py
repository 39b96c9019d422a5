"""Price bounds are written once, in the rules files: the connectors' limits (which change sets check)
read them, and bounds a platform does not publish stay out of the limits."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aiostore.connectors import registry
from aiostore.domain.market import MarketCode
from aiostore.domain.platforms import Platform
from aiostore.domain.rules import file_rules
from aiostore.domain.rules.loader import DATA, price_bounds


@pytest.mark.parametrize("platform", [p.value for p in Platform])
def test_every_connectors_price_bounds_are_its_rules_files(platform: str) -> None:
    assert registry.default_limits(platform).price_bounds == price_bounds(platform)


def test_the_published_bounds_in_minor_units() -> None:
    assert price_bounds("tiktokshop") == {
        MarketCode.ID: (100, 100_000_000),
        MarketCode.MY: (1, 32_000_000),
        MarketCode.SG: (1, 1_000_000),
    }
    assert price_bounds("tokopedia") == {MarketCode.ID: (100, 100_000_000)}
    # Shopee and Lazada publish none: their files' sample bounds are checked by the content rules only
    assert price_bounds("shopee") == price_bounds("lazada") == {}
    shopee_id = file_rules("shopee", "ID").price.IDR
    assert shopee_id is not None and shopee_id.max is not None and not shopee_id.published


def _edited(tmp_path: Path, name: str, old: str, new: str) -> Path:
    data = tmp_path / name
    shutil.copytree(DATA, data)
    path = data / "tiktokshop.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return data


def test_a_bound_changed_in_the_file_is_the_bound(tmp_path: Path) -> None:
    lower = _edited(tmp_path, "lower", 'max = "100000000"', 'max = "5000000"')
    assert price_bounds("tiktokshop", lower)[MarketCode.ID] == (100, 5_000_000)
    hidden = _edited(tmp_path, "hidden", "[price.IDR]\n", "[price.IDR]\npublished = false\n")
    assert MarketCode.ID not in price_bounds("tiktokshop", hidden)
    assert MarketCode.MY in price_bounds("tiktokshop", hidden)
