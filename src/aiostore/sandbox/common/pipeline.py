"""The request pipeline every sandbox's API entry shares (DESIGN.md "Marketplace sandboxes").

A platform's `dispatch` runs, in its own order: find the endpoint (`match_template` for path templates),
count the call, `inject_faults` (latency, time-out, the four injected answers in the platform's own
errors), its signature and token checks, the rate limit, then the handler; `route_path` and `json_body`
read the request as the client signed and sent it. What the platform answers (envelopes, codes) stays in
its package.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from starlette.requests import Request

from aiostore.sandbox.common.faults import FaultInjector, FaultKind

FaultErrors = Mapping[FaultKind, Callable[[], Exception]]


class Templated(Protocol):
    @property
    def method(self) -> str: ...

    @property
    def pattern(self) -> re.Pattern[str]: ...


E = TypeVar("E", bound=Templated)


def template_pattern(template: str) -> re.Pattern[str]:
    """`/product/{product_id}/x` -> a pattern whose groups are the path parameters."""
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")


def match_template(
    endpoints: Sequence[E], path: str, method: str
) -> tuple[E | None, dict[str, str], list[E]]:
    """(the endpoint for this path and method, its path parameters, every endpoint of this path)."""
    hits = [(e, m.groupdict()) for e in endpoints if (m := e.pattern.match(path))]
    chosen = next(((e, p) for e, p in hits if e.method == method), None)
    others = [e for e, _ in hits]
    return (chosen[0], chosen[1], others) if chosen else (None, hits[0][1] if hits else {}, others)


async def inject_faults(faults: FaultInjector, path: str, errors: FaultErrors) -> None:
    """Wait the injected latency; for an injected fault (after the time-out's wait), raise its error."""
    decision = faults.decide(path)
    if decision.latency:
        await asyncio.sleep(decision.latency)
    if decision.kind == "timeout":
        await asyncio.sleep(faults.config.timeout_seconds)
    if decision.kind is not None:
        raise errors[decision.kind]()


def route_path(request: Request) -> str:
    """The path without a mount prefix: what the client signed."""
    path: str = request.scope["path"]
    root: str = request.scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def json_body(raw: bytes, *, decimals: bool = True) -> Any:
    """The request body as JSON (numbers with a fraction as Decimal); None when empty.

    Raises ValueError when it is not JSON (each platform answers that with its own error)."""
    if not raw.strip():
        return None
    return json.loads(raw, parse_float=Decimal) if decimals else json.loads(raw)


async def multipart_body(request: Request) -> tuple[list[tuple[str, bytes]], dict[str, str]]:
    """A multipart/form-data body: its files as (field, content), in order, and its text fields."""
    uploads: list[tuple[str, bytes]] = []
    fields: dict[str, str] = {}
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return uploads, fields
    async with request.form() as form:
        for name, value in form.multi_items():
            if isinstance(value, str):
                fields[name] = value
            else:
                uploads.append((name, await value.read()))
    return uploads, fields
