"""Writing sheets: CSV streamed row by row, XLSX through openpyxl's write-only mode into a spooled
temporary file (memory up to a megabyte, then disk), never a whole workbook in memory.

A text cell a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return)
is neutralised as OWASP's CSV-injection rule says: an apostrophe is put before it, and in XLSX it is
also written as a string cell. Our imports remove that apostrophe again (table.text_of).
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import IO, Literal

from aiostore.services.sheets.table import FORMULA_START

Value = str | int | Decimal | date | None  # a date (or naive UTC datetime) is a date cell in XLSX
WriteFormat = Literal["csv", "xlsx"]
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_SPOOL_BYTES = 1024 * 1024
_CHUNK_BYTES = 64 * 1024


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


# Control characters XML 1.0 cannot hold (openpyxl refuses them): shown as U+FFFD in an XLSX cell, so a
# name with a stray control character exports instead of failing the whole file.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_safe(value: str) -> str:
    return _NOT_IN_XML.sub("\ufffd", value)


def _csv_cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# Cells the csv module writes as _csv_cell would (str() of a number, "" for None): passed as they are, as a
# per-cell call is most of an export's cost (a year by SKU is 36,000 rows of 13 cells).
_PLAIN: frozenset[type] = frozenset({int, Decimal, type(None)})


class CsvEncoder:
    """CSV rows as UTF-8 bytes, the first with a byte order mark (Excel then reads the file as UTF-8)."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")
        self._buffer.write("\ufeff")

    def encode(self, rows: Iterable[Sequence[Value]]) -> bytes:
        for row in rows:
            self._writer.writerow([v if type(v) in _PLAIN else _csv_cell(v) for v in row])
        data = self._buffer.getvalue().encode("utf-8")
        self._buffer.seek(0)
        self._buffer.truncate()
        return data


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Value]]) -> Iterator[bytes]:
    """A CSV file in chunks of about 64 KiB."""
    encoder = CsvEncoder()
    batch: list[Sequence[Value]] = [list(header)]
    for row in rows:
        batch.append(row)
        if len(batch) >= 500:
            yield encoder.encode(batch)
            batch = []
    yield encoder.encode(batch)


class XlsxWriter:
    """A one-sheet workbook written row by row (openpyxl write-only), saved to a spooled temporary file."""

    def __init__(self, header: Sequence[str], title: str = "Sheet1") -> None:
        from openpyxl import Workbook

        self._workbook = Workbook(write_only=True)
        self._sheet = self._workbook.create_sheet(title[:31])
        self.append(list(header))

    def append(self, values: Sequence[Value]) -> None:
        from openpyxl.cell import WriteOnlyCell

        out: list[object] = []
        for value in values:
            if isinstance(value, str):
                cell = WriteOnlyCell(self._sheet, value=xml_safe(neutralise(value)))
                cell.data_type = "s"  # never a formula, whatever the text
                out.append(cell)
            else:
                out.append(value)
        self._sheet.append(out)

    def finish(self) -> IO[bytes]:
        """The workbook's bytes, positioned at the start (the caller closes the file)."""
        spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115  (returned)
        self._workbook.save(spool)
        spool.seek(0)
        return spool


def xlsx_file(header: Sequence[str], rows: Iterable[Sequence[Value]], title: str = "Sheet1") -> IO[bytes]:
    """A workbook of one sheet in a spooled temporary file, positioned at its start (the caller closes)."""
    writer = XlsxWriter(header, title)
    for row in rows:
        writer.append(row)
    return writer.finish()


def file_chunks(file: IO[bytes], size: int = _CHUNK_BYTES) -> Iterator[bytes]:
    """A file's bytes in chunks; the file is closed at the end."""
    try:
        while chunk := file.read(size):
            yield chunk
    finally:
        file.close()
