"""Stock and price sheets through the API: read into change-set items, previewed with row numbers,
committed with the preview's token; broken rows, encodings, roles and other organizations."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import insert

from aiostore.db.models import Inventory, Product, Variant
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from tests.factories import Caller, member_token
from tests.integration.changes.support import catalog, codes, commit, inventory, shop
from tests.sheet_files import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.db


async def _upload(caller: Caller, kind: str, content: bytes, name: str = "sheet.csv") -> Any:
    return await caller.post(
        f"/api/{kind}/import", files={"file": (name, content)}, data={"reason": "opname"}
    )


async def test_stock_xlsx_with_indonesian_headers_previews_then_commits(owner: Caller, db: Database) -> None:
    await catalog(owner)
    file = xlsx_bytes(
        [
            ["Kode SKU", "Stok", "Perubahan", "Stok Pengaman", "Catatan"],
            ["S-M", 25, None, None, "gudang A"],
            ["S-L", None, -2, 1, None],
            ["NOPE-1", 3, None, None, None],
        ]
    )
    resp = await _upload(owner, "stock", file, "stok.xlsx")
    assert resp.status_code == 200, resp.text
    shown = resp.json()
    assert shown["status"] == "previewed" and shown["reason"] == "opname"
    assert shown["source"] | {} == {
        "file": "stok.xlsx",
        "format": "xlsx",
        "encoding": None,
        "delimiter": None,
        "rows": 3,
        "warnings": ["row 1: columns not imported (ignored): Catatan"],
    }
    rows = {i["sku"]: i for i in shown["items"]}
    assert (rows["S-M"]["row"], rows["S-M"]["after"]["on_hand"]) == (2, 25)
    assert (rows["S-L"]["row"], rows["S-L"]["after"]["on_hand"], rows["S-L"]["after"]["safety_buffer"]) == (
        3,
        3,
        1,
    )
    assert (rows["NOPE-1"]["row"], codes(rows["NOPE-1"])) == (4, ["unknown_sku"])

    refused = await commit(owner, "stock", shown["token"])
    assert refused.status_code == 422  # an unknown SKU: commit the rest only with partial
    done = await commit(owner, "stock", shown["token"], partial=True)
    assert done.status_code == 200, done.text
    assert await inventory(db, owner, "S-M") == (25, 0, 1)
    assert await inventory(db, owner, "S-L") == (3, 0, 1)


async def test_price_csv_with_semicolons_and_indonesian_numbers(owner: Caller, db: Database) -> None:
    ids = await catalog(owner)
    channel, _ = await shop(db, owner, [ids["S-L"]], platform="shopee", market="ID")
    file = csv_bytes(
        [
            ["SKU", "Pasar", "Toko", "Harga", "Harga Promo"],
            ["S-M", "ID", "", "175.000", "170.000"],
            ["S-M", "SG", "", "13,50", ""],
            ["S-L", "", str(channel), "1.234.500", ""],
        ],
        delimiter=";",
    )
    resp = await _upload(owner, "price", file)
    assert resp.status_code == 200, resp.text
    shown = resp.json()
    assert shown["source"]["delimiter"] == ";"
    after = [(i["row"], i["sku"], i["after"]["price"]) for i in shown["items"]]
    assert after == [(2, "S-M", "175000"), (3, "S-M", "13.50"), (4, "S-L", "1234500")]
    done = await commit(owner, "price", shown["token"], acknowledge_warnings=True)
    assert done.status_code == 200, done.text
    variant = (await owner.get("/api/products")).json()["items"][0]["variants"][0]
    assert (variant["prices"]["ID"]["amount"], variant["prices"]["SG"]["amount"]) == ("175000", "13.50")


async def test_broken_rows_never_abort_the_others_report(owner: Caller, db: Database) -> None:
    """Each unreadable row is an error item naming its row and column; the readable rows preview
    beside them; a commit applies nothing unless `partial`, then only the readable rows."""
    await catalog(owner)
    file = csv_bytes(
        [
            ["sku", "stock", "delta"],
            ["S-M", "1.5", ""],
            ["S-L", "2", "3"],
            ["S-M", "4", ""],
            ["s-m", "5", ""],
            ["OK-2", "99999999", ""],
            ["", "", ""],
            ["OK-3", "=SUM(A1:A3)", ""],
            ["S-L", "7", ""],
        ]
    )
    resp = await _upload(owner, "stock", file)
    assert resp.status_code == 200, resp.text
    shown = resp.json()
    assert {k: shown["summary"][k] for k in ("items", "changes", "errors")} == {
        "items": 7,
        "changes": 2,
        "errors": 5,
    }
    items = shown["items"]
    assert [(i["row"], i["sku"], i["action"]) for i in items] == [
        (2, "S-M", "error"),
        (3, "S-L", "error"),
        (4, "S-M", "change"),
        (5, "s-m", "error"),
        (6, "OK-2", "error"),
        (8, "OK-3", "error"),
        (9, "S-L", "change"),
    ]
    found = [(f["row"], f["field"], f["code"]) for i in items for f in i["findings"]]
    assert found == [
        (2, "items.0.stock", "not_whole"),
        (3, "items.1.delta", "both_given"),
        (5, "items.3", "duplicate"),
        (6, "items.4.stock", "less_than_equal"),
        (8, "items.5.stock", "invalid_number"),
    ]
    assert items[0]["findings"][0]["message"] == "row 2, column stock: '1.5' is not a whole number"
    assert items[3]["findings"][0]["message"] == "row 5: this row repeats row 4 (same SKU)"
    assert items[2]["after"]["on_hand"] == 4 and items[6]["after"]["on_hand"] == 7

    refused = await commit(owner, "stock", shown["token"])
    assert refused.status_code == 422 and refused.json()["code"] == "items_refused"
    assert ("items.0.stock", "not_whole") in [(e["field"], e["code"]) for e in refused.json()["errors"]]
    assert await inventory(db, owner, "S-M") == (10, 0, 1)
    done = await commit(owner, "stock", shown["token"], partial=True)
    assert done.status_code == 200, done.text
    assert await inventory(db, owner, "S-M") == (4, 0, 1)
    assert await inventory(db, owner, "S-L") == (7, 0, 0)


async def test_a_file_of_only_broken_rows_is_still_reported_row_by_row(owner: Caller) -> None:
    await catalog(owner)
    resp = await _upload(owner, "price", csv_bytes([["sku", "market", "price"], ["S-M", "XX", "1"]]))
    assert resp.status_code == 200, resp.text
    (item,) = resp.json()["items"]
    assert (item["row"], item["action"]) == (2, "error")
    assert [(f["field"], f["row"]) for f in item["findings"]] == [("items.0.market", 2)]


async def test_file_level_problems(owner: Caller) -> None:
    await catalog(owner)
    missing = await _upload(owner, "price", csv_bytes([["sku", "harga"], ["S-M", "1"]]))
    assert missing.status_code == 422
    assert (
        missing.json()["errors"][0]["message"]
        == "the file needs one of the columns market, channel_account_id"
    )
    windows = await _upload(
        owner, "stock", csv_bytes([["sku", "stok", "catatan"], ["S-M", "7", "café"]], encoding="cp1252")
    )
    assert windows.status_code == 200, windows.text
    assert windows.json()["source"]["encoding"] == "cp1252"
    assert any("Windows-1252" in w for w in windows.json()["source"]["warnings"])
    bom16 = await _upload(owner, "stock", csv_bytes([["sku", "stok"], ["S-M", "8"]], encoding="utf-16"))
    assert bom16.status_code == 200 and bom16.json()["items"][0]["after"]["on_hand"] == 8
    empty = await _upload(owner, "stock", csv_bytes([["sku", "stok"]]))
    assert empty.status_code == 422 and empty.json()["errors"][0]["code"] == "empty_file"


async def test_viewers_cannot_import_and_other_orgs_see_nothing(
    app: FastAPI, db: Database, owner: Caller, other_org: Caller
) -> None:
    ids = await catalog(owner)
    channel, _ = await shop(db, owner, [ids["S-M"]])
    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    stock = csv_bytes([["sku", "stock"], ["S-M", "3"]])
    refused = await _upload(viewer, "stock", stock)
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    shown = (await _upload(owner, "stock", stock)).json()
    viewer_commit = await commit(viewer, "stock", shown["token"])
    assert viewer_commit.status_code == 403
    assert await inventory(db, owner, "S-M") == (10, 0, 1)

    theirs = (await _upload(other_org, "stock", stock)).json()
    assert codes(theirs["items"][0]) == ["unknown_sku"]
    price = csv_bytes([["sku", "shop", "price"], ["S-M", str(channel), "1"]])
    resp = await _upload(other_org, "price", price)
    assert resp.status_code == 200, resp.text
    assert resp.json()["items"][0]["findings"] == [
        {
            "code": "not_found",
            "severity": "error",
            "field": "items.0.channel_account_id",
            "message": "row 2, column channel_account_id: no such shop in this organization",
            "row": 2,
        }
    ]
    stolen = await commit(other_org, "stock", shown["token"])
    assert stolen.status_code == 404


async def test_ten_thousand_row_xlsx_stock_update(owner: Caller, db: Database) -> None:
    org = owner.org_id
    async with db.transaction(org, owner.user_id) as s:
        product = uuid.uuid4()
        await s.execute(insert(Product).values(id=product, org_id=org, title="Grosir", description=""))
        variants = [
            {"id": uuid.uuid4(), "org_id": org, "product_id": product, "sku": f"B-{i:05d}", "position": i}
            for i in range(10_000)
        ]
        await s.execute(insert(Variant), variants)
        await s.execute(
            insert(Inventory),
            [
                {"org_id": org, "variant_id": v["id"], "on_hand": 5, "reserved": 0, "safety_buffer": 0}
                for v in variants
            ],
        )
    file = xlsx_bytes([["sku", "stok"]] + [[f"B-{i:05d}", 6 + i % 3] for i in range(10_000)])
    resp = await _upload(owner, "stock", file, "besar.xlsx")
    assert resp.status_code == 200, resp.text[:300]
    shown = resp.json()
    assert (shown["source"]["rows"], shown["summary"]["items"], shown["summary"]["changes"]) == (
        10_000,
        10_000,
        10_000,
    )
    assert shown["items"][-1]["row"] == 51  # the first page
    done = await commit(owner, "stock", shown["token"])
    assert done.status_code == 200, done.text[:300]
    assert await inventory(db, owner, "B-09999") == (6 + 9999 % 3, 0, 0)
