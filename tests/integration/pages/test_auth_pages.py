"""Sign in, register, sign out, switch organisation, language: the pages and what they change."""

from __future__ import annotations

import re

from fastapi import FastAPI

from aiostore.web.deps import SESSION_COOKIE
from aiostore.web.i18n import LANG_COOKIE
from tests.factories import PASSWORD, Caller, new_client, signup
from tests.integration.pages.conftest import HTML, form, get_page, submit


async def test_front_door_leads_to_sign_in(app: FastAPI) -> None:
    client = new_client(app)
    home = await client.get("/", headers=HTML)
    assert home.status_code == 303 and home.headers["location"] == "/overview"
    overview = await client.get("/overview", headers=HTML)
    assert overview.status_code == 303
    assert overview.headers["location"] == "/login?next=/overview"
    api_style = await client.get("/overview")  # not a browser: the API's answer
    assert api_style.status_code == 401 and api_style.json()["code"] == "not_authenticated"
    page = await client.get("/login", headers=HTML)
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert 'name="email"' in page.text and 'autocomplete="current-password"' in page.text
    assert '<label for="f-email">Email</label>' in page.text


async def test_language_follows_the_browser_then_the_switch(app: FastAPI) -> None:
    client = new_client(app)
    page = await client.get("/login", headers=HTML | {"Accept-Language": "id-ID,id;q=0.9,en;q=0.5"})
    assert '<html lang="id">' in page.text
    assert "Masuk" in page.text and "Sign in" not in page.text
    english_first = await client.get("/login", headers=HTML | {"Accept-Language": "fr, en;q=0.8, id;q=0.5"})
    assert '<html lang="en">' in english_first.text
    switched = await client.post("/lang", data={"lang": "id", "next": "/login"}, headers=HTML)
    assert switched.status_code == 303 and switched.headers["location"] == "/login"
    assert client.cookies.get(LANG_COOKIE) == "id"
    remembered = await client.get("/login", headers=HTML | {"Accept-Language": "en"})
    assert '<html lang="id">' in remembered.text
    ignored = await client.post("/lang", data={"lang": "xx", "next": "https://evil.example/"}, headers=HTML)
    assert ignored.headers["location"] == "/overview"
    assert client.cookies.get(LANG_COOKIE) == "id"


async def test_sign_in_shows_errors_beside_fields(app: FastAPI, owner: Caller) -> None:
    client = new_client(app)
    bad_email = await client.post("/login", data={"email": "not-an-email", "password": "x"}, headers=HTML)
    assert bad_email.status_code == 422
    assert 'id="f-email" name="email" type="email" value="not-an-email"' in bad_email.text
    assert 'aria-invalid="true" aria-describedby="e-email"' in bad_email.text
    assert re.search(
        r'<small id="e-email" class="field-error">Enter a valid email address.</small>', bad_email.text
    )
    missing = await client.post("/login", data={"email": owner.email}, headers=HTML)
    assert missing.status_code == 422 and 'id="e-password"' in missing.text
    wrong = await client.post(
        "/login", data={"email": owner.email, "password": "wrong password"}, headers=HTML
    )
    assert wrong.status_code == 401
    assert "Wrong email or password." in wrong.text
    assert SESSION_COOKIE not in client.cookies


async def test_sign_in_sets_the_session_and_goes_back_only_to_local_pages(
    app: FastAPI, owner: Caller
) -> None:
    client = new_client(app)
    done = await client.post(
        "/login", data={"email": owner.email, "password": PASSWORD, "next": "/shops"}, headers=HTML
    )
    assert done.status_code == 303 and done.headers["location"] == "/shops"
    assert client.cookies.get(SESSION_COOKIE)
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        again = await client.post(
            "/login", data={"email": owner.email, "password": PASSWORD, "next": evil}, headers=HTML
        )
        assert again.headers["location"] == "/overview", evil
    overview = await client.get("/overview", headers=HTML)
    assert overview.status_code == 200 and "Toko Owner" in overview.text


