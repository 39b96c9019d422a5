"""Every route states its permission, and every role gets the answer the permission table gives."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import select

from aiostore.db.models import (
    AlertRule,
    AlertState,
    AlertWebhook,
    ChannelAccount,
    Listing,
    Membership,
    Notification,
    ReconciliationFinding,
)
from aiostore.db.session import Database
from aiostore.domain.permissions import Permission, Role, allows
from aiostore.web.app import ROUTERS
from aiostore.web.pages import PAGE_ROUTERS
from tests.factories import Caller, member_token, product_body


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
    ("POST", "/demo"),  # anyone may try the demo organization, where it is offered (404 elsewhere)
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


async def _owners_objects(app: FastAPI, db: Database, owner: Caller) -> dict[str, str]:
    """One object of each kind the member, token, invitation, listing, product, shop, change set and
    catalog preview routes name, in owner's org."""
    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    token = await owner.post("/api/tokens", json={"name": "walk", "role": "viewer"})
    invited = await owner.post("/api/org/members", json={"email": "walk@example.com", "role": "viewer"})
    product = await owner.post("/api/products", json=product_body("WALK"))
    async with db.transaction(owner.org_id, owner.user_id) as s:
        shop = ChannelAccount(org_id=owner.org_id, platform="shopee", market="ID", shop_id="w", shop_name="W")
        s.add(shop)
        await s.flush()
        listing = Listing(org_id=owner.org_id, channel_account_id=shop.id, platform_item_id="1")
        s.add(listing)
        await s.flush()
        member = await s.scalar(select(Membership.id).where(Membership.user_id == viewer.user_id))
        rule = AlertRule(org_id=owner.org_id, kind="oversold", enabled=True, params={})
        s.add(rule)
        await s.flush()
        now = datetime.now(UTC)
        state = AlertState(
            org_id=owner.org_id,
            rule_id=rule.id,
            kind="oversold",
            subject_key="x",
            subject={},
            first_seen=now,
            last_seen=now,
            raised_at=now,
        )
        s.add(state)
        await s.flush()
        note = Notification(
            org_id=owner.org_id, user_id=owner.user_id, alert_state_id=state.id, kind="oversold", subject={}
        )
        hook = AlertWebhook(org_id=owner.org_id, name="w", url="https://example.com/h", secret_enc=b"x")
        finding = ReconciliationFinding(
            org_id=owner.org_id, channel_account_id=shop.id, listing_id=listing.id, kind="title",
            cause="edit", ours="A", theirs="B", status="open", source="reconcile",
            first_seen=now, last_seen=now,
        )  # fmt: skip
        s.add_all([note, hook, finding])
        await s.flush()
    change = await owner.post(
        "/api/stock/update",
        json={"mode": "preview", "items": [{"sku": "WALK-M", "delta": 1}], "reason": "walk"},
    )
    publish = await owner.post(
        "/api/catalog/preview",
        json={"product_ids": [product.json()["id"]], "channel_account_ids": [str(shop.id)]},
    )
    return {
        "change_set_id": change.json()["id"],
        "preview_id": publish.json()["id"],
        "commit_id": publish.json()["id"],
        "listing_id": str(listing.id),
        "token_id": token.json()["id"],
        "member_id": str(member),
        "invitation_id": invited.json()["invitation_id"],
        "product_id": product.json()["id"],
        "channel_id": str(shop.id),
        "variant_id": product.json()["variants"][0]["id"],
        "platform": "shopee",
        "notification_id": str(note.id),
        "webhook_id": str(hook.id),
        "finding_id": str(finding.id),
    }


# A valid body for each route that takes one, so that only the org decides the answer (a 404).
WALK_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/api/variants/{variant_id}"): {"barcode": "8991234567890"},
    ("PUT", "/api/variants/{variant_id}/inventory"): {"on_hand": 1, "safety_buffer": 0},
    ("PUT", "/api/channels/{channel_id}/allocation-rule"): {"share_percent": 10},
    ("PUT", "/api/variants/{variant_id}/allocation-rules/{channel_id}"): {"cap": 1},
    ("PUT", "/api/variants/{variant_id}/promotions/{channel_id}"): {"units": 1},
    ("PUT", "/api/products/{product_id}/platforms/{platform}"): {"market": "ID", "category_id": "101220"},
    ("POST", "/api/reconciliation/findings/{finding_id}/resolve"): {"action": "ignore"},
    ("PUT", "/api/listings/{listing_id}/overrides"): {"title": "Kaos Walk", "price": "15000"},
}
TENANT_PARAMS = {
    "change_set_id",
    "preview_id",
    "commit_id",
    "listing_id",
    "token_id",
    "member_id",
    "invitation_id",
    "product_id",
    "channel_id",
    "variant_id",
    "finding_id",
}


