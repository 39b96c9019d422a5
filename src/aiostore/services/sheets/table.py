"""A sheet's header matched to the columns an import knows, and its data rows read cell by cell.

Header matching forgives case, spaces, underscores and punctuation, and knows each column's
Indonesian names (`harga`, `stok`). Unknown columns are warnings (ignored), a missing required column
is one error naming it, a column given twice is an error. A row's errors name the row and the column
("row 12, column price: ...") and never stop the rows after it from being read and reported.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal

from aiostore.errors import FieldError, ValidationFailed
from aiostore.services.sheets.source import Cell, Sheet

Severity = Literal["error", "warning"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem of a file, a row or a cell: `row` is the spreadsheet's row, `column` the header."""

    code: str
    severity: Severity
    message: str
    row: int | None = None
    column: str | None = None

    def text(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "row": self.row,
            "column": self.column,
            "message": self.text(),
        }


class CellError(ValueError):
    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


Parser = Callable[[Cell], Any]


@dataclass(frozen=True, slots=True)
class Column:
    name: str  # the canonical header, as the template writes it
    parse: Parser
    aliases: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True, slots=True)
class Spec:
    columns: tuple[Column, ...]
    ignored: tuple[str, ...] = ()  # known columns (of our own export) this import does not read

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass
class Row:
    number: int
    values: dict[str, Any]  # canonical column name -> parsed value; a blank cell is absent
    errors: list[Finding] = field(default_factory=list)


def normalise_header(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[^0-9a-z]+", "", folded)


def text_of(cell: Cell) -> str:
    """A cell as text: strings stripped (a spreadsheet's neutralising apostrophe before a formula
    sign removed), numbers without a spurious `.0`, dates in ISO form."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        value = cell.strip()
        if value.startswith("'") and value[1:2] in FORMULA_START and value[1:2]:
            return value[1:]
        return value
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime | date | time):
        return cell.isoformat()
    return str(cell)


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


class Table:
    """Rows of `sheet` under `spec`; `findings` gathers the file's own warnings as rows are read."""

    def __init__(self, sheet: Sheet, spec: Spec) -> None:
        self.sheet = sheet
        self.spec = spec
        self.findings: list[Finding] = [Finding("file_note", "warning", n) for n in sheet.notes]
        self.rows_read = 0
        self.positions = self._match_header()

    def _match_header(self) -> dict[int, Column]:
        try:
            number, header = next(self.sheet.rows)
        except StopIteration:
            raise _file("the file is empty: the first row names the columns", "empty_file") from None
        known: dict[str, Column] = {}
        for column in self.spec.columns:
            for name in (column.name, *column.aliases):
                known[normalise_header(name)] = column
        ignored = {normalise_header(n) for n in self.spec.ignored}
        positions: dict[int, Column] = {}
        seen: dict[str, int] = {}
        extra: list[str] = []
        errors: list[FieldError] = []
        for index, cell in enumerate(header):
            title = text_of(cell)
            key = normalise_header(title)
            if not key:
                continue
            found = known.get(key)
            if found is None:
                if key not in ignored:
                    extra.append(title)
                continue
            if found.name in seen:
                message = f"column {found.name} is given twice (columns {seen[found.name]} and {index + 1})"
                errors.append(FieldError("file", "duplicate_column", message))
                continue
            seen[found.name] = index + 1
            positions[index] = found
        for column in self.spec.columns:
            if column.required and column.name not in seen:
                message = f"the required column {column.name} is missing (row {number} names the columns)"
                errors.append(FieldError("file", "missing_column", message))
        if errors:
            raise ValidationFailed("; ".join(e.message for e in errors), errors=errors)
        if extra:
            names = ", ".join(extra[:20])
            self.findings.append(
                Finding("extra_columns", "warning", f"columns not imported (ignored): {names}", row=number)
            )
        return positions

    def __iter__(self) -> Iterator[Row]:
        for number, cells in self.sheet.rows:
            if all(_blank(c) for c in cells):
                continue
            self.rows_read += 1
            row = Row(number, {})
            for index, column in self.positions.items():
                cell = cells[index] if index < len(cells) else None
                if _blank(cell):
                    if column.required:
                        row.errors.append(_cell_error(number, column.name, "required", "this cell is empty"))
                    continue
                try:
                    row.values[column.name] = column.parse(cell)
                except CellError as exc:
                    row.errors.append(_cell_error(number, column.name, exc.code, str(exc)))
            yield row


def _cell_error(row: int, column: str, code: str, message: str) -> Finding:
    return Finding(code, "error", message, row=row, column=column)


def _file(message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError("file", code, message)])


def row_error(row: Row, column: str | None, code: str, message: str) -> None:
    row.errors.append(Finding(code, "error", message, row=row.number, column=column))


def problems(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    return [f.as_dict() for f in findings]
