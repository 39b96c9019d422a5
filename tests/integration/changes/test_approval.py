"""A second pair of eyes: commits over the org's change policy wait for another admin or owner;
the policy itself; roles and other orgs."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import update

from aiostore.db.models import ChangeSet
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from tests.factories import Caller, member_token
from tests.integration.changes.support import catalog, commit, inventory, key, preview, problem_fields


async def _strict(owner: Caller, **policy: int) -> None:
    current = (await owner.get("/api/org/change-policy")).json()
    resp = await owner.put("/api/org/change-policy", json=current | policy)
    assert resp.status_code == 200, resp.text


async def test_zeroing_more_skus_than_the_policy_allows_waits_for_another_admin(
    app: FastAPI, owner: Caller, db: Database
) -> None:
    await catalog(owner)
    await _strict(owner, approval_zeroed_skus=1)
    below = await preview(owner, "stock", [{"sku": "S-M", "set": 0}])  # one SKU to zero: allowed
    assert (await commit(owner, "stock", below["token"], acknowledge_warnings=True)).status_code == 200
    shown = await preview(owner, "stock", [{"sku": "S-M", "set": 5}])
    assert (await commit(owner, "stock", shown["token"])).status_code == 200
    shown = await preview(owner, "stock", [{"sku": "S-M", "set": 0}, {"sku": "S-L", "set": 0}])
    assert shown["summary"]["zeroed"] == 2
    waiting = await commit(owner, "stock", shown["token"], acknowledge_warnings=True)
    assert waiting.status_code == 202, waiting.text
    assert waiting.json()["status"] == "awaiting_approval"
    assert "2 SKUs go to zero" in waiting.json()["approval_reason"]
    assert await inventory(db, owner, "S-M") == (5, 0, 1)  # nothing applied yet

    same = await owner.post(f"/api/changesets/{shown['id']}/approve")
    assert same.status_code == 403 and "someone other" in same.json()["detail"]
    operator = await member_token(app, db, owner.org_id, Role.OPERATOR)
    refused = await operator.post(f"/api/changesets/{shown['id']}/approve")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    again = await commit(owner, "stock", shown["token"], acknowledge_warnings=True)
    assert again.status_code == 409  # awaiting approval is no preview any more

    admin = await member_token(app, db, owner.org_id, Role.ADMIN)
    approved = await admin.post(f"/api/changesets/{shown['id']}/approve", headers=key())
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert (body["status"], body["approved_by"], body["committed_by"]) == (
        "committed",
        str(admin.user_id),
        str(owner.user_id),
    )
    assert await inventory(db, owner, "S-M") == (0, 0, 1)
    twice = await admin.post(f"/api/changesets/{shown['id']}/approve")
    assert twice.status_code == 409 and twice.json()["code"] == "change_set_not_open"
    audit = (await owner.get("/api/audit", params={"entity_id": shown["id"]})).json()["items"]
    assert {a["action"] for a in audit} == {
        "changeset.previewed",
        "changeset.approval_requested",
        "changeset.approved",
    }


async def test_an_approval_checks_the_base_again(app: FastAPI, owner: Caller, db: Database) -> None:
    ids = await catalog(owner)
    await _strict(owner, approval_zeroed_skus=0)
    shown = await preview(owner, "stock", [{"sku": "S-L", "set": 0}])
    assert (await commit(owner, "stock", shown["token"])).status_code == 202
    await owner.put(f"/api/variants/{ids['S-L']}/inventory", json={"on_hand": 6})
    admin = await member_token(app, db, owner.org_id, Role.ADMIN)
    stale = await admin.post(f"/api/changesets/{shown['id']}/approve")
    assert stale.status_code == 409 and problem_fields(stale) == [("items.0", "changed")]
    assert await inventory(db, owner, "S-L") == (6, 0, 0)


async def test_a_rejected_change_set_is_never_applied(app: FastAPI, owner: Caller, db: Database) -> None:
    await catalog(owner)
    await _strict(owner, approval_price_drop_percent=30)
    edge = await preview(owner, "price", [{"sku": "S-M", "market": "ID", "price": "105000"}])  # -30%
    assert (await commit(owner, "price", edge["token"])).status_code == 200
    shown = await preview(owner, "price", [{"sku": "S-M", "market": "ID", "price": "73499"}])  # -30.0009%
    waiting = await commit(owner, "price", shown["token"])
    assert (
        waiting.status_code == 202 and "S-M drops from 105000 to 73499" in waiting.json()["approval_reason"]
    )
    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    assert (await viewer.post(f"/api/changesets/{shown['id']}/reject")).status_code == 403
    rejected = await owner.post(f"/api/changesets/{shown['id']}/reject")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    admin = await member_token(app, db, owner.org_id, Role.ADMIN)
    late = await admin.post(f"/api/changesets/{shown['id']}/approve")
    assert late.status_code == 409
    variant = (await owner.get("/api/products")).json()["items"][0]["variants"][0]
    assert variant["prices"]["ID"]["amount"] == "105000"
    listed = (await viewer.get("/api/changesets", params={"status": "rejected"})).json()["items"]
    assert [c["id"] for c in listed] == [shown["id"]]


async def test_the_policy_is_validated_audited_and_set_by_admins_only(
    app: FastAPI, owner: Caller, db: Database
) -> None:
    defaults = (await owner.get("/api/org/change-policy")).json()
    assert defaults == {
        "large_change_factor": 10,
        "large_change_units": 10_000,
        "price_change_warning_percent": 50,
        "approval_zeroed_skus": 20,
        "approval_price_drop_percent": 30,
        "preview_ttl_minutes": 60,
    }
    bad = await owner.put(
        "/api/org/change-policy",
        json=defaults | {"large_change_factor": 1, "approval_price_drop_percent": 101},
    )
    assert bad.status_code == 422
    assert set(problem_fields(bad)) == {
        ("large_change_factor", "greater_than_equal"),
        ("approval_price_drop_percent", "less_than_equal"),
    }
    unknown = await owner.put("/api/org/change-policy", json=defaults | {"approve_all": True})
    assert unknown.status_code == 422 and problem_fields(unknown) == [("approve_all", "unknown_field")]
    operator = await member_token(app, db, owner.org_id, Role.OPERATOR)
    assert (await operator.put("/api/org/change-policy", json=defaults)).status_code == 403
    admin = await member_token(app, db, owner.org_id, Role.ADMIN)
    changed = await admin.put("/api/org/change-policy", json=defaults | {"approval_zeroed_skus": 3})
    assert changed.status_code == 200 and changed.json()["approval_zeroed_skus"] == 3
    audit = (await owner.get("/api/audit", params={"action": "org.change_policy_set"})).json()["items"]
    assert audit[0]["changes"] == {"approval_zeroed_skus": {"before": 20, "after": 3}}


async def test_another_orgs_change_sets_are_not_found(owner: Caller, other_org: Caller, db: Database) -> None:
    await catalog(owner)
    shown = await preview(owner, "stock", [{"sku": "S-M", "delta": 1}])
    assert (await other_org.get(f"/api/changesets/{shown['id']}")).status_code == 404
    assert (await other_org.get("/api/changesets")).json()["items"] == []
    stolen = await commit(other_org, "stock", shown["token"])
    assert stolen.status_code == 404
    for action in ("approve", "reject", "revert"):
        assert (await other_org.post(f"/api/changesets/{shown['id']}/{action}")).status_code == 404
    foreign_sku = await preview(other_org, "stock", [{"sku": "S-M", "delta": 1}])
    assert foreign_sku["items"][0]["findings"][0]["code"] == "unknown_sku"
    assert await inventory(db, owner, "S-M") == (10, 0, 1)


async def test_a_change_set_awaiting_approval_expires_and_can_no_longer_be_approved(
    app: FastAPI, owner: Caller, db: Database
) -> None:
    await catalog(owner)
    await _strict(owner, approval_zeroed_skus=0)
    shown = await preview(owner, "stock", [{"sku": "S-L", "set": 0}])
    waiting = await commit(owner, "stock", shown["token"])
    assert waiting.status_code == 202, waiting.text
    body = waiting.json()
    committed = datetime.fromisoformat(body["committed_at"])
    assert datetime.fromisoformat(body["approval_expires_at"]) - committed == timedelta(hours=72)
    live = (await owner.get("/api/changesets", params={"status": "awaiting_approval"})).json()["items"]
    assert [c["id"] for c in live] == [shown["id"]]

    async with db.transaction(owner.org_id, owner.user_id) as s:  # 73 hours later
        await s.execute(
            update(ChangeSet)
            .where(ChangeSet.id == uuid.UUID(shown["id"]))
            .values(committed_at=committed - timedelta(hours=73))
        )
    admin = await member_token(app, db, owner.org_id, Role.ADMIN)
    late = await admin.post(f"/api/changesets/{shown['id']}/approve", headers=key())
    assert late.status_code == 409 and late.json()["code"] == "approval_expired"
    assert problem_fields(late) == [("change_set_id", "expired")]
    assert shown["id"] in late.json()["detail"]
    assert await inventory(db, owner, "S-L") == (5, 0, 0)  # nothing applied
    assert (await admin.post(f"/api/changesets/{shown['id']}/reject")).status_code == 409

    seen = (await owner.get(f"/api/changesets/{shown['id']}")).json()
    assert seen["status"] == "expired"
    expired = (await owner.get("/api/changesets", params={"status": "expired"})).json()["items"]
    assert [c["id"] for c in expired] == [shown["id"]]
    assert (await owner.get("/api/changesets", params={"status": "awaiting_approval"})).json()["items"] == []
    listed = (await owner.get("/api/changesets")).json()["items"]
    assert [c["status"] for c in listed if c["id"] == shown["id"]] == ["expired"]
