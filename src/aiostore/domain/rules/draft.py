"""What the engine checks (a listing draft) and what it answers (findings)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from aiostore.domain.market import Currency
from aiostore.domain.rules.catalog import RULES, Severity


@dataclass(frozen=True, slots=True)
class Image:
    url: str
    width: int | None = None
    height: int | None = None
    format: str | None = None  # "jpeg", "png", ... (lower case)
    bytes: int | None = None


@dataclass(frozen=True, slots=True)
class Tier:
    """One variation type (colour, size) and its options, in order."""

    name: str
    options: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VariantDraft:
    ref: str  # the variant's id or master SKU, named in its findings
    sku: str | None
    price: Decimal  # major units, as entered (excess precision is a finding, not rounded)
    currency: Currency
    stock: int
    options: tuple[str, ...] = ()  # one per tier, in tier order


@dataclass(frozen=True, slots=True)
class AttributeDefinition:
    """One attribute of the listing's category, as the platform defines it (Shopee get_attribute_tree,
    TikTok category attributes, Lazada category attributes, Tokopedia annotations)."""

    name: str
    mandatory: bool = False
    options: tuple[str, ...] = ()  # the values the platform offers; empty: free text
    custom_allowed: bool = True  # a value outside `options` is accepted (TikTok is_customizable)
    max_length: int | None = None  # free text (TikTok custom values: 500)


@dataclass(frozen=True, slots=True)
class Dimensions:
    length_cm: int | None = None
    width_cm: int | None = None
    height_cm: int | None = None


@dataclass(frozen=True, slots=True)
class ListingDraft:
    ref: str  # the listing's (or product's) id, named in every finding
    title: str
    description: str
    images: tuple[Image, ...] = ()
    sku: str | None = None
    tiers: tuple[Tier, ...] = ()
    variants: tuple[VariantDraft, ...] = ()
    brand: str | None = None
    attributes: Mapping[str, str] = dataclasses.field(default_factory=dict)  # name → the value given
    category_attributes: tuple[AttributeDefinition, ...] = ()  # the category's definitions
    brand_required: bool = False  # the category's brand is mandatory
    weight_g: int | None = None
    dimensions: Dimensions = Dimensions()


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    platform: str
    market: str
    ref: str  # the listing, or the variant for a variant's finding
    field: str  # "title", "variants[2].price", "images[0].format"
    value: str | None  # the offending value (for text: the span's text)
    span: tuple[int, int] | None = None  # [start, end) in the field's text, in code points
    params: Mapping[str, str | int] = dataclasses.field(default_factory=dict)

    @property
    def message_id(self) -> str:
        return RULES[self.rule].message

    def message(self, gettext: Callable[[str], str] = str) -> str:
        """The seller's message; pass a catalog's gettext for another language (English by default)."""
        return gettext(self.message_id) % {
            "platform": self.platform,
            "market": self.market,
            "value": self.value if self.value is not None else "",
            **self.params,
        }
