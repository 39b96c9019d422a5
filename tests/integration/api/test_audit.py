"""Every change through the API lands in the audit log, in the same transaction."""

from __future__ import annotations

from fastapi import FastAPI

from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from tests.factories import Caller, member_token, product_body


async def test_changes_are_audited_with_actor_and_diff(app: FastAPI, db: Database, owner: Caller) -> None:
    operator = await member_token(app, db, owner.org_id, Role.OPERATOR)
    product = (
        await operator.post("/api/products", json=product_body(), headers={"X-Request-ID": "req-audit-0001"})
    ).json()
    await operator.patch(f"/api/products/{product['id']}", json={"title": "Kaos Baru"})
    vid = product["variants"][0]["id"]
    await operator.put(f"/api/variants/{vid}/inventory", json={"on_hand": 4, "safety_buffer": 1})

    entries = (await owner.get("/api/audit")).json()["items"]
    actions = [e["action"] for e in entries]
    assert actions[:3] == ["inventory.set", "product.updated", "product.created"]
    updated = entries[1]
    assert updated["changes"] == {"title": {"before": "Kaos Polos Premium", "after": "Kaos Baru"}}
    assert updated["actor_type"] == "token" and updated["actor_label"] == "token:operator token"
    assert updated["entity_id"] == product["id"]
    created = entries[2]
    assert created["request_id"] == "req-audit-0001"
    assert created["client_ip"] == "127.0.0.1"
    assert entries[0]["changes"] == {"on_hand": {"before": 10, "after": 4}}


async def test_failed_change_leaves_no_audit_entry(owner: Caller) -> None:
    body = product_body()
    body["variants"][0]["prices"]["ID"] = "0.5"
    assert (await owner.post("/api/products", json=body)).status_code == 422
    actions = [e["action"] for e in (await owner.get("/api/audit")).json()["items"]]
    assert "product.created" not in actions


async def test_filters_pagination_and_isolation(owner: Caller, other_org: Caller) -> None:
    for i in range(5):
        await owner.post("/api/products", json=product_body(sku=f"S{i}"))
    await other_org.post("/api/products", json=product_body(sku="THEIRS"))
    seen, cursor = [], None
    while True:
        params = {"entity_type": "product", "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await owner.get("/api/audit", params=params)).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 5 and len({e["id"] for e in seen}) == 5
    times = [e["created_at"] for e in seen]
    assert times == sorted(times, reverse=True)
    only_created = (await owner.get("/api/audit", params={"action": "org.created"})).json()["items"]
    assert len(only_created) == 1
    theirs = (await other_org.get("/api/audit", params={"entity_type": "product"})).json()["items"]
    assert len(theirs) == 1


async def test_viewer_and_operator_cannot_read_audit(app: FastAPI, db: Database, owner: Caller) -> None:
    for role in (Role.VIEWER, Role.OPERATOR):
        caller = await member_token(app, db, owner.org_id, role)
        assert (await caller.get("/api/audit")).status_code == 403
