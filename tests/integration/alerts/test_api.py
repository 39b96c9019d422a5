"""The alert API: rules and webhook endpoints for admins (validated, audited, SSRF refused), each
person's notifications (their own only, live over SSE on the jobs' hub) and preferences."""

from __future__ import annotations

import asyncio
import json

from fastapi import FastAPI

from aiostore.db.session import Database
from aiostore.domain.permissions import Role
from aiostore.settings import Settings
from aiostore.web.app import create_app
from aiostore.web.job_events import JobEventHub
from tests.factories import Caller, member_token, signup
from tests.integration.alerts.support import days_ago, make_order, make_shop


async def _audit(caller: Caller, action: str) -> list[dict[str, object]]:
    resp = await caller.get("/api/audit", params={"action": action})
    items: list[dict[str, object]] = resp.json()["items"]
    return items


async def test_rules_are_all_on_by_default_and_validated(owner: Caller, app: FastAPI, db: Database) -> None:
    rules = (await owner.get("/api/alerts/rules")).json()
    assert [r["kind"] for r in rules] == [
        "low_cover",
        "oversold",
        "token_expiry",
        "job_failed",
        "listing_rejected",
        "stock_drift",
        "quiet_shop",
    ]
    assert all(r["enabled"] for r in rules)
    assert rules[0]["params"] == {"days": 7.0, "window_days": 28}
    resp = await owner.put("/api/alerts/rules/low_cover", json={"params": {"days": 3}})
    assert resp.status_code == 200 and resp.json()["params"] == {"days": 3.0, "window_days": 28}
    [entry] = await _audit(owner, "alert_rule.updated")
    assert entry["changes"] == {
        "params": {"before": {"days": 7.0, "window_days": 28}, "after": resp.json()["params"]}
    }

    bad = await owner.put("/api/alerts/rules/low_cover", json={"params": {"days": -1, "colour": "red"}})
    assert bad.status_code == 422
    assert {(e["field"], e["code"]) for e in bad.json()["errors"]} == {
        ("params.days", "greater_than"),
        ("params.colour", "extra_forbidden"),
    }
    wrong_type = await owner.put("/api/alerts/rules/oversold", json={"enabled": "maybe"})
    assert wrong_type.status_code == 422 and wrong_type.json()["errors"][0]["field"] == "enabled"
    unknown = await owner.put("/api/alerts/rules/sunspots", json={"enabled": False})
    assert unknown.status_code == 404
    kept = (await owner.get("/api/alerts/rules")).json()
    assert kept[0]["params"]["days"] == 3.0 and kept[1]["enabled"] is True  # nothing half applied

    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    assert (await viewer.get("/api/alerts/rules")).status_code == 403
    assert (await viewer.put("/api/alerts/rules/oversold", json={"enabled": False})).status_code == 403


async def test_webhook_urls_are_checked_and_private_addresses_refused(owner: Caller, app: FastAPI) -> None:
    for url, code in [
        ("ftp://example.com/hook", "unsafe_url"),
        ("https://user:pass@example.com/hook", "unsafe_url"),
        ("http://127.0.0.1:9/hook", "unsafe_url"),
        ("http://localhost/hook", "unsafe_url"),
        ("http://10.1.2.3/hook", "unsafe_url"),
        ("http://169.254.169.254/latest/meta-data", "unsafe_url"),
        ("http://[::1]/hook", "unsafe_url"),
        ("http://[::ffff:192.168.0.1]/hook", "unsafe_url"),
        ("https:///no-host", "unsafe_url"),
    ]:
        resp = await owner.post("/api/alerts/webhooks", json={"name": "x", "url": url})
        assert resp.status_code == 422, (url, resp.text)
        assert resp.json()["errors"][0]["field"] == "url" and resp.json()["errors"][0]["code"] == code, url
    missing = await owner.post("/api/alerts/webhooks", json={"url": "https://example.com"})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "name"
    lang = await owner.post(
        "/api/alerts/webhooks", json={"name": "x", "url": "https://a.example", "language": "fr"}
    )
    assert lang.status_code == 422 and lang.json()["errors"][0]["field"] == "language"
    assert (await owner.get("/api/alerts/webhooks")).json() == []


