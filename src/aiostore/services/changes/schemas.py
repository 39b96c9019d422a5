"""Input and finding shapes of change sets (validated at the edge; unknown fields are refused).

Spreadsheet imports build the same items, with `row` set to the row the item came from, so that a
finding can say "row 12, column price".
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from aiostore.domain.market import MarketCode
from aiostore.input_policy import Amount

MAX_UNITS = 10_000_000  # the largest stock quantity, delta or buffer one item may name
MAX_ITEMS = 10_000  # items in one change set
Sku = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Row = Annotated[int, Field(ge=1, le=10_000_000)]
Severity = Literal["error", "warning"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StockItemIn(Strict):
    """Set on hand, or move it by a delta (or only set the safety buffer). A `set` below zero is
    accepted here and reported as the `negative_stock` finding, like a delta that goes below zero."""

    sku: Sku
    set: int | None = Field(default=None, ge=-MAX_UNITS, le=MAX_UNITS)
    delta: int | None = Field(default=None, ge=-MAX_UNITS, le=MAX_UNITS)
    safety_buffer: int | None = Field(default=None, ge=0, le=MAX_UNITS)
    row: Row | None = None

    @model_validator(mode="after")
    def _one_change(self) -> StockItemIn:
        if self.set is not None and self.delta is not None:
            raise PydanticCustomError("set_and_delta", "give either set or delta, not both")
        if self.set is None and self.delta is None and self.safety_buffer is None:
            raise PydanticCustomError("nothing_to_change", "give set, delta or safety_buffer")
        return self


class PriceItemIn(Strict):
    """A price in one market (the master price every shop of that market without its own price
    sells at) or on one shop (that shop's own price for the SKU's listing)."""

    sku: Sku
    channel_account_id: uuid.UUID | None = None
    market: MarketCode | None = None
    price: Amount
    sale_price: Amount | None = None
    row: Row | None = None

    @model_validator(mode="after")
    def _one_target(self) -> PriceItemIn:
        if (self.channel_account_id is None) == (self.market is None):
            raise PydanticCustomError("market_or_shop", "give exactly one of channel_account_id or market")
        return self


class Finding(BaseModel):
    """One thing a preview found about an item. Errors are never applied; warnings need
    `acknowledge_warnings` on commit."""

    code: str
    severity: Severity
    field: str
    message: str
    row: int | None = None

    def plain(self) -> dict[str, Any]:
        return self.model_dump()


class ChangePolicy(Strict):
    """An organization's thresholds for bulk changes (PUT /api/org/change-policy)."""

    large_change_factor: int = Field(
        default=10, ge=2, le=1000, description="stock moving by this factor or more is a large change"
    )
    large_change_units: int = Field(
        default=10_000,
        ge=1,
        le=MAX_UNITS,
        description="stock moving by this many units or more is a large change",
    )
    price_change_warning_percent: int = Field(
        default=50, ge=1, le=1000, description="a price moving by more than this share needs acknowledging"
    )
    approval_zeroed_skus: int = Field(
        default=20, ge=0, le=MAX_ITEMS, description="more SKUs than this going to zero need a second person"
    )
    approval_price_drop_percent: int = Field(
        default=30,
        ge=1,
        le=100,
        description="any price dropping by more than this share needs a second person",
    )
    preview_ttl_minutes: int = Field(
        default=60, ge=5, le=1440, description="how long a preview may be committed"
    )
