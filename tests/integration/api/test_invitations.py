"""Nobody joins an organization without consent; anyone may leave one (but its last owner)."""

from __future__ import annotations

import uuid

from fastapi import FastAPI

from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from tests.factories import PASSWORD, Caller, member_token, new_client, signup


async def _invite(admin: Caller, email: str, role: str = "operator") -> dict[str, str]:
    resp = await admin.post("/api/org/members", json={"email": email, "role": role})
    assert resp.status_code == 201, resp.text
    body: dict[str, str] = resp.json()
    return body


async def _orgs(caller: Caller) -> set[str]:
    return {o["name"] for o in (await caller.get("/api/auth/me")).json()["organizations"]}


async def test_inviting_reveals_nothing_and_adds_nobody(owner: Caller, other_org: Caller) -> None:
    existing = await _invite(owner, other_org.email)
    unknown = await _invite(owner, "nobody-yet@example.com")
    assert existing.keys() == unknown.keys() == {"status", "invitation_id", "invitation_token", "expires_at"}
    assert existing["status"] == unknown["status"] == "invited"
    assert str(other_org.user_id) not in str(existing) and "rival" not in str(existing).lower()
    assert await _orgs(other_org) == {"Toko Rival"}
    members = (await owner.get("/api/org/members")).json()
    assert [m["email"] for m in members] == [owner.email]
    audit = (await owner.get("/api/audit", params={"action": "member.invited"})).json()["items"]
    assert len(audit) == 2


