"""Who gets HTML: a browser asking for a page. API paths answer JSON, except the OAuth callback, where a
platform sends the seller's browser back to us."""

from __future__ import annotations

from starlette.requests import Request

BROWSER_API_PATHS = ("/api/channels/callback/",)


def wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") and not path.startswith(BROWSER_API_PATHS):
        return False
    if path.startswith("/static/"):
        return False
    return "text/html" in request.headers.get("accept", "") or request.headers.get("hx-request") == "true"
