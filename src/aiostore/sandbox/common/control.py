"""What every sandbox's `/_sandbox/...` control API shares: JSON in and out, and the state, call
counter and fault routes (the platform's own control routes sit beside them)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from aiostore.sandbox.common.core import CallCounter, SandboxError
from aiostore.sandbox.common.faults import FaultConfig, FaultInjector
from aiostore.sandbox.common.push import PushDispatcher

PREFIX = "/_sandbox"
Handler = Callable[[Request], Awaitable[Any]]


async def read_json(request: Request) -> Any:
    raw = await request.body()
    return json.loads(raw) if raw.strip() else {}


def json_endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """A handler's return value as JSON; sandbox, validation and JSON errors as 4xx with a detail."""

    async def endpoint(request: Request) -> Response:
        try:
            return JSONResponse(await handler(request))
        except SandboxError as exc:
            return JSONResponse({"detail": exc.message}, exc.status)
        except ValidationError as exc:
            return JSONResponse({"detail": exc.errors(include_url=False, include_context=False)}, 422)
        except ValueError as exc:  # bad JSON
            return JSONResponse({"detail": str(exc)}, 400)

    return endpoint


class Controllable(Protocol):
    calls: CallCounter
    faults: FaultInjector
    pushes: PushDispatcher

    def summary(self) -> dict[str, Any]: ...

    def reset_calls(self) -> None: ...

    def set_faults(self, faults: FaultConfig | dict[str, Any]) -> FaultConfig: ...

    async def drain_pushes(self) -> None: ...


def common_routes(sandbox: Controllable) -> list[Route]:
    """GET state; GET/DELETE calls (counts per path); GET/POST faults; GET pushes, POST pushes/drain."""

    async def state(request: Request) -> Any:
        return sandbox.summary()

    async def calls(request: Request) -> Any:
        if request.method == "DELETE":
            sandbox.reset_calls()
        return {"total": sandbox.calls.count(), "calls": sandbox.calls.snapshot()}

    async def faults(request: Request) -> Any:
        if request.method == "POST":
            sandbox.set_faults(FaultConfig.model_validate(await read_json(request)))
        return sandbox.faults.config.model_dump()

    async def pushes(request: Request) -> Any:
        if request.method == "POST":
            await sandbox.drain_pushes()
        deliveries = [
            {"url": d.url, "attempt": d.attempt, "status_code": d.status_code, "ok": d.ok, "error": d.error}
            for d in sandbox.pushes.deliveries
        ]
        return {"queued": sandbox.pushes.queued, "deliveries": deliveries}

    return [
        Route(f"{PREFIX}/state", json_endpoint(state), methods=["GET"]),
        Route(f"{PREFIX}/calls", json_endpoint(calls), methods=["GET", "DELETE"]),
        Route(f"{PREFIX}/faults", json_endpoint(faults), methods=["GET", "POST"]),
        Route(f"{PREFIX}/pushes", json_endpoint(pushes), methods=["GET"]),
        Route(f"{PREFIX}/pushes/drain", json_endpoint(pushes), methods=["POST"]),
    ]
