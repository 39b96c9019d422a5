"""Members and roles, invitations by consent (the link shown once, accept or decline), and settings:
what each action changed, refusals beside the member or field, roles and other orgs."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from fastapi import FastAPI
from sqlalchemy import select

from aiostore.db.models import AuditLog, Invitation, Membership, Organization
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from tests.factories import Caller, member_token, signup
from tests.integration.pages.conftest import HTML, form, get_page, squash, submit


async def _roles(db: Database, caller: Caller) -> dict[str, str]:
    async with db.transaction(caller.org_id, caller.user_id) as s:
        return {str(m.user_id): m.role for m in (await s.scalars(select(Membership))).all()}


async def _member_id(db: Database, caller: Caller, user_id: object) -> str:
    async with db.transaction(caller.org_id, caller.user_id) as s:
        found = await s.scalar(select(Membership.id).where(Membership.user_id == user_id))
    return str(found)


async def test_change_role_and_remove(app: FastAPI, db: Database, owner: Caller) -> None:
    operator = await member_token(app, db, owner.org_id, Role.OPERATOR)
    member = await _member_id(db, owner, operator.user_id)
    page = squash((await get_page(owner, "/members")).text)
    assert operator.email in page and "(you)" in page
    assert f'action="/members/{member}/role"' in page and f'action="/members/{member}/remove"' in page
    changed = await submit(owner, f"/members/{member}/role", form(owner, role="viewer"))
    assert changed.status_code == 303 and changed.headers["location"] == "/members?done=role_changed"
    assert (await _roles(db, owner))[str(operator.user_id)] == "viewer"
    bad = await submit(owner, f"/members/{member}/role", form(owner, role="emperor"))
    assert bad.status_code == 422 and f'id="e-member-{member}" class="field-error">' in bad.text
    removed = await submit(owner, f"/members/{member}/remove", form(owner))
    assert removed.status_code == 303
    assert str(operator.user_id) not in await _roles(db, owner)
    async with db.transaction(owner.org_id, owner.user_id) as s:
        actions = set((await s.scalars(select(AuditLog.action))).all())
    assert {"member.role_changed", "member.removed"} <= actions


async def test_last_owner_refused_beside_the_member(db: Database, owner: Caller) -> None:
    me = await _member_id(db, owner, owner.user_id)
    refused = await submit(owner, f"/members/{me}/role", form(owner, role="admin"))
    assert refused.status_code == 409
    assert f'id="e-member-{me}" class="field-error">An organisation needs at least one owner.' in refused.text
    assert (await _roles(db, owner))[str(owner.user_id)] == "owner"
    indonesian = await submit(owner, f"/members/{me}/remove", form(owner), **{"Accept-Language": "id"})
    assert (
        indonesian.status_code == 409 and "Organisasi memerlukan setidaknya satu pemilik." in indonesian.text
    )


async def test_roles_see_and_may_do_what_the_api_allows(app: FastAPI, db: Database, owner: Caller) -> None:
    admin = await member_token(app, db, owner.org_id, Role.ADMIN)
    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    owner_member = await _member_id(db, owner, owner.user_id)
    seen = (await viewer.get("/members", headers=HTML)).text
    assert owner.email in seen and "/role" not in seen and "/members/invite" not in seen
    as_admin = (await admin.get("/members", headers=HTML)).text
    assert f"/members/{owner_member}/role" not in as_admin and 'value="owner"' not in as_admin
    refused = await admin.post(f"/members/{owner_member}/remove", headers=HTML)
    assert refused.status_code == 403
    assert "/settings/org" not in (await admin.get("/settings", headers=HTML)).text
    assert (await admin.post("/settings/org", data={"name": "X"}, headers=HTML)).status_code == 403
    assert (await viewer.post("/members/invite", data={"email": "a@b.co"}, headers=HTML)).status_code == 403


async def test_invite_link_shown_once_then_accepted(app: FastAPI, db: Database, owner: Caller) -> None:
    bad = await submit(owner, "/members/invite", form(owner, email="not-an-email", role="operator"))
    assert (
        bad.status_code == 422 and 'id="e-email" class="field-error">Enter a valid email address.' in bad.text
    )
    made = await submit(owner, "/members/invite", form(owner, email="Sari@Example.com", role="operator"))
    assert made.status_code == 201 and "The link is shown this once." in made.text
    found = re.search(r'id="invite-link" class="secret-value" value="([^"]+)"', made.text)
    assert found is not None
    link = urlsplit(html.unescape(found.group(1)))
    assert link.path == "/invitations/accept"
    listed = squash((await get_page(owner, "/members")).text)
    assert "sari@example.com" in listed and "waiting for an answer" in listed and "token=" not in listed
    again = await submit(owner, "/members/invite", form(owner, email=owner.email, role="viewer"))
    assert (
        again.status_code == 409
        and 'id="e-email" class="field-error">This person is already a member.' in again.text
    )

    sari = await signup(app, email="sari@example.com", org="Toko Sari")
    opened = await get_page(sari, f"{link.path}?{link.query}")
    assert opened.status_code == 200 and "Join the organisation" in opened.text
    fields = dict(re.findall(r'name="(org_id|token)" value="([^"]*)"', opened.text))
    joined = await submit(sari, "/invitations/accept", form(sari, **fields))
    assert joined.status_code == 303 and joined.headers["location"] == "/overview?done=joined"
    assert (await _roles(db, owner))[str(sari.user_id)] == "operator"
    overview = squash((await get_page(sari, "/overview?done=joined")).text)
    assert "You joined the organisation." in overview and "Toko Owner" in overview


async def test_invitations_page_accept_and_decline(app: FastAPI, db: Database, owner: Caller) -> None:
    budi = await signup(app, email="budi@example.com", org="Toko Budi")
    other = await signup(app, email="ayu@example.com", org="Toko Ayu")
    await submit(owner, "/members/invite", form(owner, email="budi@example.com", role="viewer"))
    await submit(other, "/members/invite", form(other, email="budi@example.com", role="admin"))
    page = squash((await get_page(budi, "/invitations")).text)
    assert "Toko Owner" in page and "Toko Ayu" in page
    assert "invited you as viewer" in page and "invited you as admin" in page
    async with db.transaction(None, budi.user_id) as s:
        ids = {
            i.org_id: i.id
            for i in (await s.scalars(select(Invitation).execution_options(skip_tenant_filter=True))).all()
        }
    declined = await submit(budi, f"/invitations/{ids[other.org_id]}/decline", form(budi))
    assert declined.status_code == 303 and declined.headers["location"] == "/invitations?done=declined"
    after = squash((await get_page(budi, "/invitations?done=declined")).text)
    assert "Invitation declined." in after and "Toko Ayu" not in after
    assert "declined" in squash((await get_page(other, "/members")).text)
    joined = await submit(budi, f"/invitations/{ids[owner.org_id]}/accept", form(budi))
    assert joined.status_code == 303 and joined.headers["location"] == "/overview?done=joined"
    assert (await _roles(db, owner))[str(budi.user_id)] == "viewer"
    assert "No invitations are waiting for you." in (await get_page(budi, "/invitations")).text
    switch = (await get_page(budi, "/overview")).text
    assert 'name="org_id"' in switch and "Toko Budi" in switch and "Toko Owner" in switch
    twice = await submit(budi, f"/invitations/{ids[owner.org_id]}/accept", form(budi))
    assert twice.status_code == 409
    token = await member_token(app, db, owner.org_id, Role.ADMIN)
    assert (await token.get("/invitations", headers=HTML)).status_code == 403


async def test_withdraw_and_other_orgs(db: Database, owner: Caller, other_org: Caller) -> None:
    await submit(owner, "/members/invite", form(owner, email="nina@example.com", role="viewer"))
    async with db.transaction(owner.org_id, owner.user_id) as s:
        inv = await s.scalar(select(Invitation))
    assert inv is not None
    assert (
        await submit(other_org, f"/members/invitations/{inv.id}/withdraw", form(other_org))
    ).status_code == 404
    me = await _member_id(db, owner, owner.user_id)
    assert (await submit(other_org, f"/members/{me}/role", form(other_org, role="viewer"))).status_code == 404
    assert (await submit(other_org, f"/members/{me}/remove", form(other_org))).status_code == 404
    assert owner.email not in (await get_page(other_org, "/members")).text
    done = await submit(owner, f"/members/invitations/{inv.id}/withdraw", form(owner))
    assert done.status_code == 303 and done.headers["location"] == "/members?done=withdrawn"
    assert "nina@example.com" not in (await get_page(owner, "/members")).text


async def test_settings_rename_and_language(db: Database, owner: Caller) -> None:
    page = squash((await get_page(owner, "/settings")).text)
    assert 'value="Toko Owner"' in page and 'action="/lang"' in page
    empty = await submit(owner, "/settings/org", form(owner, name="   "))
    assert empty.status_code == 422 and 'id="e-name" class="field-error">This is too short.' in empty.text
    long = await submit(owner, "/settings/org", form(owner, name="x" * 201))
    assert long.status_code == 422 and 'id="e-name" class="field-error">This is too long.' in long.text
    saved = await submit(owner, "/settings/org", form(owner, name="Toko Owner Jaya"))
    assert saved.status_code == 303 and saved.headers["location"] == "/settings?done=renamed"
    async with db.transaction(owner.org_id, owner.user_id) as s:
        org = await s.get(Organization, owner.org_id)
        assert org is not None and org.name == "Toko Owner Jaya"
    assert "The organisation&#39;s name is saved." in (await get_page(owner, "/settings?done=renamed")).text
    switched = await submit(owner, "/lang", {"lang": "id", "next": "/settings"})
    assert switched.status_code == 303 and switched.headers["location"] == "/settings"
    assert "Pengaturan" in (await get_page(owner, "/settings")).text
