"""Reading stock and price sheets: encodings, delimiters, headers, numbers, broken rows, formulas."""

from __future__ import annotations

import codecs
import io
import uuid

import pytest

from aiostore.domain.market import MarketCode
from aiostore.errors import ValidationFailed
from aiostore.services.sheets.price import read_price
from aiostore.services.sheets.stock import read_stock
from tests.sheet_files import xlsx_bytes


def _errors(read: object) -> list[str]:
    return [f.text() for f in read.errors]  # type: ignore[attr-defined]


def test_utf8_comma_csv_with_tolerant_headers() -> None:
    data = "  SKU ;Stok\r\nA-1;5\r\nB-2;1.234\r\n"
    read = read_stock(io.BytesIO(data.encode()), "stock.csv")
    assert (read.format, read.encoding, read.delimiter) == ("csv", "utf-8", ";")
    assert [(i["sku"], i["set"], i["row"]) for i in read.items] == [("A-1", 5, 2), ("B-2", 1234, 3)]
    assert read.findings == []


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (codecs.BOM_UTF8 + "sku,stock,catatan\nKAOS-É,3,é\n".encode(), "utf-8-sig"),
        ("sku,stock,catatan\nKAOS-1,3,é\n".encode("utf-16"), "utf-16"),
        ("sku,stock,catatan\nKAOS-1,3,é\n".encode("cp1252"), "cp1252"),
    ],
)
def test_encodings(encoded: bytes, encoding: str) -> None:
    read = read_stock(io.BytesIO(encoded), "x.csv")
    assert read.encoding == encoding
    warnings = [w.text() for w in read.warnings]
    assert "row 1: columns not imported (ignored): catatan" in warnings
    if encoding == "cp1252":
        assert any("not UTF-8: it was read as Windows-1252" in w for w in warnings)
    if encoding == "utf-8-sig":  # É is no SKU character: the row's error names it
        assert _errors(read) == [
            "row 2, column sku: 'KAOS-É' is not a SKU (letters, digits and . _ - / + #, "
            "starting with a letter or digit)"
        ]
    else:
        assert read.items[0]["sku"] == "KAOS-1"


def test_utf16_without_bom_is_refused_clearly() -> None:
    with pytest.raises(ValidationFailed) as caught:
        read_stock(io.BytesIO("sku,stock\nA,1\n".encode("utf-16-le")), "x.csv")
    assert caught.value.errors[0].field == "file"
    assert "UTF-16 without a byte order mark" in caught.value.errors[0].message


def test_broken_rows_are_all_reported_and_the_others_read() -> None:
    data = (
        "sku;stock;delta;safety_buffer\n"
        "A-1;5;;\n"
        "bad sku;5;;\n"
        "B-2;abc;;\n"
        "C-3;2;1;\n"
        "D-4;;;-1\n"
        "A-1;7;;\n"
        ";;;\n"
        "E-5;12,5;;\n"
        "F-6;;;\n"
        "G-7;=1+1;;\n"
        "H-8;;-4;\n"
    )
    read = read_stock(io.BytesIO(data.encode()), "x.csv")
    assert [(i["sku"], i["row"]) for i in read.items] == [("A-1", 2), ("H-8", 12)]
    assert _errors(read) == [
        "row 3, column sku: 'bad sku' is not a SKU (letters, digits and . _ - / + #, starting with a "
        "letter or digit)",
        "row 4, column stock: 'abc' is not a number",
        "row 5, column delta: give the new stock or a change (delta), not both",
        "row 6, column safety_buffer: cannot be negative",
        "row 7: this row repeats row 2 (same SKU)",
        "row 9, column stock: '12,5' is not a whole number",
        "row 10, column stock: this cell is empty (give the new stock, a delta or a buffer)",
        "row 11, column stock: '=1+1' is not a number",
    ]
    assert read.rows == 10  # the blank row 8 is not counted


