"""Exports of a report as CSV or XLSX: one header row, then one row per report row.

Written by the spreadsheet layer (services/sheets/writing.py): CSV streamed by rows, XLSX through
openpyxl's write-only mode into a spooled file; a text cell a spreadsheet would run as a formula
(starting with = + - @, a tab or a carriage return) is neutralised there. Numbers stay numbers; dates
are date cells in XLSX (times in UTC) and ISO text in CSV.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import IO

from aiostore.services.sheets import writing

Cell = str | int | float | Decimal | date | datetime | None


@dataclass(frozen=True, slots=True)
class Table:
    name: str  # the file's name, without extension
    headers: Sequence[str]
    rows: Iterable[Sequence[Cell]]  # made as the writer takes them (read once)


def _value(cell: Cell) -> writing.Value:
    if isinstance(cell, datetime) and cell.tzinfo is not None:
        return cell.astimezone(UTC).replace(tzinfo=None)  # a spreadsheet cell holds no zone
    if isinstance(cell, float):
        return Decimal(repr(cell))
    return cell


# Cells _value returns unchanged (exact types: a datetime is a date too), passed without the call
_AS_IS: frozenset[type] = frozenset({int, str, Decimal, date, type(None)})


def _rows(table: Table) -> Iterator[list[writing.Value]]:
    return ([c if type(c) in _AS_IS else _value(c) for c in row] for row in table.rows)  # type: ignore[misc]


def csv_chunks(table: Table) -> Iterator[bytes]:
    """The table as CSV (UTF-8 with a byte order mark), a chunk at a time."""
    return writing.csv_chunks(table.headers, _rows(table))


def xlsx_file(table: Table) -> IO[bytes]:
    """The table as one XLSX worksheet in a spooled file, positioned at its start (the caller closes)."""
    return writing.xlsx_file(table.headers, _rows(table), title=table.name)
