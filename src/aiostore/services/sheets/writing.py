"""Writing sheets: CSV streamed row by row, XLSX through openpyxl's write-only mode into a spooled
temporary file (memory up to a megabyte, then disk), never a whole workbook in memory.

A text cell a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return)
is neutralised as OWASP's CSV-injection rule says: an apostrophe is put before it, and in XLSX it is
also written as a string cell. Our imports remove that apostrophe again (table.text_of).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Literal

from aiostore.services.sheets.table import FORMULA_START

Value = str | int | Decimal | None
WriteFormat = Literal["csv", "xlsx"]
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_SPOOL_BYTES = 1024 * 1024
_FLUSH_BYTES = 64 * 1024


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def _csv_cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Value]]) -> Iterator[bytes]:
    """UTF-8 CSV with a byte order mark (Excel then reads it as UTF-8), in chunks of about 64 KiB."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
        if buffer.tell() >= _FLUSH_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_file(header: Sequence[str], rows: Iterable[Sequence[Value]], title: str = "Sheet1") -> IO[bytes]:
    """A workbook of one sheet in a spooled temporary file, positioned at its start (the caller closes)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])

    def cells(values: Sequence[Value]) -> list[object]:
        out: list[object] = []
        for value in values:
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=neutralise(value))
                cell.data_type = "s"  # never a formula, whatever the text
                out.append(cell)
            else:
                out.append(value)
        return out

    sheet.append(cells(list(header)))
    for row in rows:
        sheet.append(cells(row))
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115  (returned)
    workbook.save(spool)
    spool.seek(0)
    return spool


def file_chunks(file: IO[bytes], size: int = _FLUSH_BYTES) -> Iterator[bytes]:
    """A file's bytes in chunks; the file is closed at the end."""
    try:
        while chunk := file.read(size):
            yield chunk
    finally:
        file.close()
