"""The category tree every sandbox serves, generated once, deterministically (listings-and-categories.md §B).

372 categories (12 departments, 60 groups, 300 leaves) named in English and Bahasa Indonesia; each leaf
has 2-5 attributes of its department (select, multi-select, text, numeric with units, date), mandatory on
about a third of the leaves, and a brand required on about a quarter. The "Other" leaves have no
mandatory attribute and no brand rule: the seed data's categories are pinned on them.

A platform gives it its own ids (`IdScheme`: numbers from a base, its seeds' ids pinned on plain leaves) and
its own shapes; `check` says what a listing breaks, and the platform answers that in its own error.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Literal

from aiostore.sandbox.common.taxonomy_data import (
    ATTRIBUTES,
    BRANDS,
    DEPARTMENT_ATTRIBUTES,
    DEPARTMENTS,
    Words,
)

InputType = Literal["single_select", "multi_select", "text", "numeric", "date"]


@dataclass(frozen=True, slots=True)
class Attribute:
    ordinal: int
    key: str
    name: Words
    input_type: InputType
    values: tuple[Words, ...]
    units: tuple[str, ...]

    @property
    def selects(self) -> bool:
        return self.input_type in ("single_select", "multi_select")


@dataclass(frozen=True, slots=True)
class Rule:
    attribute: Attribute
    mandatory: bool


@dataclass(frozen=True, slots=True)
class Brand:
    ordinal: int
    name: str
    department: int


@dataclass(slots=True)
class Category:
    ordinal: int
    parent: int | None
    name: Words
    department: int
    children: list[int] = field(default_factory=list)
    rules: tuple[Rule, ...] = ()
    brand_required: bool = False
    plain: bool = False  # an "Other" leaf: no mandatory attribute, no brand rule

    @property
    def leaf(self) -> bool:
        return not self.children


@dataclass(frozen=True, slots=True)
class Taxonomy:
    categories: tuple[Category, ...]
    attributes: tuple[Attribute, ...]
    brands: tuple[Brand, ...]

    def brands_of(self, category: Category) -> list[Brand]:
        return [b for b in self.brands if b.department == category.department]

    def path(self, category: Category) -> list[Category]:
        chain = [category]
        while chain[-1].parent is not None:
            chain.append(self.categories[chain[-1].parent])
        return chain[::-1]


def _leaf_rules(attributes: Sequence[Attribute], n: int) -> tuple[tuple[Rule, ...], bool]:
    count = 2 + n % (len(attributes) - 1)
    rotated = [attributes[0], *[attributes[1 + (n + i) % (len(attributes) - 1)] for i in range(count - 1)]]
    mandatory = {0} if n % 3 == 0 else set()
    if n % 7 == 0:
        mandatory.add(1)
    return tuple(Rule(a, i in mandatory) for i, a in enumerate(rotated)), n % 4 == 1


@cache
def taxonomy() -> Taxonomy:
    attributes = tuple(
        Attribute(i, key, name, kind, values, units)  # type: ignore[arg-type]
        for i, (key, (name, kind, values, units)) in enumerate(ATTRIBUTES.items())
    )
    by_key = {a.key: a for a in attributes}
    categories: list[Category] = []
    leaves = 0
    for d, (name, groups, kinds) in enumerate(DEPARTMENTS):
        root = Category(len(categories), None, name, d)
        categories.append(root)
        pool = [by_key[k] for k in DEPARTMENT_ATTRIBUTES[d]]
        for group in groups:
            mid = Category(len(categories), root.ordinal, group, d)
            categories.append(mid)
            root.children.append(mid.ordinal)
            for k, kind in enumerate(kinds):
                leaf = Category(
                    len(categories), mid.ordinal, (f"{kind[0]} {group[0]}", f"{group[1]} {kind[1]}"), d
                )
                if k == len(kinds) - 1:
                    leaf.rules, leaf.plain = tuple(Rule(a, False) for a in pool[:2]), True
                else:
                    leaf.rules, leaf.brand_required = _leaf_rules(pool, leaves)
                leaves += 1
                categories.append(leaf)
                mid.children.append(leaf.ordinal)
    brands = tuple(Brand(0, name, d) for d, names in enumerate(BRANDS) for name in names)
    brands = tuple(Brand(i, b.name, b.department) for i, b in enumerate(brands))
    return Taxonomy(tuple(categories), attributes, brands)


@dataclass(frozen=True, slots=True)
class IdScheme:
    """A platform's ids over the shared tree: category `base + ordinal`, except the `pinned` ids, which go to
    the first plain leaves in order (so a seed's categories stay what they were)."""

    base: int
    pinned: tuple[int, ...] = ()
    attribute_base: int = 100
    value_base: int = 1000
    brand_base: int = 1


class PlatformTaxonomy:
    """One platform's view: its ids for categories, attributes, values and brands, and back."""

    def __init__(self, scheme: IdScheme) -> None:
        self.tree = taxonomy()
        plain = [c.ordinal for c in self.tree.categories if c.plain][: len(scheme.pinned)]
        pins = dict(zip(plain, scheme.pinned, strict=True))
        self._ids = [pins.get(c.ordinal, scheme.base + c.ordinal) for c in self.tree.categories]
        self._by_id = {cid: c for cid, c in zip(self._ids, self.tree.categories, strict=True)}
        if len(self._by_id) != len(self._ids):
            raise ValueError("pinned category ids collide with generated ones")
        self.scheme = scheme

    def id_of(self, category: Category) -> int:
        return self._ids[category.ordinal]

    def parent_id(self, category: Category) -> int | None:
        return None if category.parent is None else self._ids[category.parent]

    def category(self, category_id: object) -> Category | None:
        try:
            return self._by_id.get(int(str(category_id)))
        except ValueError:
            return None

    def leaf(self, category_id: object) -> Category | None:
        found = self.category(category_id)
        return found if found is not None and found.leaf else None

    def plain_leaves(self) -> list[int]:
        return [self.id_of(c) for c in self.tree.categories if c.plain]

    def attribute_id(self, attribute: Attribute) -> int:
        return self.scheme.attribute_base + attribute.ordinal

    def attribute(self, attribute_id: object) -> Attribute | None:
        text = str(attribute_id)
        index = int(text) - self.scheme.attribute_base if text.isdigit() else -1
        return self.tree.attributes[index] if 0 <= index < len(self.tree.attributes) else None

    def value_id(self, attribute: Attribute, index: int) -> int:
        return self.scheme.value_base + attribute.ordinal * 100 + index

    def value(self, attribute: Attribute, value_id: object) -> Words | None:
        text = str(value_id)
        index = int(text) - self.scheme.value_base - attribute.ordinal * 100 if text.isdigit() else -1
        return attribute.values[index] if 0 <= index < len(attribute.values) else None

    def brand_id(self, brand: Brand) -> int:
        return self.scheme.brand_base + brand.ordinal

    def brand(self, brand_id: object) -> Brand | None:
        text = str(brand_id)
        index = int(text) - self.scheme.brand_base if text.isdigit() else -1
        return self.tree.brands[index] if 0 <= index < len(self.tree.brands) else None


@dataclass(frozen=True, slots=True)
class Problem:
    kind: Literal["attribute_missing", "attribute_value", "brand_missing", "brand_invalid"]
    attribute: Attribute | None = None
    value: str = ""


def _value_ok(attribute: Attribute, values: Sequence[str]) -> bool:
    if not values or any(not v.strip() for v in values):
        return False
    if attribute.selects:
        names = {n.casefold() for pair in attribute.values for n in pair}
        return (attribute.input_type == "multi_select" or len(values) == 1) and all(
            v.casefold() in names for v in values
        )
    if attribute.input_type == "numeric":
        try:
            return all(Decimal(v) >= 0 for v in values)
        except InvalidOperation:
            return False
    return True


def check(
    tree: Taxonomy,
    category: Category,
    values: Mapping[Attribute, Sequence[str]],
    brand: Brand | None,
    *,
    brand_rules: bool = True,
) -> Problem | None:
    """The first rule of `category` that the attribute values (value names, as text) and brand break."""
    for rule in category.rules:
        given = values.get(rule.attribute)
        if given is None:
            if rule.mandatory:
                return Problem("attribute_missing", rule.attribute)
        elif not _value_ok(rule.attribute, given):
            return Problem("attribute_value", rule.attribute, ", ".join(given))
    if brand_rules:
        if brand is None and category.brand_required:
            return Problem("brand_missing")
        if brand is not None and brand.department != category.department:
            return Problem("brand_invalid", value=brand.name)
    return None


def image_size(data: bytes) -> tuple[str, int, int] | None:
    """(format, width, height) of a PNG or JPEG image; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return "png", width, height
    if data.startswith(b"\xff\xd8"):
        at = 2
        while at + 9 < len(data) and data[at] == 0xFF:
            marker, length = data[at + 1], struct.unpack(">H", data[at + 2 : at + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[at + 5 : at + 9])
                return "jpeg", width, height
            at += 2 + length
    return None


@dataclass(frozen=True, slots=True)
class StoredImage:
    image_id: str
    format: str
    width: int
    height: int
    size: int


class ImageStore:
    """Images uploaded to a sandbox, by the id it gave them (sequential, so a run is reproducible)."""

    def __init__(self) -> None:
        self.images: dict[str, StoredImage] = {}
        self.issued: set[str] = set()  # what a create may name: the ids and URLs the upload answered

    def issue(self, name: str) -> None:
        self.issued.add(name)

    def foreign(self, names: list[str], kept: list[str] | tuple[str, ...] = ()) -> str | None:
        """The first of `names` this sandbox did not issue (nor the listing already has), else None."""
        return next(
            (n for n in names if n not in self.images and n not in self.issued and n not in kept), None
        )

    def add(self, data: bytes, prefix: str) -> StoredImage | None:
        """Keep a PNG or JPEG image; None for anything else."""
        found = image_size(data)
        if found is None:
            return None
        image_id = f"{prefix}{len(self.images) + 1:012x}"
        image = self.images[image_id] = StoredImage(image_id, found[0], found[1], found[2], len(data))
        return image
