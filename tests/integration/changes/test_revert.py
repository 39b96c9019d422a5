"""Revert: a new preview restoring what a commit changed, committed like any other; reading change sets."""

from __future__ import annotations

from fastapi import FastAPI

from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from tests.factories import Caller, member_token
from tests.integration.changes.support import catalog, commit, inventory, preview


async def test_a_stock_revert_moves_back_by_the_inverse_delta_so_later_sales_stay_counted(
    app: FastAPI, owner: Caller, db: Database
) -> None:
    ids = await catalog(owner)
    shown = await preview(
        owner, "stock", [{"sku": "S-M", "set": 4, "safety_buffer": 3}, {"sku": "S-L", "delta": 2}]
    )
    assert (await commit(owner, "stock", shown["token"])).status_code == 200
    sold = await owner.put(f"/api/variants/{ids['S-M']}/inventory", json={"on_hand": 3, "safety_buffer": 3})
    assert sold.status_code == 200  # one unit left the shelf since
    operator = await member_token(app, db, owner.org_id, Role.OPERATOR)
    back = await operator.post(f"/api/changesets/{shown['id']}/revert")
    assert back.status_code == 200, back.text
    body = back.json()
    assert (body["status"], body["revert_of"], body["kind"]) == ("previewed", shown["id"], "stock")
    first, second = body["items"]
    assert (first["before"]["on_hand"], first["after"]["on_hand"]) == (3, 9)  # 10 -> 4 is undone as +6
    assert (first["before"]["safety_buffer"], first["after"]["safety_buffer"]) == (3, 1)
    assert (second["before"]["on_hand"], second["after"]["on_hand"]) == (7, 5)
    assert (await commit(operator, "stock", body["token"])).status_code == 200
    assert await inventory(db, owner, "S-M") == (9, 0, 1)
    assert await inventory(db, owner, "S-L") == (5, 0, 0)
    audit = (await owner.get("/api/audit", params={"entity_id": body["id"]})).json()["items"]
    assert {a["action"] for a in audit} == {"changeset.revert_previewed", "changeset.committed"}
    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    assert (await viewer.post(f"/api/changesets/{shown['id']}/revert")).status_code == 403


async def test_a_price_revert_sets_the_old_prices_back(owner: Caller, db: Database) -> None:
    await catalog(owner)
    shown = await preview(
        owner,
        "price",
        [
            {"sku": "S-M", "market": "SG", "price": "13.50", "sale_price": "12.00"},
            {"sku": "S-L", "market": "SG", "price": "20"},  # a new market price: nothing to set back
        ],
    )
    assert (await commit(owner, "price", shown["token"])).status_code == 200
    back = (await owner.post(f"/api/changesets/{shown['id']}/revert")).json()
    assert [(i["sku"], i["before"]["price"], i["after"]["price"]) for i in back["items"]] == [
        ("S-M", "13.50", "12.90")
    ]
    assert back["items"][0]["after"]["sale_price"] is None
    assert (await commit(owner, "price", back["token"])).status_code == 200
    variants = (await owner.get("/api/products")).json()["items"][0]["variants"]
    assert variants[0]["prices"]["SG"]["amount"] == "12.90"
    assert variants[1]["prices"]["SG"]["amount"] == "20.00"


async def test_only_a_committed_change_set_is_reverted(owner: Caller) -> None:
    await catalog(owner)
    shown = await preview(owner, "stock", [{"sku": "S-M", "delta": 1}])
    resp = await owner.post(f"/api/changesets/{shown['id']}/revert")
    assert resp.status_code == 409 and resp.json()["code"] == "change_set_not_open"


async def test_items_are_paged_and_filtered(owner: Caller) -> None:
    await catalog(owner)
    items = [{"sku": "S-M", "delta": 1}] + [{"sku": f"NO-{n}", "set": 1} for n in range(4)]
    shown = await preview(owner, "stock", items)
    url = f"/api/changesets/{shown['id']}"
    errors = (await owner.get(url, params={"severity": "error", "limit": 3})).json()
    assert [i["seq"] for i in errors["items"]] == [1, 2, 3] and errors["next_cursor"]
    rest = (
        await owner.get(url, params={"severity": "error", "limit": 3, "cursor": errors["next_cursor"]})
    ).json()
    assert [i["seq"] for i in rest["items"]] == [4] and rest["next_cursor"] is None
    changes = (await owner.get(url, params={"action": "change"})).json()["items"]
    assert [i["sku"] for i in changes] == ["S-M"]
    assert [i["seq"] for i in (await owner.get(url, params={"sku": "NO-2"})).json()["items"]] == [3]
    bad = await owner.get(url, params={"action": "delete"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "action"
    second = await preview(owner, "price", [{"sku": "S-M", "market": "ID", "price": "150000"}])
    listed = (await owner.get("/api/changesets", params={"limit": 1})).json()
    assert [c["id"] for c in listed["items"]] == [second["id"]]
    older = (await owner.get("/api/changesets", params={"limit": 1, "cursor": listed["next_cursor"]})).json()
    assert [c["id"] for c in older["items"]] == [shown["id"]]
    assert [
        c["kind"] for c in (await owner.get("/api/changesets", params={"kind": "price"})).json()["items"]
    ] == ["price"]
