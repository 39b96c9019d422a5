"""Deliveries through real servers: e-mail to an SMTP server in this process, webhooks to an HTTP
receiver on loopback verifying the Standard Webhooks signature; bursts grouped into one message per
person and channel, each in its own language; a failing endpoint retried with the same message id."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid

from fastapi import FastAPI
from sqlalchemy import select

from aiostore.db.engine import DatabaseURLs
from aiostore.db.models import AlertDelivery
from aiostore.db.session import Database
from aiostore.services.alerts import evaluate
from aiostore.settings import Settings
from tests.factories import Caller, signup
from tests.integration.alerts.support import (
    Mailbox,
    Receiver,
    days_ago,
    make_job,
    make_order,
    make_shop,
    run_alert_jobs,
)


def _standard_webhooks_valid(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The receiver's check, written from the Standard Webhooks spec (not with our signing code)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(expected, s) for s in headers["webhook-signature"].split())


async def _raise_three(db: Database, seller: Caller, settings: Settings) -> None:
    shop = await make_shop(db, seller.org_id, name="Toko Alert")
    for _ in range(2):
        await make_order(db, shop, placed_at=days_ago(0), status="to_ship", oversold=True)
    await make_job(db, shop, "failed")
    async with db.transaction(seller.org_id) as session:
        outcome = await evaluate.evaluate_org(session, seller.org_id, settings)
    assert sum(outcome.raised.values()) == 3


async def test_a_burst_is_one_email_per_person_in_their_language(
    alert_app: FastAPI,
    urls: DatabaseURLs,
    db: Database,
    alert_settings: Settings,
    seller: Caller,
    mailbox: tuple[str, int, Mailbox],
) -> None:
    _, _, box = mailbox
    other = await signup(alert_app, email="budi@example.com", org="Other")
    invited = await seller.post("/api/org/members", json={"email": other.email, "role": "viewer"})
    await other.post(f"/api/invitations/{invited.json()['invitation_id']}/accept")
    await other.post("/api/auth/switch-org", json={"org_id": str(seller.org_id)})
    resp = await seller.put(
        "/api/me/alert-preferences", json={"in_app": True, "email": True, "language": "en"}
    )
    assert resp.json() == {"in_app": True, "email": True, "language": "en"}
    resp = await other.put(
        "/api/me/alert-preferences", json={"in_app": False, "email": True, "language": "id"}
    )
    assert resp.status_code == 200
    await _raise_three(db, seller, alert_settings)
    await run_alert_jobs(urls, db, alert_settings)
    by_rcpt = {rcpt[0]: msg for rcpt, msg in box.messages}
    assert sorted(by_rcpt) == ["budi@example.com", "seller@example.com"]  # one message each, not three
    english, indonesian = by_rcpt["seller@example.com"], by_rcpt["budi@example.com"]
    assert english["Subject"] == "AIOStore: 3 alerts"
    assert indonesian["Subject"] == "AIOStore: 3 peringatan"
    body = english.get_payload(decode=True).decode()
    assert body.count("Oversold order SO-") == 2 and "A job failed: pull_orders" in body
    assert "Pesanan oversold" in indonesian.get_payload(decode=True).decode()
    # in the app: the seller has three notifications, the viewer who turned the app channel off none
    assert len((await seller.get("/api/notifications")).json()["items"]) == 3
    assert (await other.get("/api/notifications")).json()["items"] == []
    async with db.transaction(seller.org_id) as s:
        rows = (await s.scalars(select(AlertDelivery))).all()
    assert {(r.channel, r.status, r.attempts) for r in rows} == {("email", "sent", 1)}
    assert len({r.message_id for r in rows}) == 2
    await other.client.aclose()


async def test_webhook_signed_the_standard_way_retried_with_the_same_id(
    urls: DatabaseURLs,
    db: Database,
    alert_settings: Settings,
    seller: Caller,
    receiver: Receiver,
) -> None:
    receiver.fail_first = 1
    created = await seller.post(
        "/api/alerts/webhooks", json={"name": "LINE bridge", "url": receiver.url, "language": "id"}
    )
    assert created.status_code == 201, created.text
    secret = created.json()["secret"]
    assert secret.startswith("whsec_")
    assert "secret" not in (await seller.get("/api/alerts/webhooks")).json()[0]
    await _raise_three(db, seller, alert_settings)
    await run_alert_jobs(urls, db, alert_settings, rounds=10)
    assert len(receiver.received) == 2  # a 500, then the retry
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    for got in receiver.received:
        assert _standard_webhooks_valid(secret, got.headers, got.body)
        assert not _standard_webhooks_valid(
            "whsec_" + base64.b64encode(b"x" * 32).decode(), got.headers, got.body
        )
    payload = second.json()
    assert payload["type"] == "alerts.raised"
    assert payload["data"]["organization_id"] == str(seller.org_id)
    assert payload["data"]["language"] == "id"
    assert sorted(a["kind"] for a in payload["data"]["alerts"]) == ["job_failed", "oversold", "oversold"]
    assert "Pesanan oversold" in payload["text"]
    async with db.transaction(seller.org_id) as s:
        rows = (await s.scalars(select(AlertDelivery))).all()
    assert {(r.channel, r.status, r.attempts) for r in rows} == {("webhook", "sent", 2)}


async def test_an_endpoint_that_keeps_failing_is_given_up_after_the_last_attempt(
    urls: DatabaseURLs,
    db: Database,
    alert_settings: Settings,
    seller: Caller,
    receiver: Receiver,
) -> None:
    receiver.fail_first = 100
    await seller.post("/api/alerts/webhooks", json={"name": "down", "url": receiver.url})
    await _raise_three(db, seller, alert_settings)
    await run_alert_jobs(urls, db, alert_settings, rounds=15)
    assert len(receiver.received) == alert_settings.alert_max_attempts
    async with db.transaction(seller.org_id) as s:
        rows = (await s.scalars(select(AlertDelivery))).all()
    assert {(r.status, r.attempts) for r in rows} == {("failed", 3)}
    assert all(r.last_error == "RuntimeError: the endpoint answered 500" for r in rows)


async def test_a_second_evaluation_sends_nothing_for_alerts_still_true(
    urls: DatabaseURLs,
    db: Database,
    alert_settings: Settings,
    seller: Caller,
    mailbox: tuple[str, int, Mailbox],
) -> None:
    _, _, box = mailbox
    await seller.put("/api/me/alert-preferences", json={"email": True})
    await _raise_three(db, seller, alert_settings)
    await run_alert_jobs(urls, db, alert_settings)
    async with db.transaction(seller.org_id) as session:
        outcome = await evaluate.evaluate_org(session, seller.org_id, alert_settings)
    assert sum(outcome.raised.values()) == 0 and outcome.deliveries == 0
    await run_alert_jobs(urls, db, alert_settings)
    assert len(box.messages) == 1


async def test_no_email_without_an_smtp_server(db: Database, test_settings: Settings, seller: Caller) -> None:
    await seller.put("/api/me/alert-preferences", json={"email": True})
    await _raise_three(db, seller, test_settings)  # test_settings: no AIOSTORE_SMTP_HOST
    async with db.transaction(seller.org_id) as s:
        assert (await s.scalars(select(AlertDelivery))).all() == []
    assert uuid.UUID(str(seller.org_id))
