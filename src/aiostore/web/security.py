"""Browser-facing protections every response carries, and who may read /metrics.

`CONTENT_SECURITY_POLICY` is the one policy of the service, API and pages alike: everything from our
own origin, no inline script or style, no framing. Pages (and /docs) load their scripts and styles
as files from 'self'.
"""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aiostore.errors import Forbidden, NotAuthenticated
from aiostore.security.tokens import same
from aiostore.web.deps import get_settings

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
STRICT_TRANSPORT_SECURITY = "max-age=31536000"
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


class SecurityHeadersMiddleware:
    """Sets the headers above on every response (errors and 413s included); HSTS in production or
    when the request came over HTTPS (directly or through a trusted proxy)."""

    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        hsts = self.production or scope.get("scheme") == "https"

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                if hsts:
                    headers["strict-transport-security"] = STRICT_TRANSPORT_SECURITY
            await send(message)

        await self.app(scope, receive, send_wrapper)


async def metrics_access(request: Request) -> None:
    """With AIOSTORE_METRICS_TOKEN set, /metrics wants `Authorization: Bearer <it>`; without it,
    production refuses /metrics unless AIOSTORE_METRICS_PUBLIC=true (development serves it)."""
    settings = get_settings(request)
    if settings.metrics_token is not None:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not same(given.strip(), settings.metrics_token.get_secret_value()):
            raise NotAuthenticated("send 'Authorization: Bearer <AIOSTORE_METRICS_TOKEN>'")
        return
    if settings.is_production and not settings.metrics_public:
        raise Forbidden("metrics are off: set AIOSTORE_METRICS_TOKEN, or AIOSTORE_METRICS_PUBLIC=true")
