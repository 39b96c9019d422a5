"""Exports of a report as CSV or XLSX: one header row, then one row per report row.

A text cell a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) is
written with a leading apostrophe, so a shop or product name cannot become a formula in the seller's
spreadsheet. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import xlsxwriter

Cell = str | int | float | Decimal | date | datetime | None
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Table:
    name: str  # the file's name, without extension
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


class _Line:
    def __init__(self) -> None:
        self.buffer = io.StringIO()

    def write(self, text: str) -> int:
        return self.buffer.write(text)

    def take(self) -> str:
        out = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return out


def csv_chunks(table: Table) -> Iterator[str]:
    """The table as CSV, one row at a time."""
    line = _Line()
    writer = csv.writer(line)
    writer.writerow([neutralise(h) for h in table.headers])
    yield line.take()
    for row in table.rows:
        writer.writerow([_text(c) for c in row])
        yield line.take()


def xlsx_bytes(table: Table) -> bytes:
    """The table as one XLSX worksheet (numbers as numbers, dates as dates)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet(table.name[:31])
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    _write_row(sheet, 0, table.headers, day, moment)
    for i, row in enumerate(table.rows, start=1):
        _write_row(sheet, i, row, day, moment)
    book.close()
    return out.getvalue()


def _write_row(sheet: object, i: int, row: Iterable[Cell], day: object, moment: object) -> None:
    for j, cell in enumerate(row):
        if cell is None:
            continue
        if isinstance(cell, bool | int | float | Decimal):
            sheet.write_number(i, j, float(cell))  # type: ignore[attr-defined]
        elif isinstance(cell, datetime):
            sheet.write_datetime(i, j, _naive_utc(cell), moment)  # type: ignore[attr-defined]
        elif isinstance(cell, date):
            sheet.write_datetime(i, j, datetime(cell.year, cell.month, cell.day), day)  # type: ignore[attr-defined]
        else:
            sheet.write_string(i, j, neutralise(cell))  # type: ignore[attr-defined]


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
