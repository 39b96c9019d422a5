"""Idempotency-Key on unsafe methods, as Stripe does it."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from fastapi import FastAPI

from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from aiostore.security.crypto import TokenCipher
from aiostore.services import idempotency
from aiostore.settings import Settings
from tests.factories import Caller, member_token, product_body


async def test_same_key_same_body_replays_first_response(owner: Caller) -> None:
    headers = {"Idempotency-Key": "create-kaos-1"}
    first = await owner.post("/api/products", json=product_body(), headers=headers)
    second = await owner.post("/api/products", json=product_body(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert len((await owner.get("/api/products")).json()["items"]) == 1


async def test_same_key_other_body_is_422(owner: Caller) -> None:
    headers = {"Idempotency-Key": "k-2"}
    await owner.post("/api/products", json=product_body(), headers=headers)
    other = await owner.post("/api/products", json=product_body(sku="OTHER"), headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    other_path = await owner.patch("/api/org", json={"name": "x"}, headers=headers)
    assert other_path.status_code == 422


async def test_errors_are_replayed_too(owner: Caller) -> None:
    headers = {"Idempotency-Key": "bad-1"}
    body = product_body()
    body["variants"][0]["prices"]["ID"] = "1.5"
    first = await owner.post("/api/products", json=body, headers=headers)
    second = await owner.post("/api/products", json=body, headers=headers)
    assert first.status_code == second.status_code == 422
    assert second.json() == first.json()
    assert second.headers["content-type"].startswith("application/problem+json")


async def test_duplicates_in_flight_run_once(app: FastAPI, db: Database, owner: Caller) -> None:
    operator = await member_token(app, db, owner.org_id, Role.OPERATOR)
    headers = {"Idempotency-Key": "race-1"}
    results = await asyncio.gather(
        *[operator.post("/api/products", json=product_body(), headers=headers) for _ in range(6)]
    )
    assert {r.status_code for r in results} <= {201, 409}
    originals = [r for r in results if r.status_code == 201 and "idempotent-replayed" not in r.headers]
    assert len(originals) == 1
    for r in results:
        if r.status_code == 409:
            assert r.json()["code"] == "idempotency_key_in_use"
        else:
            assert r.json() == originals[0].json()
    assert len((await operator.get("/api/products")).json()["items"]) == 1


async def test_key_held_by_a_running_request_is_409(
    app: FastAPI, db: Database, test_settings: Settings, owner: Caller
) -> None:
    """A claim is what a running request's transaction holds: a duplicate meanwhile gets 409 and
    Retry-After; a transaction that ends without recording leaves the key unclaimed."""
    operator = await member_token(app, db, owner.org_id, Role.OPERATOR)
    raw = json.dumps(product_body()).encode()
    headers = {"Idempotency-Key": "held", "content-type": "application/json"}
    held = idempotency.Claim(
        owner.org_id,
        operator.user_id,
        "held",
        "POST",
        "/api/products",
        idempotency.request_fingerprint("POST", "/api/products", "", raw),
        timedelta(hours=24),
    )
    async with db.transaction(owner.org_id, operator.user_id) as session:
        assert await idempotency.claim(session, held, TokenCipher(test_settings.encryption_keys)) == held
        resp = await operator.post("/api/products", content=raw, headers=headers)
        assert resp.status_code == 409
        assert resp.json()["code"] == "idempotency_key_in_use"
        assert resp.headers["retry-after"] == "1"
    done = await operator.post("/api/products", content=raw, headers=headers)
    assert done.status_code == 201 and "idempotent-replayed" not in done.headers


async def test_keys_are_scoped_to_user(app: FastAPI, db: Database, owner: Caller) -> None:
    operator = await member_token(app, db, owner.org_id, Role.OPERATOR)
    headers = {"Idempotency-Key": "shared-key"}
    a = await owner.post("/api/products", json=product_body(sku="A"), headers=headers)
    b = await operator.post("/api/products", json=product_body(sku="B"), headers=headers)
    assert a.status_code == b.status_code == 201
    assert "idempotent-replayed" not in b.headers


async def test_bad_key_is_422(owner: Caller) -> None:
    resp = await owner.post("/api/products", json=product_body(), headers={"Idempotency-Key": "x" * 300})
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["field"] == "Idempotency-Key"
