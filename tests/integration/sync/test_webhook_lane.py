"""The webhook fast lane (web/webhook_lane.py): a genuine push is stored and answered there, with the
route's own answer; anything else reaches the full app with its body intact and is answered as before.

The pushes are real ones, signed and sent by the Shopee sandbox for a real order and captured."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from starlette.types import Message, Scope

from aiostore.db.models import IgnoredWebhook, WebhookEvent
from aiostore.web.security import SECURITY_HEADERS
from aiostore.web.webhook_lane import WebhookLane
from tests.integration.connectors.support import Receiver
from tests.integration.sync.conftest import MarketFactory
from tests.integration.sync.marketplace import Market
from tests.integration.sync.test_webhook_replay import _captured_push, _replay

PLATFORM = "shopee"


async def _count(market: Market, model: type[WebhookEvent] | type[IgnoredWebhook]) -> int:
    async with market.db.transaction(market.org_id) as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _through_lane(market: Market, push: httpx.Request, body: bytes) -> tuple[int, list[bytes]]:
    """The lane alone, in front of an app that stands for the full stack (answers 299): the answer's
    status and the bodies that reached that app."""
    full = Receiver(status=299)
    lane = WebhookLane(full, max_body_bytes=market.app.state.settings.max_body_bytes, production=False)
    headers = [(k.encode(), v.encode()) for k, v in push.headers.items() if k.lower() != "content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    scope: Scope = {
        "type": "http",
        "method": "POST",
        "scheme": push.url.scheme,
        "server": (push.url.host, push.url.port or 80),
        "path": push.url.path,
        "raw_path": push.url.raw_path,
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "app": market.app,
    }
    chunks = [body[:10], body[10:]]  # the body in two chunks, as a socket may deliver it
    sent: list[Message] = []

    async def receive() -> Message:
        chunk = chunks.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: Message) -> None:
        sent.append(message)

    await lane(scope, receive, send)
    return int(sent[0]["status"]), [body for _, body in full.pushes]


async def test_a_genuine_push_is_stored_and_answered_by_the_lane_alone(make_market: MarketFactory) -> None:
    market, _ = await make_market([PLATFORM])
    await market.connect(PLATFORM)
    push = await _captured_push(market, PLATFORM)
    status, reached = await _through_lane(market, push, push.content)
    assert (status, reached) == (200, [])
    assert await _count(market, WebhookEvent) == 1
    status, reached = await _through_lane(market, push, push.content)  # the same push again: a duplicate
    assert (status, reached) == (200, [])
    assert await _count(market, WebhookEvent) == 1


async def test_a_forged_push_reaches_the_full_app_with_its_body(make_market: MarketFactory) -> None:
    market, _ = await make_market([PLATFORM])
    await market.connect(PLATFORM)
    push = await _captured_push(market, PLATFORM)
    forged = push.content + b" "  # one byte more than was signed
    status, reached = await _through_lane(market, push, forged)
    assert (status, reached) == (299, [forged])
    assert await _count(market, WebhookEvent) == 0


async def test_the_lane_answers_as_the_route_does(make_market: MarketFactory) -> None:
    market, owner = await make_market([PLATFORM])
    await market.connect(PLATFORM)
    push = await _captured_push(market, PLATFORM)
    resp = await _replay(owner, PLATFORM, push)
    assert (resp.status_code, resp.content) == (200, b"")
    for name, value in SECURITY_HEADERS.items():
        assert resp.headers[name] == value
    assert resp.headers["x-request-id"]
    assert await _count(market, WebhookEvent) == 1


async def test_what_the_lane_does_not_take_is_answered_by_the_app(make_market: MarketFactory) -> None:
    market, owner = await make_market([PLATFORM])
    push = await _captured_push(market, PLATFORM)
    # Nobody connected this shop yet: acknowledged and set aside by the app, not stored.
    assert (await _replay(owner, PLATFORM, push)).status_code == 200
    assert (await _count(market, WebhookEvent), await _count(market, IgnoredWebhook)) == (0, 1)
    await market.connect(PLATFORM)
    headers = {k: v for k, v in push.headers.items() if k.lower() not in ("host", "content-length")}
    forged = await owner.client.post(
        f"/api/webhooks/{PLATFORM}", content=push.content + b" ", headers=headers
    )
    assert forged.status_code == 401 and forged.json()["code"] == "not_authenticated"
    assert forged.headers["x-frame-options"] == "DENY"
    huge = b"x" * (market.app.state.settings.max_body_bytes + 1)
    too_big = await owner.client.post(f"/api/webhooks/{PLATFORM}", content=huge, headers=headers)
    assert too_big.status_code == 413 and too_big.headers["content-type"].startswith("application/problem")
    assert await _count(market, WebhookEvent) == 0
