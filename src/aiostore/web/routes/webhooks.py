"""Marketplace pushes: verify, store once, defer, answer 2xx at once (with an empty body)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.datastructures import URL

from aiostore.domain.platforms import Platform
from aiostore.services import webhooks
from aiostore.services.sync.context import SyncContext
from aiostore.web.deps import Public

router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])


def signed_url(public: str | None, url: URL) -> str:
    """The URL the platform signed: the public URL when the service sits behind a proxy."""
    if public:
        signed = public.rstrip("/") + url.path
        return signed + (f"?{url.query}" if url.query else "")
    return str(url)


def _url(request: Request) -> str:
    return signed_url(request.app.state.settings.public_url, request.url)


@router.post(
    "/{platform}", status_code=200, dependencies=[Public("marketplace push, verified by its signature")]
)
async def receive(platform: Platform, request: Request) -> Response:
    """A push from `platform`: 401 and nothing stored when its signature is wrong; 200 otherwise, also for
    duplicates, for shops nobody connected here and for genuine bodies that cannot be read (both kept in
    `ignored_webhooks`): platforms retry anything else forever."""
    sync = request.app.state.sync
    assert isinstance(sync, SyncContext)  # noqa: S101
    body = request.scope.get("aiostore.body", b"")
    headers = {k.lower(): v for k, v in request.headers.items()}
    await webhooks.receive(sync, platform, _url(request), headers, body if isinstance(body, bytes) else b"")
    return Response(status_code=200)
