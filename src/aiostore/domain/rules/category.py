"""Limits a platform serves for one category (Shopee's get_item_limit, TikTok Shop's category rules): title
and description length, image count, variants, stock and price bounds, whether weight and package size are
needed, whether a size chart is, and the product certifications it requires. They replace the rules
files' offline defaults for listings of that category (the platform's own word wins over a sample), and an
organisation's overrides still tighten them (`loader.effective_rules(..., category=)`).

Read by a connector (`category_limits`), kept in the reference cache with the category, and turned into
rules here: pure, no I/O.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field

from aiostore.domain.market import Currency
from aiostore.domain.rules.schema import Bounds, Ordered, Strict


class PriceBounds(Ordered):
    """Major units of the shop market's currency."""

    min: Decimal | None = Field(default=None, ge=0)
    max: Decimal | None = Field(default=None, gt=0)


class CategoryLimits(Strict):
    """What the platform says of one category; None: it said nothing of that limit."""

    title: Bounds | None = None
    description: Bounds | None = None
    images: Bounds | None = None
    max_variants: int | None = Field(default=None, gt=0)
    tier_name_max: int | None = Field(default=None, gt=0)
    option_max: int | None = Field(default=None, gt=0)
    stock: Bounds | None = None
    price: PriceBounds | None = None
    weight_required: bool | None = None
    dimensions_required: bool | None = None
    size_chart_required: bool | None = None
    certifications: tuple[str, ...] = ()  # names of the certifications the category requires

    def applied(self, rules: dict[str, Any], currency: Currency) -> dict[str, Any]:
        """`rules` (a rules file's dump) with these limits in place of its own."""
        out = {key: dict(value) if isinstance(value, dict) else value for key, value in rules.items()}
        for section, bounds in (
            ("title", self.title),
            ("description", self.description),
            ("images", self.images),
            ("stock", self.stock),
        ):
            if bounds is not None:
                out[section] |= {k: v for k, v in bounds.model_dump().items() if v is not None}
        variants = {
            "max_variants": self.max_variants,
            "tier_name_max": self.tier_name_max,
            "option_max": self.option_max,
        }
        out["variants"] |= {k: v for k, v in variants.items() if v is not None}
        if self.price is not None and (self.price.min is not None or self.price.max is not None):
            price = out["price"].get(currency.value) or {"decimals": currency.exponent}
            served = {"min": self.price.min, "max": self.price.max}
            out["price"][currency.value] = dict(price) | {k: v for k, v in served.items() if v is not None}
        if self.weight_required is not None:
            out["logistics"]["weight_required"] = self.weight_required
        if self.dimensions_required:
            out["logistics"]["dimensions"] = "required"
        if self.size_chart_required or self.certifications:
            out["requires"] = {
                "size_chart": bool(self.size_chart_required),
                "certifications": list(self.certifications),
            }
        return out
