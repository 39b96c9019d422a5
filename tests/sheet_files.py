"""Spreadsheet files built in tests: CSV text in any delimiter and encoding, XLSX workbooks whose cells
are written as given (a text starting with `=` is a formula cell, as a spreadsheet would save it)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook


def csv_bytes(rows: Sequence[Sequence[object]], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Sheet1")
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
