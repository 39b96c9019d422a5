"""Spreadsheets through the API: templates, the catalog export (streamed, formulas neutralised) and
the catalog import (preview → commit), upload limits, roles and other organizations."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from fastapi import FastAPI
from openpyxl import load_workbook
from sqlalchemy import select

from aiostore.db.models import AuditLog, ChannelAccount, Listing, Variant
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from aiostore.settings import Settings
from aiostore.web.app import create_app
from tests.factories import Caller, member_token, product_body, signup
from tests.sheet_files import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.db


def _read_csv(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


async def _upload(caller: Caller, url: str, content: bytes, name: str = "sheet.csv", **data: str) -> object:
    return await caller.post(url, files={"file": (name, content)}, data=data)


@pytest.mark.parametrize("kind", ["stock", "price", "catalog"])
async def test_templates_in_both_formats(app: FastAPI, db: Database, owner: Caller, kind: str) -> None:
    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    as_csv = await viewer.get(f"/api/{kind}/import/template?format=csv")
    assert as_csv.status_code == 200
    assert as_csv.headers["content-disposition"] == f'attachment; filename="{kind}-template.csv"'
    rows = _read_csv(as_csv.content)
    assert rows and "sku" in rows[0]
    as_xlsx = await viewer.get(f"/api/{kind}/import/template?format=xlsx")
    sheet = load_workbook(io.BytesIO(as_xlsx.content), read_only=True).worksheets[0]
    header = next(sheet.iter_rows(values_only=True))
    assert list(header)[: len(rows[0])] == list(rows[0])
    wrong = await viewer.get(f"/api/{kind}/import/template?format=ods")
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "format"


async def _catalog(owner: Caller, db: Database) -> dict[str, object]:
    body = product_body("KAOS", title='=HYPERLINK("http://evil")', brand="+62 Maju")
    created = await owner.post("/api/products", json=body)
    assert created.status_code == 201, created.text
    variant_id = uuid.UUID(created.json()["variants"][0]["id"])
    async with db.transaction(owner.org_id, owner.user_id) as s:
        shop = ChannelAccount(
            org_id=owner.org_id, platform="shopee", market="ID", shop_id="9", shop_name="Toko"
        )
        s.add(shop)
        await s.flush()
        s.add(
            Listing(
                org_id=owner.org_id,
                channel_account_id=shop.id,
                variant_id=variant_id,
                platform_item_id="100",
                platform_model_id="1",
            )
        )
    return created.json()  # type: ignore[no-any-return]


async def test_export_neutralises_formulas_and_lists_everything(owner: Caller, db: Database) -> None:
    await _catalog(owner, db)
    resp = await owner.get("/api/catalog/export?format=csv")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/csv")
    rows = _read_csv(resp.content)
    assert [r["sku"] for r in rows] == ["KAOS-M", "KAOS-L"]
    first = rows[0]
    assert first["product"] == '\'=HYPERLINK("http://evil")'
    assert first["brand"] == "'+62 Maju"
    assert (first["price_id"], first["price_sg"], first["price_my"]) == ("150000", "12.90", "")
    assert (first["on_hand"], first["safety_buffer"], first["available"]) == ("10", "1", "9")
    assert first["options"] == "size: M"
    assert first["listings"] == "shopee ID Toko: 100/1"

    resp = await owner.get("/api/catalog/export?format=xlsx")
    sheet = load_workbook(io.BytesIO(resp.content)).worksheets[0]
    title = sheet["A2"]
    assert (title.value, title.data_type) == ('\'=HYPERLINK("http://evil")', "s")
    assert sheet["L2"].value == 150000  # a number cell
    async with db.transaction(owner.org_id) as s:
        formats = (
            await s.scalars(select(AuditLog.changes).where(AuditLog.action == "catalog.exported"))
        ).all()
    assert [c["format"]["after"] for c in formats] == ["csv", "xlsx"]


async def test_export_round_trip_preview_and_commit(owner: Caller, db: Database) -> None:
    await _catalog(owner, db)
    rows = _read_csv((await owner.get("/api/catalog/export?format=csv")).content)
    header = list(rows[0])
    rows[0]["price_id"] = "175.000"  # Indonesian thousands
    rows[1]["weight_grams"] = "250"
    new = dict.fromkeys(header, "") | {
        "product": "Mug Keramik",
        "sku": "MUG-1",
        "price_sg": "9,90",
        "status": "aktif",
    }
    file = csv_bytes([header, *[list(r.values()) for r in rows], list(new.values())], delimiter=";")

    preview = await _upload(owner, "/api/catalog/import", file)
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["mode"] == "preview"
    assert body["summary"] | {} == {
        "rows": 3,
        "create": 1,
        "update": 2,
        "unchanged": 0,
        "error": 0,
        "new_products": 1,
        "warnings": 0,
    }
    by_sku = {i["sku"]: i for i in body["items"]}
    assert by_sku["KAOS-M"]["changes"] == {"price_id": {"before": "150000", "after": "175000"}}
    assert by_sku["KAOS-L"]["changes"] == {"weight_grams": {"before": None, "after": 250}}
    assert by_sku["MUG-1"]["action"] == "create"
    async with db.transaction(owner.org_id) as s:  # a preview changes nothing
        assert await s.scalar(select(Variant.id).where(Variant.sku == "MUG-1")) is None

    key = {"Idempotency-Key": "import-1"}
    done = await owner.post(
        "/api/catalog/import",
        files={"file": ("s.csv", file)},
        data={"mode": "commit", "token": body["token"]},
        headers=key,
    )
    assert done.status_code == 200, done.text
    assert done.json()["mode"] == "committed"
    again = await owner.post(
        "/api/catalog/import",
        files={"file": ("s.csv", file)},
        data={"mode": "commit", "token": body["token"]},
        headers=key,
    )
    assert again.json() == done.json()  # replayed, not applied twice
    products = (await owner.get("/api/products?sort=created_at")).json()["items"]
    assert [p["title"] for p in products] == ['=HYPERLINK("http://evil")', "Mug Keramik"]
    assert products[0]["variants"][0]["prices"]["ID"]["amount"] == "175000"
    assert products[1]["status"] == "active"
    assert products[1]["variants"][0]["prices"]["SG"]["amount"] == "9.90"

    stale = await _upload(owner, "/api/catalog/import", file, mode="commit", token=body["token"])
    assert stale.status_code == 409  # the catalog is now what the file says: another plan
    unchanged = (await _upload(owner, "/api/catalog/import", file)).json()
    assert unchanged["summary"]["unchanged"] == 3


async def test_catalog_import_errors_are_numbered_and_refuse_the_commit(owner: Caller) -> None:
    file = xlsx_bytes(
        [
            ["Nama Produk", "SKU", "Variasi", "Harga ID", "Berat", "Catatan"],
            ["Kaos", "K-1", "Warna: Merah", "150.000", 200, "x"],
            ["Kaos", "K-2", "Warna", "1.234,50", -1, ""],
            ["Kaos", "K-1", "", "1", "", ""],
            ["Celana", "C-1", "", "=A2*2", "", ""],
        ]
    )
    preview = await _upload(owner, "/api/catalog/import", file, name="c.xlsx")
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["file"]["format"] == "xlsx"
    assert body["file"]["warnings"] == ["row 1: columns not imported (ignored): Catatan"]
    messages = [f["message"] for i in body["items"] for f in i["findings"]]
    assert messages == [
        "row 3, column options: 'Warna' is not 'name: value' (e.g. 'Warna: Merah; Ukuran: M')",
        "row 3, column weight_grams: cannot be negative",
        "row 3, column price_id: IDR has no minor unit: use a whole number (IDR)",
        "row 4: this row repeats row 2 (same SKU)",
        "row 5, column price_id: '=A2*2' is not a number (IDR)",
    ]
    commit = await _upload(
        owner, "/api/catalog/import", file, name="c.xlsx", mode="commit", token=body["token"]
    )
    assert commit.status_code == 422
    assert [e["field"] for e in commit.json()["errors"]] == [
        "rows.3.options",
        "rows.3.weight_grams",
        "rows.3.price_id",
        "rows.4",
        "rows.5.price_id",
    ]
    assert (await owner.get("/api/products")).json()["items"] == []


async def test_missing_column_and_no_token(owner: Caller) -> None:
    resp = await _upload(owner, "/api/catalog/import", csv_bytes([["sku", "harga id"], ["A", "1"]]))
    assert resp.status_code == 422
    assert resp.json()["errors"] == [
        {
            "field": "file",
            "code": "missing_column",
            "message": "the required column product is missing (row 1 names the columns)",
        }
    ]
    resp = await _upload(
        owner, "/api/catalog/import", csv_bytes([["product", "sku"], ["A", "A-1"]]), mode="commit"
    )
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["field"] == "token"


async def test_roles_and_other_organizations(
    app: FastAPI, db: Database, owner: Caller, other_org: Caller
) -> None:
    await _catalog(owner, db)
    file = csv_bytes([["product", "sku", "price_id"], ["Lain", "KAOS-M", "1"]])
    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    refused = await _upload(viewer, "/api/catalog/import", file)
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    assert (await viewer.get("/api/catalog/export")).status_code == 200

    # Another org's import never sees this org's SKU: it creates its own.
    theirs = (await _upload(other_org, "/api/catalog/import", file)).json()
    assert [i["action"] for i in theirs["items"]] == ["create"]
    assert _read_csv((await other_org.get("/api/catalog/export")).content) == []


async def test_upload_above_the_limit_is_413(test_settings: Settings, db: Database) -> None:
    app = create_app(test_settings.model_copy(update={"import_max_bytes": 4096}), db)
    caller = await signup(app, email="big@example.com")
    big = csv_bytes([["product", "sku"]] + [["Kaos", f"K-{i}"] for i in range(1000)])
    resp = await _upload(caller, "/api/catalog/import", big)
    assert resp.status_code == 413
    assert resp.headers["content-type"] == "application/problem+json"
    assert "AIOSTORE_IMPORT_MAX_BYTES" in resp.json()["detail"]
    small = await _upload(caller, "/api/catalog/import", csv_bytes([["product", "sku"], ["Kaos", "K-1"]]))
    assert small.status_code == 200


async def test_ten_thousand_rows_preview(owner: Caller) -> None:
    rows = [["product", "sku", "price_id"]] + [
        [f"Produk {i // 4}", f"SKU-{i:05d}", "10.000"] for i in range(10_000)
    ]
    resp = await _upload(owner, "/api/catalog/import", csv_bytes(rows, ";"))
    assert resp.status_code == 200, resp.text[:300]
    body = resp.json()
    assert body["summary"]["create"] == 10_000
    assert body["summary"]["new_products"] == 2_500
    assert len(body["items"]) == 1000 and body["items_truncated"]
