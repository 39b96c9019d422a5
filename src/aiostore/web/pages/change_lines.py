"""The New stock change and New price change forms: lines pasted from a spreadsheet (tab, semicolon or
comma between columns) become the API's own items (`StockItemIn`, `PriceItemIn`), each carrying its line
number as `row`, so that the preview's findings name the line. A line that cannot become an item is
reported with its number, in the page's language, and nothing is previewed.

Stock: `SKU, quantity[, safety buffer]`: a quantity `12` sets on hand, `+3` or `-2` moves it; an empty
quantity with a buffer only sets the buffer. Price: `SKU, market or shop, price[, sale price]`: a market
code (`ID`) sets the price every shop of that market sells at, a shop's name that shop's own price.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from aiostore.domain.market import MarketCode
from aiostore.services.changes.schemas import MAX_ITEMS, PriceItemIn, StockItemIn
from aiostore.web import i18n
from aiostore.web.i18n import N_

M = TypeVar("M", bound=BaseModel)
_QUANTITY = re.compile(r"^[+-]?\d{1,9}$")
_PROBLEMS = {
    "columns": N_("Line %(line)s: expected %(expected)s columns separated by tabs, semicolons or commas."),
    "quantity": N_("Line %(line)s: the quantity is not a whole number (12 sets, +3 or -2 moves)."),
    "buffer": N_("Line %(line)s: the safety buffer is not a whole number from 0."),
    "nothing": N_("Line %(line)s: give a quantity or a safety buffer."),
    "target": N_("Line %(line)s: no market or shop is called %(target)s."),
    "ambiguous": N_("Line %(line)s: several shops are called %(target)s; rename one on its platform."),
    "price": N_("Line %(line)s: the price is not a number (use a dot for decimals: 12.90)."),
    "invalid": N_("Line %(line)s: this line is not valid (%(detail)s)."),
    "empty": N_("Write at least one line."),
    "too_many": N_("At most %(limit)s lines; import a spreadsheet for more."),
}


@dataclass(frozen=True, slots=True)
class Shop:
    id: uuid.UUID
    name: str


class LineError(Exception):
    def __init__(self, code: str, **values: Any) -> None:
        super().__init__(code)
        self.code, self.values = code, values

    def message(self) -> str:
        return i18n._(_PROBLEMS[self.code]) % self.values


def _columns(line: str) -> list[str]:
    for separator in ("\t", ";", ","):
        if separator in line:
            return [c.strip() for c in line.split(separator)]
    return [line.strip()]


def _lines(text: str) -> list[tuple[int, list[str]]]:
    found = [(n, _columns(raw)) for n, raw in enumerate(text.splitlines(), start=1) if raw.strip()]
    if not found:
        raise LineError("empty")
    if len(found) > MAX_ITEMS:
        raise LineError("too_many", limit=MAX_ITEMS)
    return found


def _model(model: type[M], line: int, data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        detail = "; ".join(str(e.get("msg")) for e in exc.errors())
        raise LineError("invalid", line=line, detail=detail) from exc


def _whole(value: str, line: int, code: str) -> int | None:
    if value == "":
        return None
    if not _QUANTITY.match(value):
        raise LineError(code, line=line)
    return int(value)


def stock_items(text: str) -> list[StockItemIn]:
    items: list[StockItemIn] = []
    for line, cols in _lines(text):
        if len(cols) not in (2, 3):
            raise LineError("columns", line=line, expected="2 - 3")
        quantity = _whole(cols[1], line, "quantity")
        buffer = _whole(cols[2], line, "buffer") if len(cols) == 3 else None
        if buffer is not None and buffer < 0:
            raise LineError("buffer", line=line)
        if quantity is None and buffer is None:
            raise LineError("nothing", line=line)
        moves = cols[1][:1] in ("+", "-")
        data: dict[str, Any] = {"sku": cols[0], "row": line, "safety_buffer": buffer}
        data |= {"delta": quantity} if moves else {"set": quantity}
        items.append(_model(StockItemIn, line, data))
    return items


def _amount(value: str, line: int) -> Decimal:
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:
        raise LineError("price", line=line) from exc
    if not amount.is_finite():
        raise LineError("price", line=line)
    return amount


def _target(value: str, line: int, shops: Sequence[Shop]) -> dict[str, Any]:
    if value.upper() in MarketCode.__members__:
        return {"market": value.upper()}
    named = [s for s in shops if s.name.strip().lower() == value.lower()]
    if len(named) > 1:
        raise LineError("ambiguous", line=line, target=value)
    if not named:
        raise LineError("target", line=line, target=value)
    return {"channel_account_id": named[0].id}


def price_items(text: str, shops: Sequence[Shop]) -> list[PriceItemIn]:
    items: list[PriceItemIn] = []
    for line, cols in _lines(text):
        if len(cols) not in (3, 4):
            raise LineError("columns", line=line, expected="3 - 4")
        data = {"sku": cols[0], "row": line, "price": _amount(cols[2], line)}
        if len(cols) == 4 and cols[3]:
            data["sale_price"] = _amount(cols[3], line)
        items.append(_model(PriceItemIn, line, data | _target(cols[1], line, shops)))
    return items
