"""`aiostore catalog import FILE [--commit]` and `aiostore catalog export FILE`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from aiostore.db.models import Inventory, Variant, VariantPrice
from aiostore.db.session import Database
from tests.factories import Caller
from tests.integration.cli.conftest import cli, make_channel, make_variant

pytestmark = pytest.mark.db


async def test_catalog_export_then_import(
    cli_env: dict[str, str], db: Database, owner: Caller, tmp_path: Path
) -> None:
    org = owner.org_id
    await make_channel(db, org)  # the only org with a shop: --org may be left out
    await make_variant(db, org, "TEE-1", on_hand=3)

    exported = tmp_path / "catalog.csv"
    done = await cli("catalog", "export", str(exported))
    assert done.exit_code == 0, done.output
    assert "wrote 1 variant(s)" in done.output
    rows = list(csv.DictReader(io.StringIO(exported.read_text("utf-8-sig"))))
    assert [(r["sku"], r["on_hand"]) for r in rows] == [("TEE-1", "3")]

    rows[0]["price_id"] = "99.000"
    rows.append(dict.fromkeys(rows[0], "") | {"product": "Mug", "sku": "MUG-1", "price_id": "10.000"})
    with exported.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)

    dry = await cli("catalog", "import", str(exported))
    assert dry.exit_code == 0, dry.output
    assert "dry run: nothing changed" in dry.output
    async with db.transaction(org) as s:
        assert await s.scalar(select(Variant.id).where(Variant.sku == "MUG-1")) is None

    applied = await cli("catalog", "import", str(exported), "--commit")
    assert applied.exit_code == 0, applied.output
    assert "imported" in applied.output
    async with db.transaction(org) as s:
        prices = dict((await s.execute(select(Variant.sku, VariantPrice.amount).join(VariantPrice))).all())
    assert prices == {"TEE-1": 99000, "MUG-1": 10000}

    xlsx = tmp_path / "catalog.xlsx"
    done = await cli("catalog", "export", str(xlsx))
    assert done.exit_code == 0, done.output
    sheet = load_workbook(xlsx, read_only=True).worksheets[0]
    assert len(list(sheet.iter_rows(values_only=True))) == 3


async def test_catalog_import_reports_row_errors(
    cli_env: dict[str, str], db: Database, owner: Caller, tmp_path: Path
) -> None:
    await make_channel(db, owner.org_id)
    path = tmp_path / "bad.csv"
    path.write_text("product,sku,price_sg\nKaos,K-1,1.234\nKaos,bad sku,1\n", encoding="cp1252")
    result = await cli("catalog", "import", str(path), "--commit")
    assert result.exit_code == 1
    assert "'1.234' is ambiguous" in result.output
    assert "is not a SKU" in result.output
    assert "2 error(s) in 2 row(s): nothing was imported" in result.output
    missing = tmp_path / "missing.csv"
    missing.write_text("sku\nA\n")
    result = await cli("catalog", "import", str(missing))
    assert result.exit_code == 1
    assert "the required column product is missing" in result.output
    result = await cli("catalog", "import", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1 and "no such file" in result.output


async def test_stock_import_preview_then_commit(
    cli_env: dict[str, str], db: Database, owner: Caller, tmp_path: Path
) -> None:
    org = owner.org_id
    await make_channel(db, org)
    await make_variant(db, org, "TEE-1", on_hand=3)
    await make_variant(db, org, "TEE-2", on_hand=4)
    path = tmp_path / "stok.csv"
    path.write_text("SKU;Stok;Perubahan\nTEE-1;10;\nTEE-2;;-1\nNOPE;1;\n", encoding="utf-8-sig")

    shown = await cli("stock", "import", str(path))
    assert shown.exit_code == 0, shown.output
    assert "stock change set (previewed)" in shown.output
    assert "no variant has the SKU 'NOPE'" in shown.output
    assert "previewed cs_" in shown.output

    refused = await cli("stock", "import", str(path), "--commit")
    assert refused.exit_code == 1
    assert "not committed" in refused.output
    done = await cli("stock", "import", str(path), "--commit", "--partial", "--reason", "opname")
    assert done.exit_code == 0, done.output
    assert "committed 2 item(s)" in done.output
    async with db.transaction(org) as s:
        stock = dict((await s.execute(select(Variant.sku, Inventory.on_hand).join(Inventory))).all())
    assert stock == {"TEE-1": 10, "TEE-2": 3}


async def test_price_import_rows_that_cannot_be_read(
    cli_env: dict[str, str], db: Database, owner: Caller, tmp_path: Path
) -> None:
    org = owner.org_id
    await make_channel(db, org)
    await make_variant(db, org, "TEE-1")
    path = tmp_path / "harga.csv"
    path.write_text("sku,market,harga\nTEE-1,SG,1.234\nTEE-1,ID,150.000\n")
    result = await cli("price", "import", str(path), "--commit")
    assert result.exit_code == 1
    assert "'1.234' is ambiguous" in result.output  # the row is reported, the other one previewed
    assert "not committed: 1 items have errors" in result.output
    async with db.transaction(org) as s:
        assert await s.scalar(select(VariantPrice.amount)) is None  # nothing applied
    path.write_text("sku,market,harga\nTEE-1,ID,150.000\n")
    done = await cli("price", "import", str(path), "--commit", "--acknowledge-warnings")
    assert done.exit_code == 0, done.output
    async with db.transaction(org) as s:
        assert await s.scalar(select(VariantPrice.amount)) == 150000
