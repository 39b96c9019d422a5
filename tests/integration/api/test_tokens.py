"""API tokens created by a token never outlive it; secrets are never stored readable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
from fastapi import FastAPI

from aiostore.db.engine import DatabaseURLs
from tests.factories import Caller, new_client


def _bearer(app: FastAPI, token: str) -> Caller:
    return Caller(new_client(app), None, None, "", {"Authorization": f"Bearer {token}"})  # type: ignore[arg-type]


async def _token(caller: Caller, **body: object) -> dict[str, object]:
    resp = await caller.post("/api/tokens", json={"name": "t", "role": "admin", **body})
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


async def test_a_child_token_expires_with_its_parent_and_no_later(app: FastAPI, owner: Caller) -> None:
    ends = datetime.now(UTC) + timedelta(days=2)
    parent = await _token(owner, expires_at=ends.isoformat())
    bot = _bearer(app, str(parent["token"]))
    child = await _token(bot, name="child")
    assert datetime.fromisoformat(str(child["expires_at"])) == datetime.fromisoformat(
        str(parent["expires_at"])
    )
    later = await bot.post(
        "/api/tokens", json={"name": "later", "expires_at": (ends + timedelta(days=1)).isoformat()}
    )
    assert later.status_code == 422
    assert later.json()["errors"][0]["field"] == "expires_at"
    assert "outlive" in later.json()["errors"][0]["message"]
    sooner = await _token(bot, name="sooner", expires_at=(ends - timedelta(days=1)).isoformat())
    assert datetime.fromisoformat(str(sooner["expires_at"])) < ends
    # A person's tokens are not bound by any other token.
    free = await _token(owner, name="free")
    assert free["expires_at"] is None


async def test_revoking_a_token_revokes_every_token_it_created(app: FastAPI, owner: Caller) -> None:
    parent = await _token(owner, name="parent")
    child = await _token(_bearer(app, str(parent["token"])), name="child")
    grandchild = await _token(_bearer(app, str(child["token"])), name="grandchild")
    sibling = await _token(owner, name="sibling")
    for t in (parent, child, grandchild, sibling):
        assert (await _bearer(app, str(t["token"])).get("/api/products")).status_code == 200
    revoked = await owner.delete(f"/api/tokens/{parent['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    for t in (parent, child, grandchild):
        resp = await _bearer(app, str(t["token"])).get("/api/products")
        assert resp.status_code == 401, t["name"]
    assert (await _bearer(app, str(sibling["token"])).get("/api/products")).status_code == 200
    listed = {t["name"]: t for t in (await owner.get("/api/tokens")).json()}
    assert listed["grandchild"]["revoked_at"] and listed["sibling"]["revoked_at"] is None
    audit = (await owner.get("/api/audit", params={"action": "api_token.revoked"})).json()["items"]
    assert {a["entity_id"] for a in audit} == {parent["id"], child["id"], grandchild["id"]}


async def test_a_new_tokens_secret_is_stored_encrypted_and_replayed(
    owner: Caller, urls: DatabaseURLs
) -> None:
    headers = {"Idempotency-Key": "new-token-1"}
    first = await owner.post("/api/tokens", json={"name": "deploy"}, headers=headers)
    secret = first.json()["token"]
    again = await owner.post("/api/tokens", json={"name": "deploy"}, headers=headers)
    assert again.headers["idempotent-replayed"] == "true" and again.json()["token"] == secret
    async with await psycopg.AsyncConnection.connect(urls.owner_conninfo()) as conn:
        row = await (
            await conn.execute("SELECT response_body FROM idempotency_keys WHERE key = 'new-token-1'")
        ).fetchone()
        assert row is not None
        stored = bytes(row[0])
        assert secret.encode() not in stored and stored.startswith(b"gAAAAA")  # Fernet
        # A body that cannot be read any more (keys dropped, a row from before encryption) is never
        # run again: the caller is told the request was processed.
        await conn.execute("UPDATE idempotency_keys SET response_body = 'plain' WHERE key = 'new-token-1'")
        await conn.commit()
    replay = await owner.post("/api/tokens", json={"name": "deploy"}, headers=headers)
    assert replay.status_code == 409
    assert replay.json()["code"] == "idempotency_response_unavailable"
    assert len([t for t in (await owner.get("/api/tokens")).json() if t["name"] == "deploy"]) == 1
