"""Invitations by consent: the invitee sees who invited them, joins or declines; nobody else can."""

from __future__ import annotations

from fastapi import FastAPI

from tests.factories import Caller, signup
from tests.integration.pages.conftest import form, get_page, squash, submit


async def test_join_or_decline_invitations(app: FastAPI, owner: Caller, other_org: Caller) -> None:
    invitee = await signup(app, email="dewi@example.com", org="Toko Dewi")
    for inviter, role in ((owner, "operator"), (other_org, "viewer")):
        sent = await inviter.post("/api/org/members", json={"email": invitee.email, "role": role})
        assert sent.status_code == 201, sent.text
    page = squash((await get_page(invitee, "/invitations")).text)
    assert "<h2>Toko Owner</h2>" in page and "invited you as operator." in page
    assert "<h2>Toko Rival</h2>" in page and "invited you as viewer." in page
    ids = [chunk.split("/")[0] for chunk in page.split('action="/invitations/')[1:]]
    pending = (await invitee.get("/api/invitations")).json()
    by_org = {i["org_name"]: i["id"] for i in pending}
    assert set(ids) == set(by_org.values())

    assert (
        await submit(owner, f"/invitations/{by_org['Toko Owner']}/accept", form(owner))
    ).status_code == 404
    declined = await submit(invitee, f"/invitations/{by_org['Toko Rival']}/decline", form(invitee))
    assert declined.status_code == 303 and declined.headers["location"] == "/invitations?done=declined"
    after = squash((await get_page(invitee, declined.headers["location"])).text)
    assert "Invitation declined." in after and "Toko Rival" not in after
    joined = await submit(invitee, f"/invitations/{by_org['Toko Owner']}/accept", form(invitee))
    assert joined.status_code == 303
    overview = squash((await get_page(invitee, "/overview")).text)
    assert "You joined the organisation." not in overview  # only after the redirect's ?done
    me = (await invitee.get("/api/auth/me")).json()
    assert me["org_id"] == str(owner.org_id) and me["role"] == "operator"
    assert "No invitations are waiting for you." in (await get_page(invitee, "/invitations")).text
    indonesian = await get_page(invitee, "/invitations", **{"Accept-Language": "id"})
    assert "Tidak ada undangan yang menunggu Anda." in indonesian.text
    await invitee.client.aclose()
