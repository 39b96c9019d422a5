"""Reading a whole import sheet into item fields, collecting every row's errors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from aiostore.errors import FieldError, ValidationFailed
from aiostore.services.sheets.source import Format, open_sheet
from aiostore.services.sheets.table import Finding, Row, Spec, Table, row_error

Progress = Callable[[int], None]  # called with the number of data rows read so far
MAX_REPORTED = 500  # errors one answer lists (the count says how many more)


@dataclass
class SheetRead:
    format: Format
    encoding: str | None
    delimiter: str | None
    rows: int = 0
    items: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    skus: dict[int, str] = field(default_factory=dict)  # a row that could not be read: its SKU cell

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def source(self, filename: str | None) -> dict[str, Any]:
        """What the change set keeps of the file it came from."""
        return {
            "file": (filename or "")[:200],
            "format": self.format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "rows": self.rows,
            "warnings": [w.text() for w in self.warnings][:20],
        }

    def raise_errors(self) -> None:
        """A 422 listing the rows' errors (field `rows.<row>.<column>`), if there are any."""
        errors = self.errors
        if not errors:
            return
        fields = [FieldError(_field(f), f.code, f.text()) for f in errors[:MAX_REPORTED]]
        more = len(errors) - len(fields)
        if more:
            fields.append(FieldError("file", "more_errors", f"and {more} more errors"))
        rows = len({f.row for f in errors})
        raise ValidationFailed(
            f"{len(errors)} error(s) in {rows} row(s) of the file; nothing was imported", errors=fields
        )


def _field(finding: Finding) -> str:
    if finding.row is None:
        return "file"
    return f"rows.{finding.row}" + (f".{finding.column}" if finding.column else "")


def read_items(
    file: IO[bytes],
    filename: str | None,
    spec: Spec,
    to_item: Callable[[Row], dict[str, Any] | None],
    *,
    needs_one_of: Sequence[str] = (),
    key: Callable[[dict[str, Any]], str] = lambda item: str(item["sku"]).casefold(),
    progress: Progress | None = None,
    same: str = "same SKU",
) -> SheetRead:
    """Every row of the sheet through `to_item`; a row whose key (the SKU) came before is an error."""
    sheet = open_sheet(file, filename)
    table = Table(sheet, spec)
    present = {c.name for c in table.positions.values()}
    if needs_one_of and not present & set(needs_one_of):
        message = f"the file needs one of the columns {', '.join(needs_one_of)}"
        raise ValidationFailed(message, errors=[FieldError("file", "missing_column", message)])
    read = SheetRead(sheet.format, sheet.encoding, sheet.delimiter)
    seen: dict[str, int] = {}
    for row in table:
        item = to_item(row)
        if item is not None:
            first = seen.setdefault(key(item), row.number)
            if first != row.number:
                row_error(row, None, "duplicate", f"this row repeats row {first} ({same})")
            else:
                read.items.append(item)
        if row.errors:
            read.skus[row.number] = str(row.values.get("sku") or "")
        read.findings.extend(row.errors)
        if progress is not None and table.rows_read % 500 == 0:
            progress(table.rows_read)
    read.rows = table.rows_read
    read.findings[:0] = table.findings
    if progress is not None:
        progress(table.rows_read)
    return read
