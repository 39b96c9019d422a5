"""Cell parsers shared by the import specs: text, SKU, whole counts, markets, ids."""

from __future__ import annotations

import re
import uuid
from typing import Any

from aiostore.domain.market import MarketCode
from aiostore.services.sheets.numbers import NumberError, parse_count
from aiostore.services.sheets.source import Cell
from aiostore.services.sheets.table import CellError, text_of

SKU_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/+#]*$")
_MARKETS = {
    "id": MarketCode.ID,
    "indonesia": MarketCode.ID,
    "idr": MarketCode.ID,
    "sg": MarketCode.SG,
    "singapore": MarketCode.SG,
    "singapura": MarketCode.SG,
    "sgd": MarketCode.SG,
    "my": MarketCode.MY,
    "malaysia": MarketCode.MY,
    "myr": MarketCode.MY,
}


def text(limit: int) -> Any:
    def parse(cell: Cell) -> str:
        value = text_of(cell)
        if len(value) > limit:
            raise CellError(f"longer than {limit} characters", "too_long")
        if "\x00" in value:
            raise CellError("holds a NUL character", "invalid_text")
        return value

    return parse


def sku(cell: Cell) -> str:
    value = text_of(cell)
    if len(value) > 100 or not SKU_PATTERN.fullmatch(value):
        raise CellError(
            f"{value[:100]!r} is not a SKU (letters, digits and . _ - / + #, "
            "starting with a letter or digit)",
            "invalid_sku",
        )
    return value


def count(cell: Cell) -> int:
    try:
        return parse_count(text_of(cell) if isinstance(cell, str) else cell)
    except NumberError as exc:
        raise CellError(str(exc), exc.code) from exc


def non_negative(cell: Cell) -> int:
    value = count(cell)
    if value < 0:
        raise CellError("cannot be negative", "negative")
    return value


def raw(cell: Cell) -> Cell:
    """Kept as it is: parsed later with what the rest of the row says (a price needs its currency)."""
    return text_of(cell) if isinstance(cell, str) else cell


def market(cell: Cell) -> MarketCode:
    value = text_of(cell)
    code = _MARKETS.get(value.casefold())
    if code is None:
        raise CellError(f"{value[:40]!r} is not a market: ID, SG or MY", "invalid_market")
    return code


def channel_id(cell: Cell) -> uuid.UUID:
    value = text_of(cell)
    try:
        return uuid.UUID(value)
    except ValueError:
        raise CellError(f"{value[:40]!r} is not a shop id (the id shown under Shops)", "invalid_id") from None
