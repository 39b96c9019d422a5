"""Every route states its permission, and every role gets the answer the permission table gives."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from aiostore.db.session import Database
from aiostore.domain.permissions import Permission, Role, allows
from aiostore.web.app import ROUTERS
from aiostore.web.pages import PAGE_ROUTERS
from tests.factories import Caller, member_token


def _marks(route: APIRoute) -> dict[str, Any]:
    found: dict[str, Any] = {}
    stack = [route.dependant]
    while stack:
        dep = stack.pop()
        call = dep.call
        for attr in ("__aiostore_permission__", "__aiostore_public__", "__aiostore_authenticated__"):
            if call is not None and hasattr(call, attr):
                found[attr] = getattr(call, attr)
        stack.extend(dep.dependencies)
    return found


def _routes() -> list[APIRoute]:
    """Every API route and every dashboard page route."""
    return [r for router in (*ROUTERS, *PAGE_ROUTERS) for r in router.routes if isinstance(r, APIRoute)]


def test_every_route_states_its_permission() -> None:
    missing = [f"{sorted(r.methods)} {r.path}" for r in _routes() if not _marks(r)]
    assert missing == []


PERMISSIONED = [
    (method, route.path, _marks(route)["__aiostore_permission__"])
    for route in _routes()
    if "__aiostore_permission__" in _marks(route)
    for method in sorted(route.methods)
]


@pytest.mark.parametrize(
    ("method", "path", "permission"), PERMISSIONED, ids=[f"{m} {p}" for m, p, _ in PERMISSIONED]
)
async def test_each_role_gets_what_the_table_allows(
    app: FastAPI, db: Database, owner: Caller, method: str, path: str, permission: Permission
) -> None:
    url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
    if url.endswith("/events"):
        url += "?max_seconds=1"  # a stream: let it end
    for role in Role:
        caller = owner if role is Role.OWNER else await member_token(app, db, owner.org_id, role)
        resp = await caller.request(method, url, json={} if method in ("POST", "PUT", "PATCH") else None)
        if allows(role, permission):
            assert resp.status_code != 403, (role, method, path, resp.text)
        else:
            assert resp.status_code == 403, (role, method, path, resp.status_code)
            assert resp.json()["code"] == "forbidden"


async def test_anonymous_gets_401_everywhere_but_public(app: FastAPI) -> None:
    from tests.factories import new_client

    client = new_client(app)
    for route in _routes():
        marks = _marks(route)
        if "__aiostore_public__" in marks:
            continue
        url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), route.path)
        for method in route.methods:
            resp = await client.request(method, url, json={} if method in ("POST", "PUT", "PATCH") else None)
            assert resp.status_code == 401, (method, route.path, resp.status_code)


OPEN_TO_ANY_MEMBER = {
    ("POST", "/api/auth/logout"),
    ("GET", "/api/auth/me"),
    ("POST", "/api/auth/switch-org"),
    ("POST", "/api/auth/accept-invitation"),
    ("GET", "/api/invitations"),
    ("POST", "/api/invitations/{invitation_id}/accept"),
    ("POST", "/api/invitations/{invitation_id}/decline"),
    ("DELETE", "/api/orgs/{org_id}/membership"),
    # dashboard pages
    ("POST", "/logout"),
    ("POST", "/orgs/switch"),
    ("GET", "/invitations/accept"),
    ("POST", "/invitations/accept"),
    ("GET", "/invitations"),
    ("POST", "/invitations/{invitation_id}/accept"),
    ("POST", "/invitations/{invitation_id}/decline"),
}
PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("POST", "/api/auth/register"),
    ("POST", "/api/auth/login"),
    ("GET", "/api/channels/callback/{platform}"),
    ("POST", "/api/webhooks/{platform}"),
    # dashboard pages
    ("GET", "/"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/register"),
    ("POST", "/register"),
    ("POST", "/lang"),
}


def _routes_marked(mark: str) -> set[tuple[str, str]]:
    return {(m, r.path) for r in _routes() if mark in _marks(r) for m in r.methods}


def test_routes_without_a_permission_are_the_known_ones() -> None:
    """A route open to any member, or to anyone, is a decision: it must be added here knowingly."""
    assert _routes_marked("__aiostore_authenticated__") == OPEN_TO_ANY_MEMBER
    assert _routes_marked("__aiostore_public__") == PUBLIC


async def test_a_viewer_session_reaches_every_route_open_to_members(app: FastAPI, owner: Caller) -> None:
    from tests.factories import signup

    viewer = await signup(app, email="walk-viewer@example.com", org="Viewer org")
    invited = await owner.post("/api/org/members", json={"email": viewer.email, "role": "viewer"})
    joined = await viewer.post(f"/api/invitations/{invited.json()['invitation_id']}/accept")
    assert joined.json()["role"] == "viewer"
    for method, path in sorted(OPEN_TO_ANY_MEMBER - {("POST", "/api/auth/logout"), ("POST", "/logout")}):
        url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
        resp = await viewer.request(method, url, json={} if method == "POST" else None)
        assert resp.status_code not in (401, 403), (method, path, resp.text)
