"""The fast lane of webhook intake: a genuine push stored and acknowledged without the app's full stack.

A marketplace pushes thousands of order changes a second at a busy seller's peak, and each must be
committed before its 2xx. Through FastAPI's routing, dependency solving and the middleware stack
(request context, idempotency, security headers, exception handlers), a push cost about twice the CPU
of verifying and storing it. This ASGI middleware sits directly inside the proxy-header middleware and
answers only the common case itself: a `POST /api/webhooks/<platform>` whose body is within the size
limit, whose path and query pass the input policy, whose signature and send time verify, whose body
reads as a shop's own push, and that the group commit (services/webhook_intake.py) stored or
recognised as a duplicate. Its answer is the route's: 200, empty body, the security headers and
X-Request-ID, counted in the same metrics and logged as the same route.

Everything else (a bad signature, a stale push, an unreadable or platform-wide push, a push for a shop
nobody connected, a failed write, a browser request with an Origin) goes on to the full app with the
body replayed, which verifies it again and answers exactly as it always did: the lane never answers
an error of its own and never half-applies anything (its only write is the idempotent group commit).
"""

from __future__ import annotations

import time
from typing import Any

import structlog
from starlette.datastructures import URL
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aiostore.connectors.dtos import WebhookKind
from aiostore.domain.platforms import Platform
from aiostore.errors import AppError
from aiostore.services import webhooks
from aiostore.services.sync.context import SyncContext
from aiostore.web.middleware import bind_request_id, observe, refused_input
from aiostore.web.routes.webhooks import signed_url
from aiostore.web.security import SECURITY_HEADERS, STRICT_TRANSPORT_SECURITY

log = structlog.get_logger(__name__)

PREFIX = "/api/webhooks/"
ROUTE = "/api/webhooks/{platform}"  # the route's own name in the metrics and logs
_PLATFORMS = {p.value: p for p in Platform}
_HEADERS = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()] + [(b"content-length", b"0")]
_HSTS = (b"strict-transport-security", STRICT_TRANSPORT_SECURITY.encode())


class WebhookLane:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, production: bool) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        platform = self._platform(scope)
        if platform is None:
            await self.app(scope, receive, send)
            return
        headers: dict[bytes, bytes] = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if b"origin" in headers or (
            declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes)
        ):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            more = message.get("more_body", False)
            if size > self.max_body_bytes:  # the full app answers 413 (with what is left unread)
                await self.app(scope, _replay(chunks, more, receive), send)
                return
        body = b"".join(chunks)
        if not await self._stored(scope, platform, headers, body):
            await self.app(scope, _replay([body], False, receive), send)
            return
        request_id = bind_request_id(scope, headers)
        answer = [*_HEADERS, (b"x-request-id", request_id.encode())]
        if self.production or scope.get("scheme") == "https":
            answer.append(_HSTS)
        await send({"type": "http.response.start", "status": 200, "headers": answer})
        await send({"type": "http.response.body", "body": b""})
        observe("POST", ROUTE, 200, started)

    @staticmethod
    def _platform(scope: Scope) -> Platform | None:
        if scope["type"] != "http" or scope["method"] != "POST":
            return None
        path: str = scope.get("path", "")
        if not path.startswith(PREFIX):
            return None
        return _PLATFORMS.get(path[len(PREFIX) :])

    async def _stored(
        self, scope: Scope, platform: Platform, headers: dict[bytes, bytes], body: bytes
    ) -> bool:
        """True once the push is committed (or was already): the only case the lane answers itself."""
        app: Any = scope.get("app")
        sync = getattr(getattr(app, "state", None), "sync", None)
        if not isinstance(sync, SyncContext) or refused_input(scope, body) is not None:
            return False
        url = signed_url(app.state.settings.public_url, URL(scope=scope))
        text_headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in headers.items()}
        try:
            event = webhooks.verify_and_parse(sync, platform, url, text_headers, body)
        except AppError:
            return False  # the full app refuses it, with its problem+json answer
        if isinstance(event, webhooks.Unreadable) or event.kind is WebhookKind.CATEGORIES_CHANGED:
            return False
        try:
            stored = await webhooks.store(sync, platform, event)
        except Exception as exc:  # noqa: BLE001  (the full app tries again and answers the failure)
            log.warning("webhook.lane_failed", platform=platform.value, error=f"{type(exc).__name__}: {exc}")
            return False
        return stored.routed


def _replay(chunks: list[bytes], more: bool, receive: Receive) -> Receive:
    """The body chunks already read, then (when `more`) the rest from `receive`."""
    pending = list(chunks)

    async def replay() -> Message:
        if pending:
            chunk = pending.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(pending) or more}
        return await receive()

    return replay
