"""What every sandbox's `/_sandbox/...` control API shares (DESIGN.md "Marketplace sandboxes"): a prefix
no platform uses, so a separately running sandbox can be driven over HTTP by a benchmark or a demo.
Unsigned, plain JSON in and out; errors are {"detail": "..."}.

Shared routes: GET state · GET|DELETE calls · GET|POST faults · GET pushes · POST pushes/drain ·
GET|POST locks (a promotion's stock lock: updates accepted, not applied) · GET reviews · POST reviews/settle
(listing reviews: common/review.py), and, from
a platform's handlers, POST seed · POST orders · GET orders/{id} · POST orders/{id}/status ·
POST orders/{id}/advance (`OrderControl`). A platform adds its own (tokens, products, apps).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from aiostore.sandbox.common.core import CallCounter, SandboxError
from aiostore.sandbox.common.faults import FaultConfig, FaultInjector
from aiostore.sandbox.common.push import PushDispatcher
from aiostore.sandbox.common.review import Review, ReviewDesk

PREFIX = "/_sandbox"
Handler = Callable[[Request], Awaitable[Any]]
M = TypeVar("M", bound=BaseModel)
O = TypeVar("O")  # noqa: E741 - an order
O_co = TypeVar("O_co", covariant=True)
P = TypeVar("P", bound="PlaceOrdersIn")
T = TypeVar("T", bound=BaseModel)


class ControlIn(BaseModel):
    """A control request's JSON body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class SeedInBase(ControlIn):
    """POST /_sandbox/seed; each platform adds its variants-per-product field (under its own word) and
    which shop or seller to seed."""

    products: int = Field(0, ge=0)
    orders: int = Field(0, ge=0)
    seed: int | None = None


class PlaceOrdersIn(ControlIn):
    """POST /_sandbox/orders; each platform adds its `lines` and order options."""

    count: int = Field(1, ge=1, le=10_000)


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


class LockIn(ControlIn):
    """POST /_sandbox/locks: a promotion locks (or frees) one variant's stock, as connectors name it."""

    item_id: str = Field(min_length=1, max_length=40)
    variant_id: str = Field("0", min_length=1, max_length=40)
    locked: bool = True


class Controllable(Protocol):
    calls: CallCounter
    faults: FaultInjector
    pushes: PushDispatcher
    stock_locks: set[str]

    def lock_stock(self, item_id: object, variant_id: object, locked: bool = True) -> None: ...

    reviews: ReviewDesk

    def settle_reviews(self, *, force: bool = False) -> list[Review]: ...

    def summary(self) -> dict[str, Any]: ...

    def reset_calls(self) -> None: ...

    def set_faults(self, faults: FaultConfig | dict[str, Any]) -> FaultConfig: ...

    async def drain_pushes(self) -> None: ...


def post(path: str, model: type[M], action: Callable[[M, Request], Any]) -> Route:
    """POST /_sandbox/<path>: the body validated as `model`, then `action`'s answer as JSON."""

    async def handler(request: Request) -> Any:
        return action(model.model_validate(await read_json(request)), request)

    return Route(f"{PREFIX}/{path}", json_endpoint(handler), methods=["POST"])


def route(path: str, action: Callable[[Request], Any], method: str = "GET") -> Route:
    """<method> /_sandbox/<path> without a body: `action`'s answer as JSON."""

    async def handler(request: Request) -> Any:
        return action(request)

    return Route(f"{PREFIX}/{path}", json_endpoint(handler), methods=[method])


class OrderDesk(Protocol[O_co]):
    """A sandbox state's orders: by id, and one step along the platform's normal path."""

    def order(self, order_id: Any, /) -> O_co: ...

    def advance_order(self, order_id: Any, /) -> object: ...


@dataclass(frozen=True, slots=True)
class OrderControl(Generic[O, P, T]):
    """The order routes of a sandbox: place (POST orders), read (GET orders/{id}), set a status and
    advance along the normal path (POST orders/{id}/status|advance); each answers the order's summary."""

    param: str  # the path parameter with its converter: "order_sn", "order_id:int"
    desk: OrderDesk[O]
    summary: Callable[[O], dict[str, Any]]
    place: Callable[[P], O]
    place_model: type[P]
    set_status: Callable[[Any, T], object]
    status_model: type[T]

    def routes(self) -> list[Route]:
        name = self.param.split(":")[0]
        one = f"orders/{{{self.param}}}"

        def place(body: P, request: Request) -> Any:
            return {"orders": [self.summary(self.place(body)) for _ in range(body.count)]}

        def status(body: T, request: Request) -> Any:
            self.set_status(request.path_params[name], body)
            return self.summary(self.desk.order(request.path_params[name]))

        async def advance(request: Request) -> Any:
            self.desk.advance_order(request.path_params[name])
            return self.summary(self.desk.order(request.path_params[name]))

        async def read(request: Request) -> Any:
            return self.summary(self.desk.order(request.path_params[name]))

        return [
            post("orders", self.place_model, place),
            Route(f"{PREFIX}/{one}", json_endpoint(read), methods=["GET"]),
            post(f"{one}/status", self.status_model, status),
            Route(f"{PREFIX}/{one}/advance", json_endpoint(advance), methods=["POST"]),
        ]


def control_index(request: Request) -> list[dict[str, Any]]:
    """Every `/_sandbox` route of the app that serves this request, with its methods."""
    found = []
    for r in request.app.router.routes:
        if isinstance(r, Route) and r.path.startswith(PREFIX) and r.path != PREFIX:
            found.append({"path": r.path, "methods": sorted((r.methods or set()) - {"HEAD"})})
    return sorted(found, key=lambda r: str(r["path"]))


def common_routes(sandbox: Controllable) -> list[Route]:
    """GET /_sandbox (the list of control routes); GET state; GET/DELETE calls (counts per path);
    GET/POST faults; GET pushes, POST pushes/drain; GET/POST locks; GET reviews, POST reviews/settle."""

    async def index(request: Request) -> Any:
        return {"routes": control_index(request)}

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

    async def locks(request: Request) -> Any:
        if request.method == "POST":
            body = LockIn.model_validate(await read_json(request))
            sandbox.lock_stock(body.item_id, body.variant_id, body.locked)
        return {"locked": sorted(sandbox.stock_locks)}

    async def reviews(request: Request) -> Any:
        """GET: the reviews under way; POST (settle): end every one now, held or not."""
        if request.method == "POST":
            return {"settled": [r.summary() for r in sandbox.settle_reviews(force=True)]}
        return {"pending": [r.summary() for r in sandbox.reviews.pending.values()]}

    return [
        Route(PREFIX, json_endpoint(index), methods=["GET"]),
        Route(f"{PREFIX}/locks", json_endpoint(locks), methods=["GET", "POST"]),
        Route(f"{PREFIX}/reviews", json_endpoint(reviews), methods=["GET"]),
        Route(f"{PREFIX}/reviews/settle", json_endpoint(reviews), methods=["POST"]),
        Route(f"{PREFIX}/state", json_endpoint(state), methods=["GET"]),
        Route(f"{PREFIX}/calls", json_endpoint(calls), methods=["GET", "DELETE"]),
        Route(f"{PREFIX}/faults", json_endpoint(faults), methods=["GET", "POST"]),
        Route(f"{PREFIX}/pushes", json_endpoint(pushes), methods=["GET"]),
        Route(f"{PREFIX}/pushes/drain", json_endpoint(pushes), methods=["POST"]),
    ]