async def test_invitee_sees_accepts_and_is_audited(owner: Caller, other_org: Caller) -> None:
    invitation = await _invite(owner, other_org.email.upper(), "operator")
    listed = (await other_org.get("/api/invitations")).json()
    assert [(i["id"], i["org_name"], i["role"]) for i in listed] == [
        (invitation["invitation_id"], "Toko Owner", "operator")
    ]
    assert listed[0]["invited_by"] == "owner"
    assert (await owner.get("/api/invitations")).json() == []  # not addressed to the inviter
    accepted = await other_org.post(f"/api/invitations/{invitation['invitation_id']}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["org_id"] == str(owner.org_id) and accepted.json()["role"] == "operator"
    assert await _orgs(other_org) == {"Toko Owner", "Toko Rival"}
    assert (await other_org.get("/api/invitations")).json() == []
    again = await other_org.post(f"/api/invitations/{invitation['invitation_id']}/accept")
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    token_too = await other_org.post(
        "/api/auth/accept-invitation",
        json={"org_id": str(owner.org_id), "token": invitation["invitation_token"]},
    )
    assert token_too.status_code == 422 and token_too.json()["errors"][0]["field"] == "token"
    joined = (await owner.get("/api/audit", params={"action": "member.joined"})).json()["items"]
    assert len(joined) == 1 and joined[0]["actor_id"] == str(other_org.user_id)


async def test_decline_and_others_cannot_answer(app: FastAPI, owner: Caller, other_org: Caller) -> None:
    invitation = await _invite(owner, other_org.email)
    url = f"/api/invitations/{invitation['invitation_id']}"
    stranger = await signup(app, email="stranger@example.com", org="Stranger")
    for who in (stranger, owner):
        refused = await who.post(f"{url}/accept")
        assert refused.status_code == 404 and refused.json()["code"] == "not_found"
        assert (await who.post(f"{url}/decline")).status_code == 404
    assert (await other_org.post(f"{url}/decline")).status_code == 204
    assert (await other_org.post(f"{url}/accept")).status_code == 409
    assert await _orgs(other_org) == {"Toko Rival"}
    declined = (await owner.get("/api/audit", params={"action": "member.invitation_declined"})).json()
    assert len(declined["items"]) == 1
    missing = await other_org.post(f"/api/invitations/{uuid.uuid4()}/accept")
    assert missing.status_code == 404


async def test_tokens_cannot_answer_invitations_or_leave(app: FastAPI, db: Database, owner: Caller) -> None:
    admin = await member_token(app, db, owner.org_id, Role.ADMIN)
    for method, url in (
        ("GET", "/api/invitations"),
        ("POST", f"/api/invitations/{uuid.uuid4()}/accept"),
        ("POST", f"/api/invitations/{uuid.uuid4()}/decline"),
        ("DELETE", f"/api/orgs/{owner.org_id}/membership"),
    ):
        resp = await admin.request(method, url)
        assert resp.status_code == 403 and resp.json()["code"] == "forbidden", (method, url)


async def test_login_opens_in_an_org_the_person_chose(app: FastAPI, owner: Caller) -> None:
    # The newcomer's own org is younger than the inviter's: a login must still open there.
    newcomer = await signup(app, email="newcomer@example.com", org="Own shop")
    invitation = await _invite(owner, newcomer.email)
    client = new_client(app)
    login = {"email": newcomer.email, "password": PASSWORD}
    assert (await client.post("/api/auth/login", json=login)).json()["org_id"] == str(newcomer.org_id)
    await newcomer.post(f"/api/invitations/{invitation['invitation_id']}/accept")
    assert (await client.post("/api/auth/login", json=login)).json()["org_id"] == str(owner.org_id)
    await newcomer.post("/api/auth/switch-org", json={"org_id": str(newcomer.org_id)})
    assert (await client.post("/api/auth/login", json=login)).json()["org_id"] == str(newcomer.org_id)


async def test_a_viewer_can_leave_and_the_last_owner_cannot(app: FastAPI, owner: Caller) -> None:
    viewer = await signup(app, email="viewer@example.com", org="Viewer's shop")
    invitation = await _invite(owner, viewer.email, "viewer")
    await viewer.post(f"/api/invitations/{invitation['invitation_id']}/accept")
    assert (await viewer.get("/api/auth/me")).json()["org_id"] == str(owner.org_id)
    left = await viewer.delete(f"/api/orgs/{owner.org_id}/membership")
    assert left.status_code == 204, left.text
    me = (await viewer.get("/api/auth/me")).json()
    assert me["org_id"] == str(viewer.org_id) and {o["name"] for o in me["organizations"]} == {
        "Viewer's shop"
    }
    assert (await viewer.delete(f"/api/orgs/{owner.org_id}/membership")).status_code == 404
    last = await owner.delete(f"/api/orgs/{owner.org_id}/membership")
    assert last.status_code == 409 and last.json()["code"] == "conflict"
    gone = (await owner.get("/api/audit", params={"action": "member.left"})).json()["items"]
    assert len(gone) == 1 and gone[0]["actor_id"] == str(viewer.user_id)
    no_csrf = await viewer.client.delete(f"/api/orgs/{viewer.org_id}/membership")
    assert no_csrf.status_code == 403 and no_csrf.json()["code"] == "csrf_failed"


async def test_admin_lists_and_withdraws_invitations(
    app: FastAPI, db: Database, owner: Caller, other_org: Caller
) -> None:
    pending = await _invite(owner, other_org.email, "viewer")
    declined = await _invite(owner, "declines@example.com", "viewer")
    decliner = await signup(app, email="declines@example.com", org="Decliner")
    await decliner.post(f"/api/invitations/{declined['invitation_id']}/decline")
    owners_invite = await _invite(owner, "partner@example.com", "owner")
    listed = {i["id"]: i["status"] for i in (await owner.get("/api/org/invitations")).json()}
    assert listed == {
        pending["invitation_id"]: "pending",
        declined["invitation_id"]: "declined",
        owners_invite["invitation_id"]: "pending",
    }
    admin = await member_token(app, db, owner.org_id, Role.ADMIN)
    above = await admin.delete(f"/api/org/invitations/{owners_invite['invitation_id']}")
    assert above.status_code == 403
    assert (await admin.delete(f"/api/org/invitations/{pending['invitation_id']}")).status_code == 204
    assert (await other_org.get("/api/invitations")).json() == []
    late = await other_org.post(f"/api/invitations/{pending['invitation_id']}/accept")
    assert late.status_code == 404
    token = await other_org.post(
        "/api/auth/accept-invitation",
        json={"org_id": str(owner.org_id), "token": pending["invitation_token"]},
    )
    assert token.status_code == 422
    theirs = await _invite(other_org, "someone@example.com")
    assert (await owner.delete(f"/api/org/invitations/{theirs['invitation_id']}")).status_code == 404
    revoked = (await owner.get("/api/audit", params={"action": "member.invitation_revoked"})).json()
    assert len(revoked["items"]) == 1
