"""Opening an uploaded spreadsheet as a stream of rows, whatever its format, encoding and delimiter.

The file is read where it lies (a spooled upload or a file on disk), never copied whole into memory:
CSV through a text wrapper over the binary file, XLSX through openpyxl's read-only mode (formulas are
read as their text, never evaluated). Row numbers are the spreadsheet's, from 1 (the header row).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Literal

from aiostore.errors import FieldError, ValidationFailed

Cell = str | int | float | Decimal | bool | datetime | date | time | None
Format = Literal["csv", "xlsx"]
MAX_ROWS = 100_000  # data rows one file may hold
MAX_COLUMNS = 200
_CHUNK = 64 * 1024
_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls (Excel 97-2003)
_DELIMITERS = (",", ";", "\t")


def file_error(message: str, code: str = "unreadable_file") -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError("file", code, message)])


@dataclass
class Sheet:
    """An opened spreadsheet: its rows (number, cells), and how it was read."""

    format: Format
    rows: Iterator[tuple[int, list[Cell]]]
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)  # warnings about the file itself


def open_sheet(file: IO[bytes], filename: str | None = None) -> Sheet:
    """Open `file` (seekable, positioned anywhere) as CSV or XLSX, told apart by its content."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(_XLSX_MAGIC):
        return _open_xlsx(file)
    if head.startswith(_OLE_MAGIC):
        raise file_error("this is an old Excel (.xls) file: save it as .xlsx or CSV", "unsupported_format")
    if filename and filename.lower().endswith((".xlsx", ".xlsm")):
        raise file_error("the file is not a valid .xlsx workbook", "unsupported_format")
    return _open_csv(file)


# --- CSV ----------------------------------------------------------------------------------------


def _encoding(file: IO[bytes]) -> tuple[str, list[str]]:
    """The file's encoding: a byte order mark's, else UTF-8 when every byte decodes, else Windows-1252."""
    head = file.read(4)
    file.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", []
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", []
    decoder = codecs.getincrementaldecoder("utf-8")()
    first = True
    try:
        while chunk := file.read(_CHUNK):
            if first and b"\x00" in chunk:
                raise file_error(
                    "the file looks like UTF-16 without a byte order mark: save it as 'CSV UTF-8'",
                    "unsupported_encoding",
                )
            first = False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252", [
            "the file is not UTF-8: it was read as Windows-1252 (check accented letters; "
            "save as 'CSV UTF-8' to be sure)"
        ]
    finally:
        file.seek(0)
    return "utf-8", []


def _delimiter(first_line: str) -> str:
    counts = {d: 0 for d in _DELIMITERS}
    quoted = False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _open_csv(file: IO[bytes]) -> Sheet:
    encoding, notes = _encoding(file)
    text = io.TextIOWrapper(file, encoding=encoding, errors="replace", newline="")
    first_line = text.readline(64 * 1024)
    text.seek(0)
    delimiter = _delimiter(first_line)
    return Sheet("csv", _csv_rows(text, delimiter), encoding, delimiter, notes)


def _csv_rows(text: io.TextIOWrapper, delimiter: str) -> Iterator[tuple[int, list[Cell]]]:
    reader = csv.reader(text, delimiter=delimiter, strict=False)
    number = 0
    try:
        for number, record in enumerate(reader, start=1):  # noqa: B007  (number is reported below)
            _check_size(number, len(record))
            yield number, list(record)
    except csv.Error as exc:
        raise file_error(f"row {number + 1}: the CSV cannot be read ({exc})") from exc
    finally:
        with contextlib.suppress(ValueError):  # already closed by its owner
            text.detach()  # the caller owns the binary file: the wrapper must not close it


def _check_size(number: int, columns: int) -> None:
    if number > MAX_ROWS + 1:
        raise file_error(f"the file has more than {MAX_ROWS:,} rows; split it", "too_many_rows")
    if columns > MAX_COLUMNS:
        raise file_error(f"row {number} has more than {MAX_COLUMNS} columns", "too_many_columns")


# --- XLSX ---------------------------------------------------------------------------------------


def _open_xlsx(file: IO[bytes]) -> Sheet:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=False, keep_links=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise file_error(f"the .xlsx workbook cannot be read ({exc})", "unsupported_format") from exc
    notes = []
    if len(workbook.worksheets) > 1:
        notes.append(f"only the first sheet ({workbook.worksheets[0].title!r}) was read")
    return Sheet("xlsx", _xlsx_rows(workbook), notes=notes)


def _xlsx_rows(workbook: object) -> Iterator[tuple[int, list[Cell]]]:
    from openpyxl.workbook.workbook import Workbook

    assert isinstance(workbook, Workbook)  # noqa: S101
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            _check_size(number, len(values))
            yield number, [_xlsx_cell(v) for v in values]
    finally:
        workbook.close()


def _xlsx_cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | Decimal | bool | datetime | date | time):
        return value
    return str(value)  # an array formula or an error value: its text
