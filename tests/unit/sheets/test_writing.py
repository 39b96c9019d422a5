"""Writing sheets: text XML cannot hold still exports (found by the API fuzzer: a product title with a
control character made the catalog's XLSX export a 500)."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from aiostore.services.sheets.writing import csv_chunks, xlsx_file


def test_control_characters_export_as_replacement_characters_in_xlsx() -> None:
    file = xlsx_file(["sku", "title"], [["A-1", "Kaos\x00 polos\x1f"], ["A-2", "=1+1"]])
    try:
        rows = list(load_workbook(file, read_only=True).active.iter_rows(values_only=True))
    finally:
        file.close()
    assert rows == [("sku", "title"), ("A-1", "Kaos\ufffd polos\ufffd"), ("A-2", "'=1+1")]


def test_csv_keeps_the_text_as_it_is_after_the_formula_guard() -> None:
    data = b"".join(csv_chunks(["sku", "title"], [["A-1", "tab\there"], ["A-2", "@cmd"]]))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["sku", "title"], ["A-1", "tab\there"], ["A-2", "'@cmd"]]
