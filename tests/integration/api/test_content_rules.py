"""An organisation's content rules through `GET/PUT /api/rules/overrides` and `GET /api/rules`: admins and
owners write, everyone reads; validated field by field, nothing half applied; audited once per change;
another organisation sees none of it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from tests.factories import Caller, member_token

TIGHTER = {
    "limits": [{"platform": "shopee", "market": "ID", "key": "title.max", "value": 60}],
    "disabled_rules": ["seo.missing_brand"],
    "forbidden_terms": ["Kaos KW", "grosir"],
}


async def _audited(owner: Caller) -> list[dict[str, Any]]:
    found = await owner.get("/api/audit", params={"action": "rules.overrides_changed"})
    assert found.status_code == 200, found.text
    return [e["changes"] for e in found.json()["items"]]


async def _effective(caller: Caller, platform: str = "shopee", market: str = "ID") -> dict[str, Any]:
    answer = await caller.get("/api/rules", params={"platform": platform, "market": market})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_the_platform_rules_without_overrides(owner: Caller) -> None:
    assert (await owner.get("/api/rules/overrides")).json() == {
        "limits": [],
        "disabled_rules": [],
        "forbidden_terms": [],
    }
    shopee = await _effective(owner, "shopee", "SG")
    assert (shopee["name"], shopee["length_unit"]) == ("Shopee", "characters")
    assert shopee["limits"]["title"]["max"] == 100 and shopee["limits"]["price"]["max_ratio"] == 5
    sgd = {"min": "0.10", "max": "10000000", "decimals": 2, "published": False}  # Shopee's are samples
    assert shopee["limits"]["price"]["SGD"] == sgd
    assert "sex" in shopee["forbidden_terms"] and "shopee" not in shopee["other_marketplaces"]
    rules = {r["id"]: r for r in shopee["rules"]}
    assert rules["title.too_long"] == {"id": "title.too_long", "severity": "error", "enabled": True}
    assert rules["seo.missing_brand"]["severity"] == "warning"
    tiktok_id = await _effective(owner, "tiktokshop", "ID")
    assert "tokopedia" not in tiktok_id["other_marketplaces"]
    bad = await owner.get("/api/rules", params={"platform": "ebay", "market": "XX"})
    assert bad.status_code == 422
    assert sorted(e["field"] for e in bad.json()["errors"]) == ["market", "platform"]


async def test_an_admin_overrides_audited_once_and_everyone_reads(
    app: FastAPI, db: Database, owner: Caller
) -> None:
    admin = await member_token(app, db, owner.org_id, Role.ADMIN)
    saved = await admin.put("/api/rules/overrides", json=TIGHTER)
    assert saved.status_code == 200, saved.text
    assert saved.json()["disabled_rules"] == ["seo.missing_brand"]
    again = await admin.put("/api/rules/overrides", json=TIGHTER)
    assert again.status_code == 200
    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    assert (await viewer.get("/api/rules/overrides")).json()["forbidden_terms"] == ["Kaos KW", "grosir"]
    shopee = await _effective(viewer)
    assert shopee["limits"]["title"]["max"] == 60
    assert {"Kaos KW", "grosir"} <= set(shopee["forbidden_terms"])
    assert {r["id"]: r["enabled"] for r in shopee["rules"]}["seo.missing_brand"] is False
    assert (await _effective(viewer, "shopee", "MY"))["limits"]["title"]["max"] == 100
    changes = await _audited(owner)
    assert len(changes) == 1  # the same overrides again changed nothing
    assert changes[0]["forbidden_terms"] == {"before": [], "after": ["Kaos KW", "grosir"]}
    cleared = await owner.put("/api/rules/overrides", json={})
    assert cleared.status_code == 200 and cleared.json()["limits"] == []
    assert len(await _audited(owner)) == 2


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"limits": [{"key": "title.max", "value": 300}]}, "limits.0.value", "looser_than_platform"),
        ({"limits": [{"key": "title.min", "value": 1}]}, "limits.0.value", "looser_than_platform"),
        ({"limits": [{"key": "price.max_ratio", "value": 3}]}, "limits.0.key", None),
        ({"limits": [{"key": "title.max", "value": -1}]}, "limits.0.value", None),
        ({"limits": [{"platform": "ebay", "key": "title.max", "value": 10}]}, "limits.0.platform", None),
        ({"limits": [{"market": "TH", "key": "title.max", "value": 10}]}, "limits.0.market", None),
        ({"disabled_rules": ["text.phone"]}, "disabled_rules", None),
        ({"forbidden_terms": ["x"]}, "forbidden_terms", None),
        ({"forbidden_terms": ["#promo"]}, "forbidden_terms", None),
        ({"forbidden_terms": "grosir"}, "forbidden_terms", None),
        ({"terms": []}, "terms", None),
    ],
)
async def test_bad_overrides_name_the_field_and_change_nothing(
    owner: Caller, body: dict[str, Any], field: str, code: str | None
) -> None:
    answer = await owner.put("/api/rules/overrides", json={**TIGHTER, **body})
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert [e["field"] for e in problem["errors"]] == [field], problem
    if code is not None:
        assert problem["errors"][0]["code"] == code
    assert (await owner.get("/api/rules/overrides")).json()["limits"] == []
    assert await _audited(owner) == []


async def test_operators_and_viewers_may_not_write(app: FastAPI, db: Database, owner: Caller) -> None:
    for role in (Role.OPERATOR, Role.VIEWER):
        member = await member_token(app, db, owner.org_id, role)
        refused = await member.put("/api/rules/overrides", json=TIGHTER)
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert (await owner.get("/api/rules/overrides")).json()["forbidden_terms"] == []


async def test_another_organisation_sees_none_of_it(owner: Caller, other_org: Caller) -> None:
    assert (await owner.put("/api/rules/overrides", json=TIGHTER)).status_code == 200
    assert (await other_org.get("/api/rules/overrides")).json()["forbidden_terms"] == []
    assert (await _effective(other_org))["limits"]["title"]["max"] == 100
    assert (
        await other_org.put("/api/rules/overrides", json={"forbidden_terms": ["murah"]})
    ).status_code == 200
    assert (await owner.get("/api/rules/overrides")).json()["forbidden_terms"] == ["Kaos KW", "grosir"]
    assert await _audited(other_org) != [] and len(await _audited(owner)) == 1


async def test_a_cookie_session_needs_csrf_and_a_key_replays(owner: Caller) -> None:
    """The browser session without its CSRF token is refused; the same Idempotency-Key and body answer the
    first response again, a different body with it is refused, and the change is audited once."""
    no_csrf = await owner.client.put("/api/rules/overrides", json=TIGHTER)
    assert no_csrf.status_code == 403 and no_csrf.json()["code"] == "csrf_failed"
    key = {"Idempotency-Key": "rules-1"}
    first = await owner.put("/api/rules/overrides", json=TIGHTER, headers=key)
    again = await owner.put("/api/rules/overrides", json=TIGHTER, headers=key)
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    other = await owner.put("/api/rules/overrides", json={}, headers=key)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert len(await _audited(owner)) == 1
