"""Pure ASGI middleware: request context (id, logs, metrics, body limit, 500s) and idempotency capture."""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl

import structlog
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aiostore import input_policy
from aiostore.db.session import Database
from aiostore.errors import AppError, FieldError, PayloadTooLarge, ValidationFailed
from aiostore.services import idempotency
from aiostore.web.problems import PROBLEM_JSON, problem_body

log = structlog.get_logger("aiostore.web")

REQUESTS = Counter("aiostore_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "aiostore_http_request_duration_seconds",
    "HTTP request duration",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{8,64}$")
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Bodies the route reads raw, and checks itself once it knows they are genuine (services/webhooks.py).
_RAW_BODY_PREFIXES = ("/api/webhooks/",)


def refused_input(scope: Scope, body: bytes) -> ValidationFailed | None:
    """The input policy (input_policy.py) applied to the path, every query parameter and a JSON body."""
    errors: list[FieldError] = []
    path = scope.get("path", "")
    refused = input_policy.text_problem(path)
    if refused:
        errors.append(FieldError("path", refused.code, refused.message))
    query = scope.get("query_string", b"").decode("latin-1")
    errors += input_policy.check_params(parse_qsl(query, keep_blank_values=True))
    if body and _parsed_as_json(scope) and not path.startswith(_RAW_BODY_PREFIXES):
        try:
            input_policy.loads(body)
        except input_policy.UnsafeJSON as exc:
            errors += exc.errors
        except ValueError:
            pass  # malformed JSON: FastAPI answers it (400 malformed_json)
    if not errors:
        return None
    names = ", ".join(sorted({e.field for e in errors}))
    return ValidationFailed(f"invalid fields: {names}", errors=errors)


def _parsed_as_json(scope: Scope) -> bool:
    """FastAPI parses a body as JSON when it has no content type, or a json / +json one."""
    headers = dict(scope.get("headers") or [])
    content_type = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
    return not content_type or content_type.endswith(("/json", "+json"))


async def _send_problem(send: Send, status: int, error: AppError, request_id: str) -> None:
    body = json.dumps(
        problem_body(
            status=status,
            code=error.code,
            title=error.title,
            detail=error.detail,
            errors=error.errors,
            request_id=request_id,
        )
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"x-request-id", request_id.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope["aiostore.request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        method = scope["method"]
        started = time.perf_counter()
        status_holder = {"status": 500}

        if method in _BODY_METHODS:
            declared = headers.get(b"content-length")
            too_big = declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes
            body = b""
            if not too_big:
                chunks: list[bytes] = []
                size = 0
                more = True
                while more:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > self.max_body_bytes:
                        too_big = True
                        break
                    chunks.append(chunk)
                    more = message.get("more_body", False)
                body = b"".join(chunks)
            if too_big:
                limit = PayloadTooLarge(f"the request body is larger than {self.max_body_bytes} bytes")
                await _send_problem(send, 413, limit, request_id)
                self._observe(scope, method, 413, started)
                return
            scope["aiostore.body"] = body
            receive = _replay(body)
        refusal = refused_input(scope, scope.get("aiostore.body", b""))
        if refusal is not None:
            await _send_problem(send, refusal.status, refusal, request_id)
            self._observe(scope, method, refusal.status, started)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            log.exception("request.failed", method=method, route=_route(scope))
            status_holder["status"] = 500
            await _send_problem(
                send, 500, AppError("an unexpected error occurred; it has been logged"), request_id
            )
        finally:
            self._observe(scope, method, status_holder["status"], started)

    def _observe(self, scope: Scope, method: str, status: int, started: float) -> None:
        elapsed = time.perf_counter() - started
        route = _route(scope)
        REQUESTS.labels(method, route, str(status)).inc()
        LATENCY.labels(method, route).observe(elapsed)
        if route not in ("/metrics", "/healthz"):
            log.info(
                "request.completed",
                method=method,
                route=route,
                status=status,
                duration_ms=round(elapsed * 1000, 2),
            )


def _route(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "<unmatched>"


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


class IdempotencyMiddleware:
    """Stores the response of a request that claimed an Idempotency-Key (see services/idempotency.py)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        captured: dict[str, Any] = {"status": None, "headers": [], "body": []}

        async def send_wrapper(message: Message) -> None:
            if "aiostore.idempotency_claim" in scope:
                if message["type"] == "http.response.start":
                    captured["status"] = message["status"]
                    captured["headers"] = message.get("headers", [])
                elif message["type"] == "http.response.body":
                    captured["body"].append(message.get("body", b""))
                    if not message.get("more_body", False):
                        await self._finish(scope, captured)
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            claim = scope.pop("aiostore.idempotency_claim", None)
            if claim is not None:
                await idempotency.release(self._db(scope), claim)
            raise

    @staticmethod
    def _db(scope: Scope) -> Database:
        db = scope["app"].state.db
        assert isinstance(db, Database)  # noqa: S101
        return db

    async def _finish(self, scope: Scope, captured: dict[str, Any]) -> None:
        claim = scope.pop("aiostore.idempotency_claim", None)
        if claim is None:
            return
        status = int(captured["status"] or 500)
        if status >= 500:
            await idempotency.release(self._db(scope), claim)
            return
        keep = {"content-type", "location"}
        headers = {
            k.decode("latin-1"): v.decode("latin-1")
            for k, v in captured["headers"]
            if k.decode("latin-1") in keep
        }
        stored = idempotency.StoredResponse(status, b"".join(captured["body"]), headers)
        await idempotency.complete(self._db(scope), claim, stored)
