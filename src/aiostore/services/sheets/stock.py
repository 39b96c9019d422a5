"""A stock sheet: one row per SKU with its new stock (`stock`), a change (`delta`) and/or a safety
buffer; read into the change-set items of services/changes (`StockItemIn` fields, `row` set)."""

from __future__ import annotations

from typing import IO, Any

from aiostore.services.sheets import cells
from aiostore.services.sheets.reading import Progress, SheetRead, read_items
from aiostore.services.sheets.table import Column, Row, Spec, row_error

SPEC = Spec(
    columns=(
        Column("sku", cells.sku, ("seller sku", "sku penjual", "kode sku", "master sku", "sku master"), True),
        Column(
            "stock", cells.count, ("stok", "on hand", "stock on hand", "qty", "quantity", "jumlah", "set")
        ),
        Column(
            "delta", cells.count, ("change", "perubahan", "adjust", "adjustment", "penyesuaian", "tambah")
        ),
        Column("safety_buffer", cells.non_negative, ("buffer", "safety stock", "stok pengaman", "stok aman")),
    ),
    ignored=("product", "options", "reserved", "available"),
)
EXAMPLE = [["TEE-RED-M", 25, "", ""], ["TEE-RED-L", "", -3, ""], ["MUG-01", 1200, "", 2]]


def _item(row: Row) -> dict[str, Any] | None:
    values = row.values
    if "stock" in values and "delta" in values:
        row_error(row, "delta", "both_given", "give the new stock or a change (delta), not both")
    elif not {"stock", "delta", "safety_buffer"} & values.keys() and not row.errors:
        row_error(row, "stock", "required", "this cell is empty (give the new stock, a delta or a buffer)")
    if row.errors:
        return None
    return {
        "sku": values["sku"],
        "set": values.get("stock"),
        "delta": values.get("delta"),
        "safety_buffer": values.get("safety_buffer"),
        "row": row.number,
    }


def read_stock(file: IO[bytes], filename: str | None = None, progress: Progress | None = None) -> SheetRead:
    """Every row of a stock sheet as item fields, or its row- and column-numbered errors."""
    return read_items(
        file, filename, SPEC, _item, needs_one_of=("stock", "delta", "safety_buffer"), progress=progress
    )
