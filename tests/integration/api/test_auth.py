"""Accounts: register, log in and out, sessions with CSRF, throttling, API tokens, orgs and members."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from tests.factories import PASSWORD, Caller, member_token, new_client, product_body, signup


async def test_register_sets_secure_cookies_and_me(app: FastAPI) -> None:
    client = new_client(app)
    resp = await client.post(
        "/api/auth/register",
        json={
            "email": "Siti@Example.com",
            "password": PASSWORD,
            "display_name": "Siti",
            "organization_name": "Toko Siti",
        },
    )
    assert resp.status_code == 201, resp.text
    cookies = resp.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("aiostore_session="))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie
    csrf_cookie = next(c for c in cookies if c.startswith("aiostore_csrf="))
    assert "HttpOnly" not in csrf_cookie
    me = (await client.get("/api/auth/me")).json()
    assert me["email"] == "siti@example.com"
    assert me["role"] == "owner"
    assert me["organizations"][0]["name"] == "Toko Siti"
    assert "org:manage" in me["permissions"]
    assert "password" not in resp.text and "password_hash" not in resp.text


async def test_register_bad_input_names_fields(client: httpx.AsyncClient) -> None:
    resp = await client.post(
        "/api/auth/register",
        json={
            "email": "nope",
            "password": "short",
            "display_name": "",
            "organization_name": "x",
            "admin": True,
        },
    )
    assert resp.status_code == 422
    fields = {e["field"] for e in resp.json()["errors"]}
    assert fields == {"email", "password", "display_name", "admin"}


async def test_unsafe_cookie_request_needs_csrf(owner: Caller) -> None:
    no_csrf = await owner.client.post("/api/products", json=product_body())
    assert no_csrf.status_code == 403
    assert no_csrf.json()["code"] == "csrf_failed"
    wrong = await owner.client.post("/api/products", json=product_body(), headers={"X-CSRF-Token": "x" * 40})
    assert wrong.status_code == 403
    assert (await owner.post("/api/products", json=product_body())).status_code == 201
    assert (await owner.client.get("/api/products")).status_code == 200  # safe methods need none


async def test_login_logout_and_no_enumeration(app: FastAPI, owner: Caller) -> None:
    client = new_client(app)
    wrong_pw = await client.post(
        "/api/auth/login", json={"email": owner.email, "password": "wrong password!"}
    )
    unknown = await client.post(
        "/api/auth/login", json={"email": "ghost@example.com", "password": "wrong password!"}
    )
    assert wrong_pw.status_code == unknown.status_code == 401
    assert wrong_pw.json()["detail"] == unknown.json()["detail"]
    assert wrong_pw.json()["code"] == unknown.json()["code"] == "invalid_credentials"
    ok = await client.post("/api/auth/login", json={"email": owner.email.upper(), "password": PASSWORD})
    assert ok.status_code == 200
    csrf = ok.json()["csrf_token"]
    assert (await client.get("/api/auth/me")).status_code == 200
    assert (await client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})).status_code == 204
    after = await client.get("/api/auth/me")
    assert after.status_code == 401
    assert after.json()["code"] == "not_authenticated"


async def test_api_token_lifecycle(owner: Caller, app: FastAPI) -> None:
    created = await owner.post("/api/tokens", json={"name": "sync script", "role": "operator"})
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("aio_")
    listed = (await owner.get("/api/tokens")).json()
    assert listed[0]["name"] == "sync script" and "token" not in listed[0]
    bot = new_client(app, {"Authorization": f"Bearer {secret}"})
    assert (await bot.post("/api/products", json=product_body())).status_code == 201  # no CSRF for tokens
    me = (await bot.get("/api/auth/me")).json()
    assert me["auth"] == "token" and me["role"] == "operator"
    assert (await bot.post("/api/tokens", json={"name": "escalate"})).status_code == 403
    revoked = await owner.delete(f"/api/tokens/{created.json()['id']}")
    assert revoked.json()["revoked_at"] is not None
    denied = await bot.get("/api/products")
    assert denied.status_code == 401
    garbage = await new_client(app, {"Authorization": "Bearer aio_nonsense"}).get("/api/products")
    assert garbage.status_code == 401
    basic = await new_client(app, {"Authorization": "Basic Zm9vOmJhcg=="}).get("/api/products")
    assert basic.status_code == 401


async def test_token_cannot_outrank_creator(app: FastAPI, db: Database, owner: Caller) -> None:
    admin = await member_token(app, db, owner.org_id, Role.ADMIN)
    resp = await admin.post("/api/tokens", json={"name": "too strong", "role": "owner"})
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["field"] == "role"


async def test_invite_existing_user_switch_org_and_roles(
    app: FastAPI, owner: Caller, other_org: Caller
) -> None:
    invited = await owner.post("/api/org/members", json={"email": other_org.email, "role": "viewer"})
    assert invited.status_code == 201 and invited.json()["status"] == "invited"
    accepted = await other_org.post(f"/api/invitations/{invited.json()['invitation_id']}/accept")
    assert accepted.status_code == 200, accepted.text
    members = (await owner.get("/api/org/members")).json()
    member_id = next(m["id"] for m in members if m["email"] == other_org.email)
    me = (await other_org.get("/api/auth/me")).json()
    assert {o["name"] for o in me["organizations"]} == {"Toko Owner", "Toko Rival"}
    switched = await other_org.post("/api/auth/switch-org", json={"org_id": str(owner.org_id)})
    assert switched.status_code == 200 and switched.json()["role"] == "viewer"
    assert (await other_org.post("/api/products", json=product_body())).status_code == 403
    promoted = await owner.patch(f"/api/org/members/{member_id}", json={"role": "operator"})
    assert promoted.json()["role"] == "operator"
    assert (await other_org.post("/api/products", json=product_body())).status_code == 201
    outsider = await other_org.post(
        "/api/auth/switch-org", json={"org_id": "00000000-0000-0000-0000-000000000001"}
    )
    assert outsider.status_code == 404


async def test_invitation_for_new_person(app: FastAPI, owner: Caller) -> None:
    inv = await owner.post("/api/org/members", json={"email": "baru@example.com", "role": "operator"})
    assert inv.json()["status"] == "invited"
    token = inv.json()["invitation_token"]
    newcomer = await signup(app, email="baru@example.com", org="Own shop")
    wrong = await newcomer.post(
        "/api/auth/accept-invitation", json={"org_id": str(owner.org_id), "token": "x" * 20}
    )
    assert wrong.status_code == 422
    ok = await newcomer.post(
        "/api/auth/accept-invitation", json={"org_id": str(owner.org_id), "token": token}
    )
    assert (
        ok.status_code == 200 and ok.json()["role"] == "operator" and ok.json()["org_id"] == str(owner.org_id)
    )
    again = await newcomer.post(
        "/api/auth/accept-invitation", json={"org_id": str(owner.org_id), "token": token}
    )
    assert again.status_code == 422


async def test_last_owner_cannot_leave_and_admin_cannot_touch_owner(
    app: FastAPI, db: Database, owner: Caller
) -> None:
    members = (await owner.get("/api/org/members")).json()
    me = next(m for m in members if m["email"] == owner.email)
    demote = await owner.patch(f"/api/org/members/{me['id']}", json={"role": "admin"})
    assert demote.status_code == 409
    admin = await member_token(app, db, owner.org_id, Role.ADMIN)
    assert (await admin.delete(f"/api/org/members/{me['id']}")).status_code == 403
    grant_owner = await admin.post("/api/org/members", json={"email": "x@example.com", "role": "owner"})
    assert grant_owner.status_code == 403


async def test_members_of_other_org_are_404(owner: Caller, other_org: Caller) -> None:
    theirs = (await other_org.get("/api/org/members")).json()[0]["id"]
    resp = await owner.patch(f"/api/org/members/{theirs}", json={"role": "viewer"})
    assert resp.status_code == 404