async def test_register_validates_then_creates_the_owner(app: FastAPI, owner: Caller) -> None:
    client = new_client(app)
    empty = await client.post("/register", data={"password": "short"}, headers=HTML)
    assert empty.status_code == 422
    for name in ("display_name", "email", "organization_name", "password"):
        assert f'id="e-{name}"' in empty.text, name
    assert "Use at least 10 characters." in empty.text
    taken = await client.post(
        "/register",
        data={
            "email": owner.email,
            "password": PASSWORD,
            "display_name": "Siti",
            "organization_name": "Toko",
        },
        headers=HTML,
    )
    assert taken.status_code == 409 and 'id="e-email"' in taken.text
    assert 'value="Siti"' in taken.text  # what was typed stays, the password does not
    assert PASSWORD not in taken.text
    made = await client.post(
        "/register",
        data={
            "email": "siti@example.com",
            "password": PASSWORD,
            "display_name": "Siti",
            "organization_name": "Toko Siti",
        },
        headers=HTML,
    )
    assert made.status_code == 303 and made.headers["location"] == "/overview"
    me = await client.get("/api/auth/me")
    assert me.json()["role"] == "owner" and me.json()["organizations"][0]["name"] == "Toko Siti"


async def test_sign_out_needs_the_form_csrf_token(owner: Caller) -> None:
    refused = await owner.client.post("/logout", data={"csrf_token": "forged"}, headers=HTML)
    assert refused.status_code == 403
    assert "Your role does not allow this" in refused.text or "CSRF" in refused.text
    api_refused = await owner.client.post("/logout", data={"csrf_token": "forged"})
    assert api_refused.json()["code"] == "csrf_failed"
    done = await submit(owner, "/logout", form(owner))
    assert done.status_code == 303 and done.headers["location"] == "/login"
    assert SESSION_COOKIE not in owner.client.cookies
    after = await get_page(owner, "/overview")
    assert after.status_code == 303


async def test_switch_organisation(app: FastAPI, owner: Caller) -> None:
    invited = await owner.post("/api/org/members", json={"email": "newbie@example.com", "role": "operator"})
    assert invited.status_code == 201, invited.text
    body = invited.json()
    rival = await signup(app, email="newbie@example.com", org="Toko Rival")
    page = await get_page(
        rival, f"/invitations/accept?org_id={owner.org_id}&token={body['invitation_token']}"
    )
    assert page.status_code == 200 and 'action="/invitations/accept"' in page.text
    joined = await submit(
        rival, "/invitations/accept", form(rival, org_id=str(owner.org_id), token=body["invitation_token"])
    )
    assert joined.status_code == 303 and joined.headers["location"] == "/overview?done=joined"
    overview = await get_page(rival, "/overview?done=joined")
    assert "You joined the organisation." in overview.text
    assert 'id="org-select"' in overview.text and "Toko Rival" in overview.text
    back = await submit(rival, "/orgs/switch", form(rival, org_id=str(rival.org_id)))
    assert back.status_code == 303
    assert "Toko Rival</span>" not in (await get_page(rival, "/overview")).text
    me = (await rival.get("/api/auth/me")).json()
    assert me["org_id"] == str(rival.org_id)
    foreign = await submit(rival, "/orgs/switch", form(rival, org_id="00000000-0000-0000-0000-000000000000"))
    assert foreign.status_code == 404
    again = await submit(
        rival, "/invitations/accept", form(rival, org_id=str(owner.org_id), token=body["invitation_token"])
    )
    assert again.status_code >= 400 and "This invitation is not valid" in again.text
    await rival.client.aclose()


async def test_demo_button_only_when_demo_mode_is_on(app: FastAPI) -> None:
    client = new_client(app)
    assert 'action="/demo"' not in (await client.get("/login", headers=HTML)).text
    app.state.demo_enabled = True
    assert 'action="/demo"' in (await client.get("/login", headers=HTML)).text
