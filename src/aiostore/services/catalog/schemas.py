"""Input shapes of the catalog API (validated at the edge; unknown fields are refused)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from aiostore.domain.market import Currency, MarketCode
from aiostore.input_policy import Amount

SKU = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-/+#]*$"
    ),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Url = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000, pattern=r"^https?://\S+$")
]
AttrValue = str | int | float | bool


class ProductStatus(StrEnum):
    ACTIVE = "active"
    DRAFT = "draft"
    ARCHIVED = "archived"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MoneyIn(Strict):
    amount: Amount
    currency: Currency


class InventoryIn(Strict):
    on_hand: int = Field(ge=0, le=10_000_000)
    safety_buffer: int = Field(default=0, ge=0, le=10_000_000)


def _check_attributes(value: dict[str, Any]) -> dict[str, Any]:
    if len(value) > 50:
        raise ValueError("at most 50 attributes")
    for key, item in value.items():
        if not key or len(key) > 100:
            raise ValueError("attribute names must be 1 to 100 characters")
        if isinstance(item, str) and len(item) > 1000:
            raise ValueError(f"attribute {key!r} is longer than 1000 characters")
    return value


class VariantFields(Strict):
    option_values: (
        dict[
            Annotated[str, StringConstraints(min_length=1, max_length=50)],
            Annotated[str, StringConstraints(min_length=1, max_length=100)],
        ]
        | None
    ) = None
    barcode: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = None
    weight_grams: int | None = Field(default=None, ge=0, le=1_000_000)
    length_mm: int | None = Field(default=None, ge=0, le=100_000)
    width_mm: int | None = Field(default=None, ge=0, le=100_000)
    height_mm: int | None = Field(default=None, ge=0, le=100_000)
    images: list[Url] | None = Field(default=None, max_length=20)
    attributes: dict[str, AttrValue] | None = None
    prices: dict[MarketCode, Amount | None] | None = None
    # The floor per market: no bulk price change may go below it (null removes it).
    min_prices: dict[MarketCode, Amount | None] | None = None
    cost: MoneyIn | None = None

    _attrs = field_validator("attributes")(
        lambda cls, v: v if v is None else _check_attributes(v)  # noqa: ARG005
    )


class VariantIn(VariantFields):
    sku: SKU
    inventory: InventoryIn | None = None


class VariantPatch(VariantFields):
    sku: SKU | None = None


class ProductFields(Strict):
    description: Annotated[str, StringConstraints(max_length=20_000)] | None = None
    brand: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] | None = None
    category: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    status: ProductStatus | None = None
    images: list[Url] | None = Field(default=None, max_length=20)
    attributes: dict[str, AttrValue] | None = None

    _attrs = field_validator("attributes")(
        lambda cls, v: v if v is None else _check_attributes(v)  # noqa: ARG005
    )


class ProductIn(ProductFields):
    title: Name
    variants: list[VariantIn] = Field(min_length=1, max_length=200)


class ProductPatch(ProductFields):
    title: Name | None = None


ReferenceId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
AttributeText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class AttributeValueIn(Strict):
    attribute_id: ReferenceId
    value_ids: list[ReferenceId] = Field(default_factory=list, max_length=50)
    texts: list[AttributeText] = Field(default_factory=list, max_length=20)
    unit: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = ""


class MappingIn(Strict):
    """A product's category, brand and attribute values on one platform and market."""

    market: MarketCode
    category_id: ReferenceId
    brand_id: ReferenceId | None = None
    attributes: list[AttributeValueIn] = Field(default_factory=list, max_length=100)
