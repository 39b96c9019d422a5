"""A price sheet: one row per SKU and market (or shop) with its price and sale price; read into the
change-set items of services/changes (`PriceItemIn` fields, `row` set).

A price is read in its currency's convention (services/sheets/numbers.py): the market's, or the
market of the shop named; a shop of another organization is "no such shop", as an unknown one is.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import IO, Any

from aiostore.domain.market import MarketCode, market
from aiostore.services.sheets import cells
from aiostore.services.sheets.numbers import NumberError, parse_amount
from aiostore.services.sheets.reading import Progress, SheetRead, read_items
from aiostore.services.sheets.table import Column, Row, Spec, row_error

SPEC = Spec(
    columns=(
        Column("sku", cells.sku, ("seller sku", "sku penjual", "kode sku", "master sku", "sku master"), True),
        Column("market", cells.market, ("pasar", "negara", "country")),
        Column("channel_account_id", cells.channel_id, ("channel", "channel id", "shop", "shop id", "toko")),
        Column(
            "price", cells.raw, ("harga", "harga jual", "base price", "normal price", "harga normal"), True
        ),
        Column(
            "sale_price", cells.raw, ("harga promo", "harga diskon", "sale", "promo price", "discount price")
        ),
    ),
    ignored=("product", "options", "currency", "mata uang"),
)
EXAMPLE = [
    ["TEE-RED-M", "ID", "", "150.000", ""],
    ["TEE-RED-M", "SG", "", "12.90", "9.90"],
    ["MUG-01", "ID", "", "1.250.000", "999.000"],
]


def _reader(channels: Mapping[uuid.UUID, MarketCode]) -> Any:
    def to_item(row: Row) -> dict[str, Any] | None:
        values = row.values
        code: MarketCode | None = values.get("market")
        channel = values.get("channel_account_id")
        if channel is not None and code is not None:
            row_error(row, "market", "both_given", "give a market or a shop (channel_account_id), not both")
        elif channel is not None:
            code = channels.get(channel)
            if code is None:
                row_error(row, "channel_account_id", "not_found", "no such shop in this organization")
        elif code is None and not row.errors:
            row_error(
                row, "market", "required", "this cell is empty (give a market: ID, SG or MY, or a shop)"
            )
        amounts: dict[str, str | None] = {}
        if code is not None:
            currency = market(code).currency
            for name in ("price", "sale_price"):
                if name not in values:
                    continue
                try:
                    amounts[name] = str(parse_amount(values[name], currency))
                except NumberError as exc:
                    row_error(row, name, exc.code, f"{exc} ({currency.value})")
        if row.errors:
            return None
        return {
            "sku": values["sku"],
            "channel_account_id": channel,
            "market": None if channel is not None else code,
            "price": amounts["price"],
            "sale_price": amounts.get("sale_price"),
            "row": row.number,
        }

    return to_item


def _key(item: dict[str, Any]) -> str:
    return f"{str(item['sku']).casefold()}|{item['market'] or item['channel_account_id']}"


def read_price(
    file: IO[bytes],
    filename: str | None,
    channels: Mapping[uuid.UUID, MarketCode],
    progress: Progress | None = None,
) -> SheetRead:
    """Every row of a price sheet as item fields, or its row- and column-numbered errors; `channels`
    are the organization's shops and their markets."""
    return read_items(
        file,
        filename,
        SPEC,
        _reader(channels),
        needs_one_of=("market", "channel_account_id"),
        key=_key,
        progress=progress,
        same="same SKU and market or shop",
    )
