"""/docs works offline and end to end: every file it loads is ours, no inline script, and the schema says
how to authenticate (API tokens, the cookie session with its CSRF header)."""

from __future__ import annotations

import re

import httpx

from tests.factories import Caller

_REFS = re.compile(r'(?:src|href)="([^"]+)"')
_SCRIPTS = re.compile(r"<script([^>]*)>(.*?)</script>", re.S)


async def _page_loads_only_our_files(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    refs = _REFS.findall(page.text)
    assert refs
    for ref in refs:
        assert ref.startswith("/"), ref  # nothing from a CDN
        loaded = await client.get(ref)
        assert loaded.status_code == 200, ref
        assert len(loaded.content) > 0
    for attributes, body in _SCRIPTS.findall(page.text):
        assert "src=" in attributes and body.strip() == ""  # no inline script (CSP script-src 'self')
    return page.text


async def test_docs_load_only_local_files(client: httpx.AsyncClient) -> None:
    await _page_loads_only_our_files(client, "/docs")
    assert (await client.get("/redoc")).status_code == 404  # ReDoc needs inline styles: not served
    init = await client.get("/docs/init.js")
    assert init.headers["content-type"].startswith("text/javascript")
    assert '"/openapi.json"' in init.text and "X-CSRF-Token" in init.text and "aiostore_csrf" in init.text
    assert (await client.get("/docs/static/no-such-file.js")).status_code == 404


async def test_schema_declares_bearer_and_cookie_auth(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert schemes["cookieAuth"]["in"] == "cookie" and schemes["cookieAuth"]["name"] == "aiostore_session"
    assert spec["security"] == [{"bearerAuth": []}, {"cookieAuth": []}]
    assert spec["paths"]["/api/auth/login"]["post"]["security"] == []  # public: no lock shown
    assert "security" not in spec["paths"]["/api/products"]["get"]  # the global requirement holds


async def test_what_docs_sends_works(owner: Caller, client: httpx.AsyncClient) -> None:
    """Signed in, /docs sends the session cookie and the CSRF cookie's value: that creates a token,
    which the Authorize button then sends as a bearer token."""
    csrf = owner.client.cookies["aiostore_csrf"]
    created = await owner.client.post(
        "/api/tokens", json={"name": "from the docs"}, headers={"X-CSRF-Token": csrf}
    )
    assert created.status_code == 201, created.text
    token = created.json()["token"]
    listed = await client.get("/api/products", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200
    without = await owner.client.post("/api/tokens", json={"name": "no header"})
    assert without.status_code == 403 and without.json()["code"] == "csrf_failed"