async def test_another_orgs_objects_are_not_found_on_every_route(
    app: FastAPI, db: Database, owner: Caller, other_org: Caller
) -> None:
    """Every route naming a listing, token, member, invitation, notification or webhook endpoint, called
    by another org's owner with the real id of this org's object: 404, and the object unchanged."""
    ids = await _owners_objects(app, db, owner)
    walked = 0
    for route in _routes():
        params = set(re.findall(r"\{([^}]+)\}", route.path))
        if not params & TENANT_PARAMS or not params <= ids.keys():
            continue
        url = re.sub(r"\{([^}]+)\}", lambda m: ids[m.group(1)], route.path)
        for method in route.methods:
            body: dict[str, Any] = {"data": {"role": "viewer", "sku": ""}}  # a page's form
            if (method, route.path) in WALK_BODIES:
                body = {"json": WALK_BODIES[(method, route.path)]}
            elif route.path.startswith("/api/products/"):
                taken = product_body("TAKEN")
                body = {"json": taken["variants"][0] if method == "POST" else {"title": taken["title"] + "!"}}
            elif route.path.startswith("/api/changesets/"):
                body = {"json": {}}
            elif route.path.startswith("/api/channels/"):
                body = {"json": {"write_mode": "live"}}
            elif route.path.startswith("/api/"):
                body = {"json": {"variant_id": None} if method == "PUT" else {"role": "viewer"}}
            resp = await other_org.request(method, url, **body)
            assert resp.status_code == 404, (method, route.path, resp.status_code, resp.text[:200])
            walked += 1
    assert walked >= 32
    tokens = (await owner.get("/api/tokens")).json()
    assert [t["revoked_at"] for t in tokens if t["name"] == "walk"] == [None]
    assert len((await owner.get("/api/org/members")).json()) == 2
    product = (await owner.get(f"/api/products/{ids['product_id']}")).json()
    assert (product["title"], len(product["variants"])) == ("Kaos Polos Premium", 2)
    assert len((await owner.get("/api/alerts/webhooks")).json()) == 1
    assert [n["read_at"] for n in (await owner.get("/api/notifications")).json()["items"]] == [None]
    publish = (await owner.get(f"/api/catalog/previews/{ids['preview_id']}")).json()
    assert (publish["status"], publish["revert_of"]) == ("previewed", None)
    change = (await owner.get(f"/api/changesets/{ids['change_set_id']}")).json()
    assert (change["status"], change["approved_by"]) == ("previewed", None)
    shop = (await owner.get(f"/api/channels/{ids['channel_id']}")).json()
    assert (shop["status"], shop["write_mode"]) == ("connected", None)
    assert (await owner.get(f"/api/channels/{ids['channel_id']}/allocation-rule")).status_code == 404
    assert (await owner.get(f"/api/variants/{ids['variant_id']}/allocation-rules")).json() == []
    assert (await owner.get(f"/api/variants/{ids['variant_id']}/promotions")).json() == []
    assert [(v["inventory"]["on_hand"], v["barcode"]) for v in product["variants"]] == [(10, None), (5, None)]
    [finding] = (await owner.get("/api/reconciliation/findings")).json()["items"]
    assert (finding["status"], finding["resolved_by"]) == ("open", None)
    assert (await owner.get(f"/api/listings/{ids['listing_id']}/overrides")).json()["overrides"] == {}


def test_the_spreadsheet_routes_are_walked() -> None:
    """Imports need catalog:write (a viewer gets 403 above), templates and the export only read."""
    walked = {(m, p): perm for m, p, perm in PERMISSIONED}
    for kind in ("stock", "price", "catalog"):
        assert walked[("POST", f"/api/{kind}/import")] is Permission.CATALOG_WRITE
        assert walked[("GET", f"/api/{kind}/import/template")] is Permission.READ
    assert walked[("GET", "/api/catalog/export")] is Permission.READ


def test_the_publish_routes_are_walked() -> None:
    """Previews need catalog:write, commits catalog:publish (admins and owners), reading only read."""
    walked = {(m, p): perm for m, p, perm in PERMISSIONED}
    assert walked[("POST", "/api/catalog/preview")] is Permission.CATALOG_WRITE
    assert walked[("POST", "/api/catalog/commit")] is Permission.CATALOG_PUBLISH
    assert walked[("GET", "/api/catalog/previews/{preview_id}")] is Permission.READ
    assert walked[("POST", "/api/catalog/commits/{commit_id}/revert")] is Permission.CATALOG_WRITE


def test_the_publish_pages_are_walked() -> None:
    """The publish pages ask what the API asks: choosing and previewing catalog:write, committing
    catalog:publish, reading read; the routes naming a preview are in the other-org walk above."""
    walked = {(m, p): perm for m, p, perm in PERMISSIONED}
    assert walked[("GET", "/publish/new")] is Permission.CATALOG_WRITE
    assert walked[("POST", "/publish")] is Permission.CATALOG_WRITE
    assert walked[("GET", "/publish/{preview_id}")] is Permission.READ
    assert walked[("POST", "/publish/{preview_id}/commit")] is Permission.CATALOG_PUBLISH
    assert walked[("POST", "/publish/{preview_id}/revert")] is Permission.CATALOG_WRITE