def test_missing_required_column_is_one_error_naming_it() -> None:
    with pytest.raises(ValidationFailed) as caught:
        read_stock(io.BytesIO(b"kode,stok\nA,1\n"), "x.csv")
    assert [(e.field, e.code) for e in caught.value.errors] == [("file", "missing_column")]
    assert "the required column sku is missing" in caught.value.errors[0].message
    with pytest.raises(ValidationFailed) as caught:
        read_stock(io.BytesIO(b"sku,catatan\nA,1\n"), "x.csv")
    assert "needs one of the columns stock, delta, safety_buffer" in caught.value.detail
    with pytest.raises(ValidationFailed) as caught:
        read_stock(io.BytesIO(b"sku,stock,Stok\nA,1,2\n"), "x.csv")
    assert caught.value.errors[0].code == "duplicate_column"


def test_empty_and_old_excel_files() -> None:
    with pytest.raises(ValidationFailed) as caught:
        read_stock(io.BytesIO(b""), "x.csv")
    assert caught.value.errors[0].code == "empty_file"
    with pytest.raises(ValidationFailed) as caught:
        read_stock(io.BytesIO(b"\xd0\xcf\x11\xe0rest"), "x.xls")
    assert ".xls" in caught.value.detail
    with pytest.raises(ValidationFailed) as caught:
        read_stock(io.BytesIO(b"PK\x03\x04 not a zip"), "x.xlsx")
    assert caught.value.errors[0].code == "unsupported_format"


def test_xlsx_formula_cells_are_text_never_evaluated() -> None:
    data = io.BytesIO(xlsx_bytes([["SKU", "Stok"], ["A-1", 4], ["B-2", "=2+2"], [None, None], ["C-3", 7.0]]))
    read = read_stock(data, "x.xlsx")
    assert read.format == "xlsx"
    assert [(i["sku"], i["set"], i["row"]) for i in read.items] == [("A-1", 4, 2), ("C-3", 7, 5)]
    assert _errors(read) == ["row 3, column stock: '=2+2' is not a number"]


def test_prices_in_each_markets_convention() -> None:
    shop = uuid.uuid4()
    data = (
        "sku;pasar;toko;harga;harga promo\n"
        "A-1;ID;;1.234.567;1.200.000\n"
        "A-1;SG;;1,234.50;\n"
        "A-1;MY;;1.234,50;\n"
        f"B-2;;{shop};150.000;\n"
        "C-3;ID;;1.234,50;\n"
        "C-3;SG;;1.234;\n"
        f"D-4;;{uuid.uuid4()};10;\n"
        "E-5;;;10;\n"
        f"F-6;ID;{shop};10;\n"
        "G-7;XX;;10;\n"
        "H-8;ID;;-5;\n"
        "A-1;id;;1;\n"
    )
    read = read_price(io.BytesIO(data.encode()), "p.csv", {shop: MarketCode.ID})
    assert [
        (i["sku"], i["market"], i["channel_account_id"], i["price"], i["sale_price"]) for i in read.items
    ] == [
        ("A-1", MarketCode.ID, None, "1234567", "1200000"),
        ("A-1", MarketCode.SG, None, "1234.50", None),
        ("A-1", MarketCode.MY, None, "1234.50", None),
        ("B-2", None, shop, "150000", None),
    ]
    assert _errors(read) == [
        "row 6, column price: IDR has no minor unit: use a whole number (IDR)",
        "row 7, column price: '1.234' is ambiguous (is '.' a thousands or a decimal mark?): write 1234 if "
        "it means thousands (SGD)",
        "row 8, column channel_account_id: no such shop in this organization",
        "row 9, column market: this cell is empty (give a market: ID, SG or MY, or a shop)",
        "row 10, column market: give a market or a shop (channel_account_id), not both",
        "row 11, column market: 'XX' is not a market: ID, SG or MY",
        "row 12, column price: a price cannot be negative (IDR)",
        "row 13: this row repeats row 2 (same SKU and market or shop)",
    ]


def test_ten_thousand_rows_stream() -> None:
    lines = ["sku;stok"] + [f"SKU-{i:05d};{i % 100}" for i in range(10_000)]
    read = read_stock(io.BytesIO("\n".join(lines).encode()), "big.csv")
    assert (read.rows, len(read.items), read.errors) == (10_000, 10_000, [])
    assert read.items[-1] == {
        "sku": "SKU-09999",
        "set": 99,
        "delta": None,
        "safety_buffer": None,
        "row": 10_001,
    }