async def test_webhook_endpoints_created_once_listed_deleted_and_audited(
    seller: Caller, alert_app: FastAPI, db: Database
) -> None:
    created = await seller.post(
        "/api/alerts/webhooks",
        json={"name": "Slack", "url": "http://127.0.0.1:8/hook"},
        headers={"Idempotency-Key": "hook-1"},
    )
    assert created.status_code == 201
    again = await seller.post(
        "/api/alerts/webhooks",
        json={"name": "Slack", "url": "http://127.0.0.1:8/hook"},
        headers={"Idempotency-Key": "hook-1"},
    )
    assert again.json()["id"] == created.json()["id"]  # replayed, not a second endpoint
    listed = (await seller.get("/api/alerts/webhooks")).json()
    assert [w["name"] for w in listed] == ["Slack"] and "secret" not in listed[0]
    operator = await member_token(alert_app, db, seller.org_id, Role.OPERATOR)
    assert (await operator.get("/api/alerts/webhooks")).status_code == 403
    assert (await operator.delete(f"/api/alerts/webhooks/{listed[0]['id']}")).status_code == 403
    gone = await seller.delete(f"/api/alerts/webhooks/{listed[0]['id']}")
    assert gone.status_code == 200
    assert (await seller.delete(f"/api/alerts/webhooks/{listed[0]['id']}")).status_code == 404
    actions = [e["action"] for e in (await seller.get("/api/audit")).json()["items"]]
    assert "alert_webhook.created" in actions and "alert_webhook.deleted" in actions
    entries = await _audit(seller, "alert_webhook.created")
    assert "whsec_" not in json.dumps(entries)


async def test_notifications_are_each_persons_own(
    owner: Caller, app: FastAPI, db: Database, test_settings: Settings
) -> None:
    from aiostore.services.alerts import evaluate

    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    shop = await make_shop(db, owner.org_id)
    await make_order(db, shop, placed_at=days_ago(0), status="to_ship", oversold=True)
    async with db.transaction(owner.org_id) as session:
        await evaluate.evaluate_org(session, owner.org_id, test_settings)
    mine = (await owner.get("/api/notifications")).json()
    theirs = (await viewer.get("/api/notifications")).json()
    assert mine["unread"] == 1 and theirs["unread"] == 1
    assert mine["items"][0]["id"] != theirs["items"][0]["id"]
    assert mine["items"][0]["title"].startswith("Oversold order SO-")
    # a viewer cannot mark the owner's notification: it is not theirs (404), and it stays unread
    assert (await viewer.post(f"/api/notifications/{mine['items'][0]['id']}/read")).status_code == 404
    assert (await owner.get("/api/notifications", params={"unread": True})).json()["unread"] == 1
    read = await owner.post(f"/api/notifications/{mine['items'][0]['id']}/read")
    assert read.json() == {"marked": 1, "unread": 0}
    assert (await owner.get("/api/notifications", params={"unread": True})).json()["items"] == []
    await owner.put("/api/me/alert-preferences", json={"language": "id"})
    shown = (await owner.get("/api/notifications")).json()["items"][0]
    assert shown["title"].startswith("Pesanan oversold") and shown["read_at"] is not None
    assert (await viewer.post("/api/notifications/read-all")).json() == {"marked": 1, "unread": 0}
    bad = await owner.put("/api/me/alert-preferences", json={"language": "fr", "email": True})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "language"
    assert (await owner.get("/api/me/alert-preferences")).json() == {
        "in_app": True,
        "email": False,
        "language": "id",
    }
    entries = await _audit(owner, "alert_preferences.updated")
    assert entries[0]["changes"] == {"language": {"before": "en", "after": "id"}}


async def test_a_new_notification_reaches_its_users_stream_only(
    test_settings: Settings, db: Database
) -> None:
    app = create_app(test_settings, db)
    hub: JobEventHub = app.state.job_events
    owner = await signup(app, email="live@example.com", org="Toko Live")
    viewer = await member_token(app, db, owner.org_id, Role.VIEWER)
    mine = asyncio.create_task(owner.get("/api/notifications/events", params={"max_seconds": 3}))
    jobs = asyncio.create_task(owner.get("/api/jobs/events", params={"max_seconds": 3}))
    await hub.wait_for_streams(2, owner.org_id)
    from aiostore.db.models import AlertPreference

    async with db.transaction(owner.org_id) as s:  # the viewer does not want in-app notifications
        s.add(
            AlertPreference(
                org_id=owner.org_id, user_id=viewer.user_id, in_app=False, email=False, language="en"
            )
        )
    shop = await make_shop(db, owner.org_id)
    await make_order(db, shop, placed_at=days_ago(0), status="to_ship", oversold=True)
    from aiostore.services.alerts import evaluate

    async with db.transaction(owner.org_id) as session:
        await evaluate.evaluate_org(session, owner.org_id, test_settings)
    resp = await mine
    events = [json.loads(line[6:]) for line in resp.text.splitlines() if line.startswith("data: ")]
    assert [(e["topic"], e["kind"], e["user_id"]) for e in events] == [
        ("notification", "oversold", str(owner.user_id))
    ]
    assert "event: notification" in resp.text
    assert "notification" not in (await jobs).text  # the jobs stream carries jobs only
    await owner.client.aclose()
