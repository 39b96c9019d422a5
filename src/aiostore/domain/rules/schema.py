"""The shape of a rules file (`data/<platform>.toml`, `data/<platform>.<MARKET>.toml`, `data/common.toml`)
and of an organisation's overrides, validated with pydantic.

Every field has a default so that one model validates a single file (which sets only what it changes) and
the merged result alike; `None` means "no limit". Unknown keys are refused, so a typo in a rules file is
an error at start, not a silently ignored rule.
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from aiostore.domain.market import Currency


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LengthUnit(StrEnum):
    CHARACTERS = "characters"  # Unicode code points, what Python's len() counts
    UTF8_BYTES = "utf8_bytes"
    UTF16_UNITS = "utf16_units"


class Ordered(Strict):
    """A minimum and a maximum (either may be None: no limit), the minimum not above the maximum."""

    min: Any = None
    max: Any = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


class Bounds(Ordered):
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)


class TitleRules(Bounds):
    no_chinese: bool = False


class ImageRules(Bounds):
    formats: list[Literal["jpeg", "png", "webp", "gif"]] = ["jpeg", "png"]
    max_bytes: int | None = Field(default=None, gt=0)
    min_side: int | None = Field(default=None, gt=0)
    max_side: int | None = Field(default=None, gt=0)
    aspect_ratios: list[str] = []  # "1:1", "3:4": others are a warning

    @field_validator("aspect_ratios")
    @classmethod
    def _ratios(cls, value: list[str]) -> list[str]:
        for ratio in value:
            if not re.fullmatch(r"[1-9]\d{0,2}:[1-9]\d{0,2}", ratio):
                raise ValueError(f"{ratio!r} is not a ratio like 1:1")
        return value


class SkuRules(Strict):
    max_length: int | None = Field(default=None, gt=0)
    required: bool = False
    pattern: str | None = None

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {exc}") from exc
        return value


class VariantRules(Strict):
    max_variants: int | None = Field(default=None, gt=0)
    max_tiers: int | None = Field(default=None, gt=0)
    max_options_per_tier: int | None = Field(default=None, gt=0)
    tier_name_max: int | None = Field(default=None, gt=0)
    option_max: int | None = Field(default=None, gt=0)


class BrandRules(Strict):
    required: bool = False


class LogisticsRules(Strict):
    weight_required: bool = True
    min_weight_g: int | None = Field(default=None, ge=0)
    max_weight_g: int | None = Field(default=None, gt=0)
    dimensions: Literal["required", "all_or_none", "optional"] = "optional"


class Requirements(Strict):
    """What a category demands beyond the fields above (TikTok Shop's category rules): a size chart, and
    product certifications by name. Set from what the platform serves for a category, not by the files."""

    size_chart: bool = False
    certifications: list[str] = []


class CurrencyPrice(Strict):
    """A platform's prices in one currency: the bounds (the one place they are written: connectors'
    `ConnectorLimits.price_bounds` read them through `loader.price_bounds`) and the decimals taken.
    `published = false` marks bounds the platform does not publish (a sample, unverified): the
    content rules check them, change sets and connectors do not."""

    min: Decimal | None = Field(default=None, ge=0)
    max: Decimal | None = Field(default=None, gt=0)
    decimals: int = Field(ge=0, le=4)
    published: bool = True

    @field_validator("min", "max", mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        if isinstance(value, float):
            raise ValueError('write prices as strings ("0.10"), not floats')
        return value


class PriceRules(Strict):
    max_ratio: int | None = Field(default=None, gt=1)
    IDR: CurrencyPrice | None = None
    SGD: CurrencyPrice | None = None
    MYR: CurrencyPrice | None = None

    def of(self, currency: Currency) -> CurrencyPrice | None:
        found: CurrencyPrice | None = getattr(self, currency.value)
        return found


def check_term(term: str) -> str:
    """A term starts and ends with a letter or digit, so that it is matched as a whole word."""
    term = term.strip()
    if not (term[:1].isalnum() and term[-1:].isalnum()):
        raise ValueError(f"{term!r}: a term must start and end with a letter or digit")
    return term


class TextRules(Strict):
    forbidden_terms: list[str] = []
    platform_forbidden_terms: list[str] = []
    other_marketplaces: list[str] = []
    allowed_marketplaces: list[str] = []
    contact_kinds: list[Literal["phone", "email", "url", "whatsapp"]] = []
    messenger_terms: list[str] = []
    url_tlds: list[str] = []

    @field_validator(
        "forbidden_terms", "platform_forbidden_terms", "other_marketplaces", "messenger_terms", "url_tlds"
    )
    @classmethod
    def _no_blank(cls, value: list[str]) -> list[str]:
        for term in value:
            if not term.strip():
                raise ValueError("a term may not be blank")
            check_term(term)
        return value


class SeoRules(Strict):
    max_word_repeats: int | None = Field(default=None, ge=1)
    max_caps_percent: int | None = Field(default=None, ge=1, le=100)
    caps_min_letters: int = Field(default=10, ge=1)
    title_symbols: bool = False
    duplicate_titles: bool = False
    description_recommended_min: int | None = Field(default=None, ge=1)
    title_recommended_min: int | None = Field(default=None, ge=1)
    missing_brand: bool = False


class RulesFile(Strict):
    """One file, or the merge of common, platform and market files."""

    platform: str | None = None
    length_unit: LengthUnit = LengthUnit.CHARACTERS
    title: TitleRules = TitleRules()
    description: Bounds = Bounds()
    images: ImageRules = ImageRules()
    sku: SkuRules = SkuRules()
    variants: VariantRules = VariantRules()
    brand: BrandRules = BrandRules()
    logistics: LogisticsRules = LogisticsRules()
    requires: Requirements = Requirements()
    stock: Bounds = Bounds()
    price: PriceRules = PriceRules()
    text: TextRules = TextRules()
    seo: SeoRules = SeoRules()
    # A rule id → "error" or "warning", changing the rule's default severity on this platform.
    severity: dict[str, Literal["error", "warning"]] = {}
