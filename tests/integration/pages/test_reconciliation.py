"""Reconciliation page: open findings listed with their shop, what differs and why; each resolved from
its own form (CSRF, the API's permission and service: an action the service refuses is shown beside the
list, nothing changed); the policy form for admins, read-only for the others; filters checked."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import FastAPI

from aiostore.db.models import ReconciliationFinding
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from tests.factories import Caller, member_token
from tests.integration.alerts.support import make_listing, make_shop
from tests.integration.pages.conftest import form, get_page, squash, submit


async def _finding(
    db: Database, org_id: uuid.UUID, kind: str, cause: str, ours: str, theirs: str
) -> uuid.UUID:
    shop = await make_shop(db, org_id, name="Toko Cermin")
    listing = await make_listing(db, shop, f"SKU-{kind}")
    now = datetime.now(UTC)
    async with db.transaction(org_id) as s:
        found = ReconciliationFinding(
            org_id=org_id, channel_account_id=shop.channel_id, listing_id=listing, kind=kind, cause=cause,
            sku=f"SKU-{kind}", ours=ours, theirs=theirs, status="open", source="reconcile",
            first_seen=now, last_seen=now,
        )  # fmt: skip
        s.add(found)
    return found.id


async def _status(owner: Caller, finding_id: uuid.UUID) -> str:
    items = (await owner.get("/api/reconciliation/findings")).json()["items"]
    return str(next(f["status"] for f in items if f["id"] == str(finding_id)))


async def test_findings_listed_and_resolved_from_the_page(db: Database, owner: Caller) -> None:
    title = await _finding(db, owner.org_id, "title", "edit", "Kaos Polos", "Kaos Polos PROMO")
    stock = await _finding(db, owner.org_id, "stock", "not_applied", "4", "10")
    page = squash((await get_page(owner, "/reconciliation")).text)
    assert "SKU-title" in page and "Toko Cermin" in page and "edited in the seller centre" in page
    assert "Kaos Polos PROMO" in page and "accepted, not applied" in page
    assert f'action="/reconciliation/findings/{title}/resolve"' in page
    assert 'href="/reconciliation"' in page  # in the nav

    refused = await submit(
        owner, f"/reconciliation/findings/{title}/resolve", form(owner, action="overwrite")
    )
    assert refused.status_code == 422
    assert "a title cannot be written to the platform yet" in squash(refused.text)
    assert await _status(owner, title) == "open"  # nothing changed
    bad = await submit(owner, f"/reconciliation/findings/{title}/resolve", form(owner, action="undo"))
    assert bad.status_code == 422 and 'role="alert"' in bad.text

    no_csrf = await submit(owner, f"/reconciliation/findings/{title}/resolve", {"action": "ignore"})
    assert no_csrf.status_code == 403 and await _status(owner, title) == "open"
    done = await submit(owner, f"/reconciliation/findings/{title}/resolve", form(owner, action="adopt"))
    assert done.status_code == 303 and done.headers["location"] == "/reconciliation?done=resolved"
    assert await _status(owner, title) == "adopted"
    again = await submit(owner, f"/reconciliation/findings/{title}/resolve", form(owner, action="ignore"))
    assert again.status_code == 409 and "this finding is adopted" in squash(again.text)

    open_now = squash((await get_page(owner, "/reconciliation?done=resolved")).text)
    assert "SKU-stock" in open_now and "SKU-title" not in open_now  # open ones by default
    adopted = squash((await get_page(owner, "/reconciliation?status=adopted")).text)
    assert "SKU-title" in adopted and "SKU-stock" not in adopted
    wrong = await get_page(owner, "/reconciliation?kind=colour")
    assert wrong.status_code == 422 and 'id="e-kind"' in wrong.text
    fragment = await get_page(owner, "/reconciliation", **{"HX-Request": "true"})
    assert fragment.text.startswith('<div id="list"')
    assert str(stock) in fragment.text


async def test_policy_form_and_roles(app: FastAPI, db: Database, owner: Caller, other_org: Caller) -> None:
    finding = await _finding(db, owner.org_id, "price", "edit", "100000", "125000")
    saved = await submit(
        owner, "/reconciliation/policy", form(owner, price="adopt", title="ask", status="adopt")
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/reconciliation?done=policy"
    assert (await owner.get("/api/reconciliation/policy")).json() == {
        "price": "adopt", "title": "ask", "status": "adopt"
    }  # fmt: skip
    bad = await submit(owner, "/reconciliation/policy", form(owner, price="maybe", title="ask", status="ask"))
    assert bad.status_code == 422 and 'id="pe-price"' in bad.text
    assert (await owner.get("/api/reconciliation/policy")).json()["price"] == "adopt"

    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    seen = squash(
        (await viewer.client.get("/reconciliation", headers=viewer.headers | {"Accept": "text/html"})).text
    )
    assert "SKU-price" in seen and "resolve" not in seen and 'action="/reconciliation/policy"' not in seen
    assert "price: adopt the shop&#39;s value" in seen  # the policy, read-only
    refused = await viewer.client.post(
        f"/reconciliation/findings/{finding}/resolve", data={"action": "ignore"},
        headers=viewer.headers | {"Accept": "text/html"},
    )  # fmt: skip
    assert refused.status_code == 403
    elsewhere = await submit(
        other_org, f"/reconciliation/findings/{finding}/resolve", form(other_org, action="ignore")
    )
    assert elsewhere.status_code == 404 and await _status(owner, finding) == "open"
    indonesian = squash((await get_page(owner, "/reconciliation", **{"Accept-Language": "id"})).text)
    assert "Rekonsiliasi" in indonesian
