"""Stock change sets over the API: preview, commit, findings, safeguards, pushes, ledger, audit."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text, update

from aiostore.db.models import ChangeSet, Listing
from aiostore.db.session import Database
from tests.factories import Caller
from tests.integration.changes.support import (
    catalog,
    codes,
    commit,
    inventory,
    key,
    preview,
    problem_fields,
    reserve,
    shop,
)


async def test_preview_then_commit_moves_stock_writes_the_ledger_and_asks_for_pushes(
    owner: Caller, db: Database
) -> None:
    ids = await catalog(owner)
    _, listings = await shop(db, owner, [ids["S-M"]])
    shown = await preview(
        owner,
        "stock",
        [{"sku": "s-m", "set": 25}, {"sku": "S-L", "delta": -2, "safety_buffer": 1}],
        reason="stock count",
    )
    assert shown["status"] == "previewed" and shown["token"].startswith("cs_")
    assert shown["summary"] | {} == shown["summary"]
    assert {k: shown["summary"][k] for k in ("items", "changes", "unchanged", "errors", "warnings")} == {
        "items": 2,
        "changes": 2,
        "unchanged": 0,
        "errors": 0,
        "warnings": 0,
    }
    first, second = shown["items"]
    assert first["sku"] == "S-M"  # the catalog's spelling
    assert first["before"] == {"on_hand": 10, "reserved": 0, "safety_buffer": 1, "available": 9}
    assert first["after"] == {
        "on_hand": 25,
        "reserved": 0,
        "safety_buffer": 1,
        "available": 24,
        "shops": [
            {
                "listing_id": str(listings[0]),
                "channel_account_id": first["after"]["shops"][0]["channel_account_id"],
                "shop_name": "tiktokshop ID",
                "platform": "tiktokshop",
                "platform_stock": None,  # never seen on the shop yet
                "pushed": 24,
            }
        ],
    }
    assert second["after"] == {"on_hand": 3, "reserved": 0, "safety_buffer": 1, "available": 2, "shops": []}
    assert await inventory(db, owner, "S-M") == (10, 0, 1)  # a preview changes nothing

    done = await commit(owner, "stock", shown["token"])
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "committed"
    assert [i["applied"] for i in done.json()["items"]] == [True, True]
    assert await inventory(db, owner, "S-M") == (25, 0, 1)
    assert await inventory(db, owner, "S-L") == (3, 0, 1)

    ledger = (await owner.get(f"/api/variants/{ids['S-M']}/ledger")).json()["items"]
    assert (ledger[0]["cause"], ledger[0]["on_hand_delta"], ledger[0]["on_hand_after"]) == (
        "changeset",
        15,
        25,
    )
    assert ledger[0]["note"].startswith(f"change set {shown['id']}: stock count")
    async with db.transaction(owner.org_id, owner.user_id) as s:
        assert (await s.scalar(select(Listing.stock_dirty).where(Listing.id == listings[0]))) is True
        pushes = (await s.execute(text("SELECT task_name FROM procrastinate_jobs"))).scalars().all()
    assert "sync.push_stock" in pushes
    audit = (await owner.get("/api/audit", params={"entity_id": shown["id"]})).json()["items"]
    assert {a["action"] for a in audit} == {"changeset.previewed", "changeset.committed"}


async def test_a_replayed_commit_answers_the_same_and_a_second_commit_is_refused(
    owner: Caller, db: Database
) -> None:
    await catalog(owner)
    shown = await preview(owner, "stock", [{"sku": "S-M", "delta": 1}])
    headers = key()
    body = {"mode": "commit", "token": shown["token"]}
    first = await owner.post("/api/stock/update", json=body, headers=headers)
    again = await owner.post("/api/stock/update", json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    other = await commit(owner, "stock", shown["token"])
    assert other.status_code == 409 and other.json()["code"] == "change_set_not_open"
    assert await inventory(db, owner, "S-M") == (11, 0, 1)


async def test_two_concurrent_commits_of_one_preview_apply_it_once(owner: Caller, db: Database) -> None:
    await catalog(owner)
    shown = await preview(owner, "stock", [{"sku": "S-M", "delta": 5}])
    answers = await asyncio.gather(*(commit(owner, "stock", shown["token"]) for _ in range(2)))
    assert sorted(a.status_code for a in answers) == [200, 409]
    assert await inventory(db, owner, "S-M") == (15, 0, 1)


async def test_a_commit_after_the_stock_moved_is_409_naming_the_skus(owner: Caller, db: Database) -> None:
    ids = await catalog(owner)
    shown = await preview(owner, "stock", [{"sku": "S-M", "set": 20}, {"sku": "S-L", "set": 7}])
    moved = await owner.put(f"/api/variants/{ids['S-L']}/inventory", json={"on_hand": 4})
    assert moved.status_code == 200
    stale = await commit(owner, "stock", shown["token"])
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_preview" and "S-L" in stale.json()["detail"]
    assert problem_fields(stale) == [("items.1", "changed")]
    assert await inventory(db, owner, "S-M") == (10, 0, 1)  # nothing half applied


async def test_items_with_errors_block_the_commit_unless_partial(owner: Caller, db: Database) -> None:
    await catalog(owner)
    shown = await preview(
        owner, "stock", [{"sku": "S-M", "delta": 2}, {"sku": "NOPE", "set": 1}, {"sku": "S-L", "delta": -6}]
    )
    assert shown["summary"]["errors"] == 2
    assert [i["action"] for i in shown["items"]] == ["change", "error", "error"]
    refused = await commit(owner, "stock", shown["token"])
    assert refused.status_code == 422 and refused.json()["code"] == "items_refused"
    assert problem_fields(refused) == [("items.1.sku", "unknown_sku"), ("items.2.delta", "negative_stock")]
    assert await inventory(db, owner, "S-M") == (10, 0, 1)
    done = await commit(owner, "stock", shown["token"], partial=True)
    assert done.status_code == 200
    assert [i["applied"] for i in done.json()["items"]] == [True, False, False]
    assert await inventory(db, owner, "S-M") == (12, 0, 1)
    assert await inventory(db, owner, "S-L") == (5, 0, 0)


async def test_warnings_need_acknowledging(owner: Caller, db: Database) -> None:
    await catalog(owner)
    shown = await preview(owner, "stock", [{"sku": "S-M", "set": 100}])
    assert codes(shown["items"][0]) == ["large_change"] and shown["items"][0]["severity"] == "warning"
    refused = await commit(owner, "stock", shown["token"])
    assert refused.status_code == 422 and refused.json()["code"] == "warnings_not_acknowledged"
    assert problem_fields(refused) == [("items.0.set", "large_change")]
    done = await commit(owner, "stock", shown["token"], acknowledge_warnings=True)
    assert done.status_code == 200
    assert await inventory(db, owner, "S-M") == (100, 0, 1)


async def test_each_stock_finding_at_its_edges(owner: Caller, db: Database) -> None:
    ids = await catalog(owner)
    await reserve(db, owner, ids["S-L"], 3)
    shown = await preview(
        owner,
        "stock",
        [
            {"sku": "S-M", "delta": -10},  # exactly zero: no error
            {"sku": "S-M", "delta": -11},  # repeated SKU
            {"sku": "S-L", "set": 3},  # down to what open orders hold: fine
            {"sku": "GHOST", "set": 0},
        ],
    )
    assert [codes(i) for i in shown["items"]] == [[], ["duplicate_sku"], [], ["unknown_sku"]]
    cases = [
        ({"sku": "S-M", "delta": -11}, ["negative_stock"]),
        ({"sku": "S-M", "set": -1}, ["negative_stock"]),
        ({"sku": "S-M", "set": 99}, []),  # 9.9x
        ({"sku": "S-M", "set": 100}, ["large_change"]),  # 10x
        ({"sku": "S-M", "set": 1}, ["large_change"]),  # a tenth
        ({"sku": "S-M", "delta": 9_999}, ["large_change"]),  # 10,009 is over 10x of 10
        ({"sku": "S-L", "set": 2}, ["below_open_orders"]),
        ({"sku": "S-L", "set": 0}, ["below_open_orders"]),
    ]
    for item, expected in cases:
        found = (await preview(owner, "stock", [item]))["items"][0]
        assert codes(found) == expected, (item, found["findings"])
    policy = (await owner.get("/api/org/change-policy")).json()
    raised = await owner.put(
        "/api/org/change-policy", json=policy | {"large_change_factor": 1000, "large_change_units": 100}
    )
    assert raised.status_code == 200
    units = [(99, []), (100, ["large_change"]), (-10, [])]
    for delta, expected in units:
        found = (await preview(owner, "stock", [{"sku": "S-M", "delta": delta}]))["items"][0]
        assert codes(found) == expected, delta
    finding = (await preview(owner, "stock", [{"sku": "S-M", "set": -1, "row": 12}]))["items"][0]["findings"][
        0
    ]
    assert finding == {
        "code": "negative_stock",
        "severity": "error",
        "field": "items.0.set",
        "message": "on hand would be -1: stock cannot go below zero",
        "row": 12,
    }


async def test_bad_inputs_name_the_field(owner: Caller) -> None:
    await catalog(owner)
    cases = [
        ({"mode": "preview", "items": [{"sku": "S-M", "set": 1, "delta": 1}]}, ("items.0", "set_and_delta")),
        ({"mode": "preview", "items": [{"sku": "S-M"}]}, ("items.0", "nothing_to_change")),
        (
            {"mode": "preview", "items": [{"sku": "S-M", "set": 1, "colour": "red"}]},
            ("items.0.colour", "unknown_field"),
        ),
        ({"mode": "preview", "items": [{"sku": "S-M", "set": 10**12}]}, ("items.0.set", "less_than_equal")),
        (
            {"mode": "preview", "items": [{"sku": "S-M", "delta": -(10**12)}]},
            ("items.0.delta", "greater_than_equal"),
        ),
        (
            {"mode": "preview", "items": [{"sku": "S-M", "safety_buffer": -1}]},
            ("items.0.safety_buffer", "greater_than_equal"),
        ),
        ({"mode": "preview", "items": [{"sku": "", "set": 1}]}, ("items.0.sku", "string_too_short")),
        ({"mode": "preview", "items": []}, ("items", "required")),
        ({"mode": "preview", "items": [{"sku": "S-M", "set": 1}], "token": "x"}, ("token", "unexpected")),
        ({"mode": "commit"}, ("token", "required")),
        ({"mode": "commit", "token": "x", "items": []}, ("items", "unexpected")),
        ({"mode": "publish"}, ("mode", "literal_error")),
    ]
    for body, expected in cases:
        resp = await owner.post("/api/stock/update", json=body, headers=key())
        assert resp.status_code == 422, (body, resp.text)
        assert expected in problem_fields(resp), (body, resp.json())
    no_key = await owner.post("/api/stock/update", json={"mode": "commit", "token": "cs_x"})
    assert no_key.status_code == 422 and problem_fields(no_key) == [("Idempotency-Key", "required")]
    unknown = await owner.post("/api/stock/update", json={"mode": "commit", "token": "cs_x"}, headers=key())
    assert unknown.status_code == 404


async def test_an_expired_preview_cannot_be_committed(owner: Caller, db: Database) -> None:
    await catalog(owner)
    shown = await preview(owner, "stock", [{"sku": "S-M", "delta": 1}])
    async with db.transaction(owner.org_id, owner.user_id) as s:
        past = datetime.now(UTC) - timedelta(seconds=1)
        await s.execute(
            update(ChangeSet).where(ChangeSet.id == uuid.UUID(shown["id"])).values(expires_at=past)
        )
    late = await commit(owner, "stock", shown["token"])
    assert late.status_code == 409 and "expired" in late.json()["detail"]
    assert (await owner.get(f"/api/changesets/{shown['id']}")).json()["status"] == "expired"
    listed = (await owner.get("/api/changesets", params={"status": "expired"})).json()["items"]
    assert [c["id"] for c in listed] == [shown["id"]]
    assert await inventory(db, owner, "S-M") == (10, 0, 1)


async def test_the_preview_shows_each_shops_pushed_quantity_as_the_push_will_derive_it(
    owner: Caller, db: Database
) -> None:
    """Rules, caps and other shops' campaigns shape each shop's number; the preview's is the one the
    explain (the push's own derivation) gives once the change is committed."""
    ids = await catalog(owner)
    halved, _ = await shop(db, owner, [ids["S-M"], ids["S-L"]], platform="tiktokshop")
    capped, _ = await shop(db, owner, [ids["S-M"]], platform="lazada")
    plain, _ = await shop(db, owner, [ids["S-M"]], platform="shopee")
    rule = {"share_percent": 50, "cap": None, "keep_last": None, "keep_for_channel_id": None}
    assert (await owner.put(f"/api/channels/{halved}/allocation-rule", json=rule)).status_code == 200
    cap = rule | {"share_percent": None, "cap": 4}
    resp = await owner.put(f"/api/variants/{ids['S-M']}/allocation-rules/{capped}", json=cap)
    assert resp.status_code == 200, resp.text
    promo = await owner.put(f"/api/variants/{ids['S-M']}/promotions/{plain}", json={"units": 3})
    assert promo.status_code == 200, promo.text

    shown = await preview(owner, "stock", [{"sku": "S-M", "set": 21}, {"sku": "S-L", "set": 0}])
    m, l_ = shown["items"]
    pushed = {s["platform"]: s["pushed"] for s in m["after"]["shops"]}
    # 21 on hand - shopee's campaign 3 - buffer 1 = 17: tiktokshop gets half (8), lazada at most 4;
    # shopee keeps its own campaign's units inside what it is sent: 21 - 1 = 20
    assert pushed == {"tiktokshop": 8, "lazada": 4, "shopee": 20}
    assert [s["pushed"] for s in l_["after"]["shops"]] == [0]
    assert "shops" not in m["before"]

    done = await commit(owner, "stock", shown["token"], acknowledge_warnings=True)
    assert done.status_code == 200, done.text
    explained = (await owner.get(f"/api/variants/{ids['S-M']}/stock/explain")).json()["listings"]
    assert {x["platform"]: x["pushed"] for x in explained} == pushed


async def test_an_unchanged_item_stays_unchanged_with_its_shops_listed(owner: Caller, db: Database) -> None:
    ids = await catalog(owner)
    await shop(db, owner, [ids["S-M"]])
    shown = await preview(owner, "stock", [{"sku": "S-M", "set": 10}])
    assert shown["summary"]["unchanged"] == 1 and shown["items"][0]["action"] == "unchanged"
    assert [s["pushed"] for s in shown["items"][0]["after"]["shops"]] == [9]
