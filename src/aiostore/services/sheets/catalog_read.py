"""A catalog sheet (the columns of the export): one row per variant, read into the fields a
product and a variant take. A blank cell leaves that field as it is."""

from __future__ import annotations

from typing import IO, Any

from aiostore.domain.market import MarketCode, market
from aiostore.services.sheets import cells
from aiostore.services.sheets.export import MARKET_PRICE_COLUMNS, STOCK_COLUMNS
from aiostore.services.sheets.numbers import NumberError, parse_amount
from aiostore.services.sheets.reading import Progress, SheetRead, read_items
from aiostore.services.sheets.source import Cell
from aiostore.services.sheets.table import CellError, Column, Row, Spec, row_error, text_of

STATUSES = ("active", "draft", "archived")
_PRICE_ALIASES = {
    MarketCode.ID: ("harga id", "price indonesia", "harga indonesia", "price idr", "harga idr"),
    MarketCode.SG: ("harga sg", "price singapore", "price sgd", "harga sgd"),
    MarketCode.MY: ("harga my", "price malaysia", "price myr", "harga myr"),
}


def options(cell: Cell) -> dict[str, str]:
    """`Warna: Merah; Ukuran: M` as {"Warna": "Merah", "Ukuran": "M"}."""
    out: dict[str, str] = {}
    for part in text_of(cell).split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition(":")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise CellError(f"{part.strip()[:60]!r} is not 'name: value' (e.g. 'Warna: Merah; Ukuran: M')")
        if len(name) > 50 or len(value) > 100:
            raise CellError("an option name is at most 50 characters, a value at most 100", "too_long")
        if name in out:
            raise CellError(f"option {name!r} is given twice", "duplicate")
        out[name] = value
    return out


def status(cell: Cell) -> str:
    value = text_of(cell).casefold()
    names = {"aktif": "active", "draf": "draft", "diarsipkan": "archived", "arsip": "archived"}
    value = names.get(value, value)
    if value not in STATUSES:
        raise CellError(
            f"{text_of(cell)[:30]!r} is not a status: active, draft or archived", "invalid_status"
        )
    return value


def _size(limit: int) -> Any:
    def parse(cell: Cell) -> int:
        value = cells.non_negative(cell)
        if value > limit:
            raise CellError(f"at most {limit:,}", "out_of_range")
        return value

    return parse


SPEC = Spec(
    columns=(
        Column(
            "product", cells.text(300), ("title", "product title", "nama produk", "produk", "judul"), True
        ),
        Column("sku", cells.sku, ("seller sku", "sku penjual", "kode sku", "master sku"), True),
        Column("options", options, ("variant", "variasi", "varian", "opsi")),
        Column("brand", cells.text(120), ("merek", "merk")),
        Column("category", cells.text(200), ("kategori",)),
        Column("status", status, ()),
        Column("barcode", cells.text(64), ("ean", "gtin", "kode batang")),
        Column("weight_grams", _size(1_000_000), ("weight", "berat", "berat gram", "weight g")),
        Column("length_mm", _size(100_000), ("length", "panjang", "panjang mm")),
        Column("width_mm", _size(100_000), ("width", "lebar", "lebar mm")),
        Column("height_mm", _size(100_000), ("height", "tinggi", "tinggi mm")),
        *(Column(name, cells.raw, _PRICE_ALIASES[code]) for code, name in MARKET_PRICE_COLUMNS.items()),
    ),
    ignored=STOCK_COLUMNS,
)
EXAMPLE = [
    [
        "Kaos Polos",
        "TEE-RED-M",
        "Warna: Merah; Ukuran: M",
        "Toko Kita",
        "Pakaian",
        "active",
        "",
        200,
        "",
        "",
        "",
        "150.000",
        "12.90",
        "",
    ],
    [
        "Kaos Polos",
        "TEE-RED-L",
        "Warna: Merah; Ukuran: L",
        "",
        "",
        "",
        "",
        220,
        "",
        "",
        "",
        "155.000",
        "",
        "",
    ],
]


def _item(row: Row) -> dict[str, Any] | None:
    values = dict(row.values)
    prices: dict[str, str] = {}
    for code, name in MARKET_PRICE_COLUMNS.items():
        if name in values:
            currency = market(code).currency
            try:
                prices[code.value] = str(parse_amount(values.pop(name), currency))
            except NumberError as exc:
                row_error(row, name, exc.code, f"{exc} ({currency.value})")
    if row.errors:
        return None
    values["prices"] = prices
    values["row"] = row.number
    return values


def read_catalog(file: IO[bytes], filename: str | None = None, progress: Progress | None = None) -> SheetRead:
    """Every row of a catalog sheet as product and variant fields, or its numbered errors."""
    return read_items(file, filename, SPEC, _item, progress=progress)
