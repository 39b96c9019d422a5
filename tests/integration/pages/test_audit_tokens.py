"""Audit log (filters, pages, admins only) and API tokens (secret shown once, list, revoke, bad input
beside the field, a token never outranks its creator)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import select

from aiostore.db.models import ApiToken, AuditLog
from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from tests.factories import Caller, member_token, new_client
from tests.integration.pages.conftest import HTML, form, get_page, squash, submit


async def _entries(db: Database, caller: Caller, count: int) -> None:
    start = datetime(2026, 11, 1, 12, tzinfo=UTC)
    async with db.transaction(caller.org_id, caller.user_id) as s:
        s.add_all(
            AuditLog(
                org_id=caller.org_id,
                created_at=start + timedelta(minutes=i),
                actor_type="system",
                action="listing.linked" if i % 2 else "order.shipped",
                entity_type="listing" if i % 2 else "order",
                entity_id=f"E-{i:03d}",
                changes={"variant_id": [None, f"v{i}"]},
            )
            for i in range(count)
        )


async def test_audit_filters_and_pages(db: Database, owner: Caller) -> None:
    await _entries(db, owner, 60)
    first = squash((await get_page(owner, "/audit?since=2026-11-01&until=2026-11-01")).text)
    assert first.count("<tr>") == 51  # the header and 50 entries
    assert "E-059" in first and "E-009" not in first
    more = re.search(r'href="(\?[^"]*cursor=[^"]+)"', first)
    assert more is not None
    second = squash((await get_page(owner, "/audit" + more.group(1).replace("&amp;", "&"))).text)
    assert "E-009" in second and "E-059" not in second and "First page" in second
    shipped = squash((await get_page(owner, "/audit?action=order.shipped")).text)
    assert "E-058" in shipped and "E-059" not in shipped
    one = await get_page(owner, "/audit?entity_type=listing&entity_id=E-001", **{"HX-Request": "true"})
    assert one.text.startswith('<div id="list">') and "E-001" in one.text and "E-003" not in one.text
    assert "&#34;v1&#34;" in one.text or '"v1"' in one.text
    other_day = squash((await get_page(owner, "/audit?until=2026-10-31")).text)
    assert "E-0" not in other_day and "No entries match." in other_day
    bad = await get_page(owner, "/audit?since=yesterday")
    assert bad.status_code == 422 and 'id="e-since" class="field-error"' in bad.text
    indonesian = squash((await get_page(owner, "/audit", **{"Accept-Language": "id"})).text)
    assert "Log audit" in indonesian and "sistem" in indonesian


async def test_audit_is_for_admins(app: FastAPI, db: Database, owner: Caller, other_org: Caller) -> None:
    await _entries(db, owner, 2)
    operator = await member_token(app, db, owner.org_id, Role.OPERATOR)
    assert (await operator.get("/audit", headers=HTML)).status_code == 403
    assert 'href="/audit"' not in (await operator.get("/overview", headers=HTML)).text
    assert 'href="/audit"' in (await get_page(owner, "/overview")).text
    assert "E-001" not in (await get_page(other_org, "/audit")).text


async def test_token_shown_once_listed_and_revoked(app: FastAPI, db: Database, owner: Caller) -> None:
    created = await submit(owner, "/tokens", form(owner, name="stock script", role="operator"))
    assert created.status_code == 201
    secret = re.search(r'id="new-token" class="secret-value" value="([^"]+)"', created.text)
    assert secret is not None and "shown this once" in created.text
    works = new_client(app)
    me = await works.get("/api/auth/me", headers={"Authorization": f"Bearer {secret.group(1)}"})
    assert me.status_code == 200
    listed = await get_page(owner, "/tokens")
    assert "stock script" in listed.text and secret.group(1) not in listed.text
    assert f"<code>{secret.group(1)[:12]}…</code>" in listed.text
    async with db.transaction(owner.org_id, owner.user_id) as s:
        token = await s.scalar(select(ApiToken).where(ApiToken.name == "stock script"))
        assert token is not None and token.role == "operator"
    revoked = await submit(owner, f"/tokens/{token.id}/revoke", form(owner))
    assert revoked.status_code == 303 and revoked.headers["location"] == "/tokens?done=revoked"
    refused = await works.get("/api/auth/me", headers={"Authorization": f"Bearer {secret.group(1)}"})
    assert refused.status_code == 401
    after = squash((await get_page(owner, "/tokens?done=revoked")).text)
    assert (
        "The token is revoked." in after and "revoked " in after and f"/tokens/{token.id}/revoke" not in after
    )


async def test_token_bad_input_beside_the_field(app: FastAPI, db: Database, owner: Caller) -> None:
    empty = await submit(owner, "/tokens", form(owner, name="  ", role="operator"))
    assert empty.status_code == 422 and 'id="e-name" class="field-error">This is too short.' in empty.text
    past = await submit(owner, "/tokens", form(owner, name="x", role="viewer", expires_on="2001-01-01"))
    assert past.status_code == 422 and 'id="e-expires_on" class="field-error"' in past.text
    not_a_date = await submit(owner, "/tokens", form(owner, name="x", role="viewer", expires_on="soon"))
    assert not_a_date.status_code == 422 and 'id="e-expires_on"' in not_a_date.text
    wrong_role = await submit(owner, "/tokens", form(owner, name="x", role="king"))
    assert wrong_role.status_code == 422 and 'id="e-role" class="field-error"' in wrong_role.text
    async with db.transaction(owner.org_id, owner.user_id) as s:
        assert (await s.scalars(select(ApiToken).where(ApiToken.name == "x"))).all() == []
    admin = await member_token(app, db, owner.org_id, Role.ADMIN)
    page = await admin.get("/tokens", headers=HTML)
    assert 'value="owner"' not in page.text and 'value="admin"' in page.text
    operator = await member_token(app, db, owner.org_id, Role.OPERATOR)
    assert (await operator.get("/tokens", headers=HTML)).status_code == 403
    assert (await operator.post("/tokens", data={"name": "x"}, headers=HTML)).status_code == 403


async def test_other_org_cannot_revoke(db: Database, owner: Caller, other_org: Caller) -> None:
    await submit(owner, "/tokens", form(owner, name="mine", role="viewer"))
    async with db.transaction(owner.org_id, owner.user_id) as s:
        token = await s.scalar(select(ApiToken).where(ApiToken.name == "mine"))
    assert token is not None
    gone = await submit(other_org, f"/tokens/{token.id}/revoke", form(other_org))
    assert gone.status_code == 404
    assert "mine" not in (await get_page(other_org, "/tokens")).text
