"""An organisation's changes to the rules: tighter limits, warnings turned off, its own forbidden terms.

A limit may only be tightened (a lower maximum, a higher minimum): a looser one would pass the preview
and be refused by the platform. SEO thresholds are advice and may move either way. Only warnings may be
disabled; errors are the platforms' own refusals.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from aiostore.domain.market import MarketCode
from aiostore.domain.platforms import Platform
from aiostore.domain.rules.catalog import WARNINGS
from aiostore.domain.rules.schema import Strict, check_term

Direction = Literal["lower", "raise", "any"]

# Which limits an organisation may change, and which way.
LIMIT_KEYS: dict[str, Direction] = {
    "title.min": "raise",
    "title.max": "lower",
    "description.min": "raise",
    "description.max": "lower",
    "images.min": "raise",
    "images.max": "lower",
    "sku.max_length": "lower",
    "variants.max_variants": "lower",
    "stock.max": "lower",
    "seo.max_word_repeats": "any",
    "seo.max_caps_percent": "any",
    "seo.title_recommended_min": "any",
    "seo.description_recommended_min": "any",
}


class LimitOverride(Strict):
    platform: Platform | None = None  # None: every platform
    market: MarketCode | None = None  # None: every market
    key: str
    value: int = Field(ge=0, le=1_000_000_000)

    @field_validator("key")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in LIMIT_KEYS:
            raise ValueError(f"not a limit an organisation may change; one of {', '.join(LIMIT_KEYS)}")
        return value


class OrgOverrides(Strict):
    limits: list[LimitOverride] = Field(default=[], max_length=200)
    disabled_rules: list[str] = Field(default=[], max_length=100)
    forbidden_terms: list[str] = Field(default=[], max_length=500)

    @field_validator("disabled_rules")
    @classmethod
    def _warnings_only(cls, value: list[str]) -> list[str]:
        for rule in value:
            if rule not in WARNINGS:
                raise ValueError(
                    f"{rule!r} is not a warning; only these may be disabled: {', '.join(sorted(WARNINGS))}"
                )
        return sorted(set(value))

    @field_validator("forbidden_terms")
    @classmethod
    def _terms(cls, value: list[str]) -> list[str]:
        cleaned: list[str] = []
        for term in value:
            term = " ".join(term.split())
            if not 2 <= len(term) <= 100:
                raise ValueError("each term has 2 to 100 characters")
            check_term(term)
            if term not in cleaned:
                cleaned.append(term)
        return cleaned

    def applies(self, platform: str, market: str) -> list[LimitOverride]:
        return [
            o
            for o in self.limits
            if (o.platform is None or o.platform.value == platform)
            and (o.market is None or o.market.value == market)
        ]
