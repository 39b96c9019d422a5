"""The category tree the sandboxes share: deterministic, hundreds of categories in English and Bahasa
Indonesia, mandatory attributes on some leaves, brands required on some, and each platform's id scheme."""

from __future__ import annotations

import struct
import zlib

import pytest

from aiostore.sandbox.common.taxonomy import IdScheme, PlatformTaxonomy, check, image_size, taxonomy


def test_the_tree_is_large_bilingual_and_has_rules() -> None:
    tree = taxonomy()
    leaves = [c for c in tree.categories if c.leaf]
    assert len(tree.categories) == 372 and len(leaves) == 300
    assert all(c.name[0] and c.name[1] and c.name[0] != "" for c in tree.categories)
    assert sum(c.name[0] != c.name[1] for c in tree.categories) > 300
    mandatory = [c for c in leaves if any(r.mandatory for r in c.rules)]
    branded = [c for c in leaves if c.brand_required]
    assert 60 <= len(mandatory) <= 150 and 30 <= len(branded) <= 100
    assert all(not any(r.mandatory for r in c.rules) and not c.brand_required for c in leaves if c.plain)
    assert [c.name for c in tree.path(leaves[0])] == [
        ("Women Clothes", "Pakaian Wanita"),
        ("Tops", "Atasan"),
        ("Casual Tops", "Atasan Kasual"),
    ]


def test_platform_ids_pin_the_seed_categories_on_plain_leaves() -> None:
    ids = PlatformTaxonomy(IdScheme(5000, (17, 42)))
    first, second = ids.category(17), ids.category("42")
    assert first is not None and second is not None and first.plain and second.plain
    assert ids.id_of(first) == 17 and ids.leaf(5000) is None  # 5000 is the first department
    assert ids.category("x") is None and ids.category(99999) is None
    with pytest.raises(ValueError, match="collide"):
        PlatformTaxonomy(IdScheme(5000, (5003,)))


def test_check_names_the_first_broken_rule() -> None:
    tree = taxonomy()
    leaf = next(c for c in tree.categories if c.leaf and c.brand_required and c.rules[0].mandatory)
    first = leaf.rules[0].attribute
    problem = check(tree, leaf, {}, None)
    assert problem is not None and (problem.kind, problem.attribute) == ("attribute_missing", first)
    value = first.values[0][1] if first.selects else "12"
    assert check(tree, leaf, {first: ["nonsense"]}, None).kind == "attribute_value"  # type: ignore[union-attr]
    filled = {r.attribute: [r.attribute.values[0][0] if r.attribute.selects else "12"] for r in leaf.rules}
    filled[first] = [value]  # the Indonesian name of a value is accepted too
    assert check(tree, leaf, filled, None).kind == "brand_missing"  # type: ignore[union-attr]
    own, foreign = tree.brands_of(leaf)[0], next(b for b in tree.brands if b.department != leaf.department)
    assert check(tree, leaf, filled, foreign).kind == "brand_invalid"  # type: ignore[union-attr]
    assert check(tree, leaf, filled, own) is None
    assert check(tree, leaf, filled, None, brand_rules=False) is None


def _png(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))


def test_image_size_reads_png_and_jpeg_and_refuses_the_rest() -> None:
    assert image_size(_png(640, 480)) == ("png", 640, 480)
    jpeg = b"\xff\xd8" + b"\xff\xe0\x00\x04\x00\x00" + b"\xff\xc0\x00\x11\x08" + struct.pack(">HH", 300, 400)
    assert image_size(jpeg + b"\x00" * 10) == ("jpeg", 400, 300)
    assert image_size(b"GIF89a....") is None and image_size(b"") is None
