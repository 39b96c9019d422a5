"""Pure ASGI middleware: request context (id, logs, metrics, body limit, 500s) and idempotency capture."""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
import time
import uuid
from typing import IO, Literal
from urllib.parse import parse_qsl

import structlog
from prometheus_client import Counter, Histogram
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aiostore import input_policy, memory
from aiostore.errors import AppError, FieldError, PayloadTooLarge, ValidationFailed
from aiostore.security.crypto import TokenCipher
from aiostore.services import idempotency
from aiostore.web.deps import IDEMPOTENCY_CLAIM, OPEN_SESSION, UPLOAD
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
# Spreadsheet uploads: spooled to a temporary file (memory up to SPOOL_BYTES, then disk) up to
# AIOSTORE_IMPORT_MAX_BYTES, replayed to the app in chunks (the idempotency fingerprint hashes the
# parsed form: deps.form_digest).
UPLOAD_PATHS = frozenset(
    {
        "/api/stock/import",
        "/api/price/import",
        "/api/catalog/import",
        "/changes/upload/stock",  # the Stock & prices page's upload forms
        "/changes/upload/price",
    }
)
SPOOL_BYTES = 1024 * 1024
_REPLAY_CHUNK = 64 * 1024


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
    start, body = _problem_messages(status, error, request_id)
    start["headers"].append((b"x-request-id", request_id.encode()))
    await send(start)
    await send(body)


def bind_request_id(scope: Scope, headers: dict[bytes, bytes]) -> str:
    """The caller's X-Request-ID when well formed (a fresh one otherwise), in the scope and the logs."""
    given = headers.get(b"x-request-id", b"").decode("latin-1")
    request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
    scope["aiostore.request_id"] = request_id
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id)
    return request_id


def _request_id(scope: Scope) -> str | None:
    value = scope.get("aiostore.request_id")
    return value if isinstance(value, str) else None


class _TooLarge(Exception):
    pass


async def _spool_upload(receive: Receive, limit: int) -> IO[bytes] | None:
    """The request body in a spooled temporary file; None when the client left. Raises _TooLarge past
    `limit` bytes."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115  (returned)
    size = 0
    more = True
    try:
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                spool.close()
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            if size > SPOOL_BYTES:
                await asyncio.to_thread(spool.write, chunk)
            else:
                spool.write(chunk)
            more = message.get("more_body", False)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def _replay_file(spool: IO[bytes]) -> Receive:
    done = False

    async def receive() -> Message:
        nonlocal done
        if done:
            return {"type": "http.disconnect"}
        chunk = await asyncio.to_thread(spool.read, _REPLAY_CHUNK)
        done = len(chunk) < _REPLAY_CHUNK
        return {"type": "http.request", "body": chunk, "more_body": not done}

    return receive


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes or max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        request_id = bind_request_id(scope, headers)
        method = scope["method"]
        started = time.perf_counter()
        status_holder = {"status": 500}

        upload: IO[bytes] | None = None
        if method in _BODY_METHODS and scope.get("path") in UPLOAD_PATHS:
            spooled = await self._spool(headers, receive)
            if spooled is None:
                await _send_problem(send, 413, self._upload_too_large(), request_id)
                self._observe(scope, method, 413, started)
                return
            if spooled == "left":
                return
            upload = scope[UPLOAD] = spooled
            receive = _replay_file(upload)
        elif method in _BODY_METHODS:
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
            if upload is not None:
                upload.close()
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
            if upload is not None:
                upload.close()
            self._observe(scope, method, status_holder["status"], started)
        await memory.release_noted()  # after a large change set (memory.py), once it has answered

    async def _spool(
        self, headers: dict[bytes, bytes], receive: Receive
    ) -> IO[bytes] | Literal["left"] | None:
        """The upload spooled; "left" when the client went away; None when too large."""
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_upload_bytes:
            return None
        try:
            spooled = await _spool_upload(receive, self.max_upload_bytes)
        except _TooLarge:
            return None
        return "left" if spooled is None else spooled

    def _upload_too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(
            f"the file is larger than {self.max_upload_bytes} bytes (AIOSTORE_IMPORT_MAX_BYTES)"
        )

    def _observe(self, scope: Scope, method: str, status: int, started: float) -> None:
        observe(method, _route(scope), status, started)


def observe(method: str, route: str, status: int, started: float) -> None:
    """A finished request in the metrics and the log."""
    elapsed = time.perf_counter() - started
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
    """Finishes a request that claimed an Idempotency-Key (see services/idempotency.py): its response is
    held back, recorded in the request's still-open transaction, committed with the change, and only
    then sent. A commit that fails sends a 500 instead: nothing was applied, nothing recorded."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def send_wrapper(message: Message) -> None:
            if IDEMPOTENCY_CLAIM not in scope:
                await send(message)
                return
            held.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                for out in await self._finish(scope, held):
                    await send(out)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            session = scope.pop(OPEN_SESSION, None)
            if isinstance(session, AsyncSession):  # the response was never finished: nothing is kept
                await session.rollback()
                await session.close()

    async def _finish(self, scope: Scope, held: list[Message]) -> list[Message]:
        claim = scope.pop(IDEMPOTENCY_CLAIM)
        session = scope.pop(OPEN_SESSION, None)
        start = held[0]
        status = int(start["status"])
        keep = {"content-type", "location"}
        headers = {
            k.decode("latin-1"): v.decode("latin-1")
            for k, v in start.get("headers", [])
            if k.decode("latin-1") in keep
        }
        stored = idempotency.StoredResponse(status, b"".join(m.get("body", b"") for m in held[1:]), headers)
        app_state = scope["app"].state
        cipher = TokenCipher(app_state.settings.encryption_keys)
        if isinstance(session, AsyncSession):  # the endpoint returned: the change and its response commit
            try:
                await idempotency.record(session, claim, stored, cipher)
                await session.commit()
            except Exception:
                log.exception("idempotency.commit_failed", route=_route(scope))
                await session.rollback()
                failed = AppError("the change could not be saved; retry with the same key")
                return _problem_messages(500, failed, _request_id(scope))
            finally:
                await session.close()
        elif status < 500:  # the endpoint raised a 4xx: its change rolled back; the answer is kept
            await idempotency.record_alone(app_state.db, claim, stored, cipher)
        return held


def _problem_messages(status: int, error: AppError, request_id: str | None) -> list[Message]:
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
    headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
    return [
        {"type": "http.response.start", "status": status, "headers": headers},
        {"type": "http.response.body", "body": body},
    ]
